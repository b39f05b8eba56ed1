import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LakeConfigError, lakeConfig, readLakeConfig } from '../../src/cluster/config.js';
import { examples, tempFile } from '../helpers.js';

test('the example lake reads: sizes, durations, default ids, sorted schedule', async () => {
  const lake = await readLakeConfig(`${examples}/lake.yaml`);
  assert.ok(lake.sites.length >= 2);
  const node = lake.sites[0].nodes[0];
  assert.ok(node.capacity > 0 && node.weight > 0 && node.policy.length > 0);
  assert.deepEqual(
    lake.schedule.map((e) => e.at),
    [...lake.schedule.map((e) => e.at)].sort((a, b) => a - b),
  );
  assert.equal(lake.heartbeatTimeout, 3);
});

test('a site event names all of the site nodes; defaults fill ids, weight and policy', () => {
  const lake = lakeConfig(
    {
      sites: [{ name: 'A', nodes: [{ capacity: '1TB' }, { capacity: 5e11, weight: 2, policy: 's3fifo' }] }],
      schedule: [
        { at: '1d', 'leave-site': 'A' },
        { at: '2h', join: 'A-2' },
      ],
    },
    'lake.yaml',
  );
  assert.deepEqual(
    lake.sites[0].nodes.map((n) => [n.id, n.capacity, n.weight, n.policy]),
    [
      ['A-1', 1e12, 1, 'lru'],
      ['A-2', 5e11, 2, 's3fifo'],
    ],
  );
  assert.deepEqual(
    lake.schedule.map((e) => [e.at, e.action, e.nodes]),
    [
      [7200, 'join', ['A-2']],
      [86_400, 'leave', ['A-1', 'A-2']],
    ],
  );
});

test('bad lakes are refused with the file and the field path', () => {
  const cases: [unknown, RegExp][] = [
    [{ sites: [] }, /lake\.yaml: sites: must NOT have fewer than 1 items/],
    [
      { sites: [{ name: 'A', nodes: [{ capacity: '1TB', colour: 'red' }] }] },
      /sites\.0\.nodes\.0: unknown field "colour"/,
    ],
    [
      { sites: [{ name: 'A', nodes: [{ capacity: 'lots' }] }] },
      /sites\.0\.nodes\.0\.capacity: cannot read "lots" as a size/,
    ],
    [
      {
        sites: [
          {
            name: 'A',
            nodes: [
              { id: 'x', capacity: 1 },
              { id: 'x', capacity: 1 },
            ],
          },
        ],
      },
      /sites\.0\.nodes\.1\.id: node id x appears twice/,
    ],
    [
      { sites: [{ name: 'A' }], schedule: [{ at: '1h', leave: 'ghost' }] },
      /schedule\.0\.leave: unknown node ghost/,
    ],
    [{ sites: [{ name: 'A' }], distances: { A: { Z: 1 } } }, /distances\.A: unknown site Z/],
    [
      { sites: [{ name: 'A' }], clients: [{ cidr: '10.0.0.0/33', site: 'A' }] },
      /clients\.0\.cidr: "10\.0\.0\.0\/33" is not an address block/,
    ],
    [{ sites: [{ name: 'A' }, { name: 'A' }] }, /sites\.1\.name: site A appears twice/],
  ];
  for (const [raw, message] of cases) {
    assert.throws(
      () => lakeConfig(raw, 'lake.yaml'),
      (err: unknown) => err instanceof LakeConfigError && message.test((err as Error).message),
      String(message),
    );
  }
});

test('a file that is not YAML names the file', async () => {
  const file = tempFile('bad.yaml', 'sites: [unclosed');
  await assert.rejects(readLakeConfig(file), /bad\.yaml: \(top level\): not valid YAML/);
});
