import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lakeConfig } from '../../src/cluster/config.js';
import { simulateLake } from '../../src/cluster/lake-sim.js';
import { traceFromRequests } from '../../src/trace/builder.js';

const MB = 1e6;

test('hand-checked lake: a node leaves, its clients read from the nearby site, it rejoins empty', () => {
  const lake = lakeConfig(
    {
      sites: [
        { name: 'A', nodes: [{ id: 'a1', capacity: '100MB' }] },
        { name: 'B', nodes: [{ id: 'b1', capacity: '100MB' }] },
      ],
      distances: { A: { B: 1 } },
      schedule: [
        { at: 10, leave: 'a1' },
        { at: 20, join: 'a1' },
      ],
    },
    'lake.yaml',
  );
  const req = (time: number, site: string, key: string) => ({ time, key, size: 10 * MB, site });
  const trace = traceFromRequests(
    [
      req(0, 'A', 'f1'), // a1 miss
      req(2, 'A', 'f1'), // a1 hit
      req(3, 'B', 'f1'), // b1 miss
      req(11, 'A', 'f1'), // a1 gone: b1 hit, inter-site
      req(12, 'A', 'f2'), // b1 miss, inter-site
      req(21, 'A', 'f1'), // a1 back, empty: miss
      req(22, 'A', 'f1'), // a1 hit
    ],
    true,
  );
  const result = simulateLake(trace, lake);
  const a = result.sites.find((s) => s.site === 'A');
  const b = result.sites.find((s) => s.site === 'B');
  assert.deepEqual(
    [a?.requests, a?.hits, a?.wanBytes, a?.interSiteBytes, a?.bytesHit],
    [6, 3, 3 * 10 * MB, 2 * 10 * MB, 3 * 10 * MB],
  );
  assert.deepEqual([b?.requests, b?.hits, b?.wanBytes, b?.interSiteBytes], [1, 0, 10 * MB, 0]);
  assert.equal(result.total.hits, 3);
  assert.equal(result.total.wanBytes, 4 * 10 * MB);
  assert.deepEqual(
    result.nodes.map((n) => [n.node, n.joined, n.left, n.requests, n.hits, n.bytesLost]),
    [
      ['a1', 0, 10, 2, 1, 10 * MB],
      ['b1', 0, undefined, 3, 1, 0],
      ['a1', 20, undefined, 2, 1, 0],
    ],
  );
  assert.deepEqual(
    result.events.map((e) => [e.time, e.label]),
    [
      [10, 'leave a1'],
      [20, 'join a1'],
    ],
  );
});

test('a site that leaves sends its clients to the origin when no other site is reachable', () => {
  const lake = lakeConfig(
    {
      sites: [{ name: 'A', nodes: [{ id: 'a1', capacity: '1GB' }] }],
      schedule: [{ at: 5, 'leave-site': 'A' }],
    },
    'lake.yaml',
  );
  const trace = traceFromRequests(
    [0, 1, 6, 7].map((time) => ({ time, key: 'f', size: MB, site: 'A' })),
    true,
  );
  const result = simulateLake(trace, lake);
  assert.deepEqual(
    [result.total.hits, result.total.originDirectBytes, result.total.wanBytes],
    [1, 2 * MB, 3 * MB],
  );
});

test('without a site field, requests are spread by the configured shares', () => {
  const lake = lakeConfig(
    {
      sites: [
        { name: 'A', share: 0.75, nodes: [{ capacity: '1GB' }] },
        { name: 'B', nodes: [{ capacity: '1GB' }] },
      ],
    },
    'lake.yaml',
  );
  const trace = traceFromRequests(
    Array.from({ length: 20_000 }, (_, i) => ({ time: i, key: i % 500, size: 1000 })),
  );
  const result = simulateLake(trace, lake, { seed: 3 });
  const share = (result.sites.find((s) => s.site === 'A')?.requests ?? 0) / trace.length;
  assert.ok(Math.abs(share - 0.75) < 0.02, `site A got ${share} of the requests`);
});
