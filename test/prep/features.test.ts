import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COLUMNS, FEATURE_NAMES, LABEL_NAMES } from '../../src/prep/schema.js';
import { traceFromRequests } from '../../src/trace/builder.js';
import { generateWorkload } from '../../src/trace/generate.js';
import { traceHead } from '../../src/trace/model.js';
import { prepTrace, type Row, readColumnTypes, readFeatures } from './helpers.js';

/** 2025-01-01T00:00:00Z, a Wednesday. */
const T = Date.UTC(2025, 0, 1) / 1000;
const H = 3600;
const D = 86_400;

/**
 * Three objects: 1 is requested twice in the same second, again exactly one hour later and
 * again exactly one day after that; 2 twice a little more than a day apart (the second time
 * tied with object 1); 3 once, with no dataset.
 */
const tiny = traceFromRequests([
  { time: T, key: 1, size: 100, user: 'alice', dataset: 'A' },
  { time: T, key: 1, size: 100, user: 'bob', dataset: 'A' },
  { time: T, key: 2, size: 50, user: 'alice', dataset: 'B' },
  { time: T + H, key: 1, size: 100, user: 'alice', dataset: 'A' },
  { time: T + H + 100, key: 3, size: 10, user: 'carol' },
  { time: T + H + D, key: 1, size: 100, user: 'carol', dataset: 'A' },
  { time: T + H + D, key: 2, size: 50, user: 'bob', dataset: 'B' },
]);

// Belady with 150 bytes: 1 and 2 fit; 3 arrives at seq 4 and evicts 2 (next use farthest),
// so requests 1, 3 and 5 hit and request 6 misses.
// biome-ignore format: one request per line, columns as in the header comment
const expected: Row[] = [
  //  seq request_time object_id size user_name dataset since_last count_1h count_1d count_7d count_ever dataset_count_1d distinct_users age hour dow next_gap requests_to_next reused opt_admit day
  row(0, T,           '1', 100, 'alice', 'A',  null,  0, 0, 0, 0, 0,    1, 0,     0, 2, 0,     1,    true,  true,  '2025-01-01'),
  row(1, T,           '1', 100, 'bob',   'A',  0,     1, 1, 1, 1, 1,    2, 0,     0, 2, H,     2,    true,  true,  '2025-01-01'),
  row(2, T,           '2', 50,  'alice', 'B',  null,  0, 0, 0, 0, 0,    1, 0,     0, 2, H + D, 4,    false, false, '2025-01-01'),
  // exactly an hour after seq 0 and 1, which are therefore not in its last hour; its next
  // request comes exactly a day later, which is within the one-day horizon
  row(3, T + H,       '1', 100, 'alice', 'A',  H,     0, 2, 2, 2, 2,    2, H,     1, 2, D,     2,    true,  true,  '2025-01-01'),
  row(4, T + H + 100, '3', 10,  'carol', null, null,  0, 0, 0, 0, null, 1, 0,     1, 2, null,  null, false, null,  '2025-01-01'),
  row(5, T + H + D,   '1', 100, 'carol', 'A',  D,     0, 0, 3, 3, 0,    3, H + D, 1, 3, null,  null, false, null,  '2025-01-02'),
  row(6, T + H + D,   '2', 50,  'bob',   'B',  H + D, 0, 0, 1, 1, 0,    2, H + D, 1, 3, null,  null, false, null,  '2025-01-02'),
];

function row(...v: (number | string | boolean | null)[]): Row {
  const names = ['seq', 'request_time', 'object_id', 'size', 'user_name', 'dataset', 'since_last'];
  names.push('count_1h', 'count_1d', 'count_7d', 'count_ever', 'dataset_count_1d', 'distinct_users');
  names.push(
    'age',
    'hour_of_day',
    'day_of_week',
    'next_gap',
    'requests_to_next',
    'reused',
    'opt_admit',
    'day',
  );
  const r: Row = Object.fromEntries(names.map((n, i) => [n, v[i]]));
  r.site = null;
  r.log_size = Math.log(1 + (r.size as number));
  return r;
}

test('every feature and label of a hand-checked trace, with ties and window edges', async () => {
  const featureSet = await prepTrace(tiny, { optSize: '150' });
  const rows = await readFeatures(featureSet.dir);
  assert.equal(rows.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    for (const column of COLUMNS) {
      assert.deepEqual(rows[i][column.name], expected[i][column.name], `seq ${i} ${column.name}`);
    }
  }
  assert.equal(featureSet.rows, 7);
  assert.deepEqual(featureSet.days, {
    first: '2025-01-01',
    last: '2025-01-02',
    all: ['2025-01-01', '2025-01-02'],
  });
  assert.deepEqual(featureSet.settings.inputs, ['user', 'dataset']);
  assert.equal(featureSet.settings.optSize, 150);
});

test('the horizon decides reused', async () => {
  const rows = await readFeatures((await prepTrace(tiny, { optSize: '150', horizon: H })).dir);
  assert.deepEqual(
    rows.map((r) => r.reused),
    [true, true, false, false, false, false, false],
  );
});

test('the Parquet columns and types are the schema, in order', async () => {
  const featureSet = await prepTrace(tiny);
  const types = await readColumnTypes(featureSet.dir);
  const file = COLUMNS.filter((c) => c.name !== 'day').concat(COLUMNS.filter((c) => c.name === 'day'));
  assert.deepEqual(
    [...types.keys()],
    file.map((c) => c.name),
  );
  for (const column of COLUMNS) assert.equal(types.get(column.name), column.type.toUpperCase(), column.name);
  assert.deepEqual(
    featureSet.columns.map((c) => c.name),
    file.map((c) => c.name),
  );
  assert.ok(FEATURE_NAMES.includes('count_1h') && LABEL_NAMES.includes('opt_admit'));
});

test('inputs without users or datasets give NULL for the columns that need them', async () => {
  const bare = traceFromRequests([
    { time: T, key: 7, size: 1 },
    { time: T + 5, key: 7, size: 1 },
  ]);
  const rows = await readFeatures((await prepTrace(bare)).dir);
  assert.deepEqual(
    rows.map((r) => [r.user_name, r.dataset, r.dataset_count_1d, r.distinct_users, r.count_ever]),
    [
      [null, null, null, null, 0],
      [null, null, null, null, 1],
    ],
  );
});

test('no look-ahead: features of a request do not change when later requests are removed', async () => {
  const trace = generateWorkload({ requests: 4000, seed: 3, days: 3 });
  const cut = 2500;
  const full = await readFeatures((await prepTrace(trace)).dir);
  const prefix = await readFeatures((await prepTrace(traceHead(trace, cut))).dir);
  assert.equal(prefix.length, cut);
  const known = COLUMNS.filter((c) => c.role !== 'label').map((c) => c.name);
  for (let i = 0; i < cut; i++) {
    for (const name of known) assert.deepEqual(prefix[i][name], full[i][name], `seq ${i} ${name}`);
  }
});
