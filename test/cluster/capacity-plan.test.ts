import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allocate, planCapacity, type SiteCurve } from '../../src/cluster/capacity-plan.js';
import { lakeConfig } from '../../src/cluster/config.js';
import { traceFromRequests } from '../../src/trace/builder.js';

function curve(site: string, points: [number, number][], bytesRequested = 1000): SiteCurve {
  return {
    site,
    policy: 'lru',
    requests: 10,
    bytesRequested,
    uniqueBytes: points.at(-1)?.[0] ?? 0,
    points: points.map(([capacity, bytesHit]) => ({ capacity, bytesHit })),
  };
}

const A = curve('A', [
  [0, 0],
  [10, 100],
  [20, 120],
]);
const B = curve('B', [
  [0, 0],
  [10, 50],
  [20, 95],
]);

test('the budget goes to the steepest saving first, a partial slice last', () => {
  // slopes: A 10 then 2, B 5 then 4.5
  assert.deepEqual(allocate([A, B], 10).sites, [
    { capacity: 10, saved: 100 },
    { capacity: 0, saved: 0 },
  ]);
  assert.deepEqual(allocate([A, B], 25).sites, [
    { capacity: 10, saved: 100 },
    { capacity: 15, saved: 72.5 },
  ]);
  assert.deepEqual(
    allocate([A, B], 35).sites.map((s) => s.capacity),
    [15, 20],
  );
});

test('a curve that is not concave is planned on its hull', () => {
  // (10, 10) lies under the chord from (0, 0) to (20, 120): the hull has one slope, 6, above B's 5
  const C = curve('C', [
    [0, 0],
    [10, 10],
    [20, 120],
  ]);
  assert.deepEqual(allocate([B, C], 10).sites, [
    { capacity: 0, saved: 0 },
    { capacity: 10, saved: 60 },
  ]);
});

test('budget beyond every flat curve is spread by requested bytes and reported as not needed', () => {
  const small = curve(
    'S',
    [
      [0, 0],
      [10, 100],
    ],
    3000,
  );
  const { sites, needed } = allocate([small, A], 70);
  assert.equal(needed, 30);
  // 40 left: 3/4 to S, 1/4 to A
  assert.deepEqual(
    sites.map((s) => s.capacity),
    [10 + 30, 20 + 10],
  );
});

test('the plan puts the cache where requests repeat, and beats an even split in the replay', async () => {
  const MB = 1e6;
  const lake = lakeConfig(
    {
      sites: [
        { name: 'reuse', nodes: [{ id: 'r1', capacity: '1MB' }] },
        { name: 'scan', nodes: [{ id: 's1', capacity: '1MB' }] },
      ],
    },
    'lake.yaml',
  );
  const requests = [];
  for (let i = 0; i < 400; i++) {
    requests.push({ time: 2 * i, key: `hot${i % 20}`, size: MB, site: 'reuse' });
    requests.push({ time: 2 * i + 1, key: `once${i}`, size: MB, site: 'scan' });
  }
  const trace = traceFromRequests(requests, true);
  const plan = await planCapacity(trace, lake, { budget: 20 * MB, workers: 1 });
  const [reuse, scan] = plan.sites;
  assert.equal(reuse.capacity, 20 * MB);
  assert.equal(scan.capacity, 0);
  // 20 hot files of 1 MB fit exactly: every request after the first 20 hits
  assert.equal(reuse.saved, 380 * MB);
  assert.equal(reuse.uniformCapacity, 10 * MB);
  assert.ok(reuse.uniformSaved < reuse.saved, `${reuse.uniformSaved} < ${reuse.saved}`);
  assert.equal(plan.planned.total.bytesHit, 380 * MB);
  assert.equal(plan.needed, 20 * MB);
});
