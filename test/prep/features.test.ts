import assert from 'node:assert/strict';
import { test } from 'node:test';
import { COLUMNS, FEATURE_NAMES, LABEL_NAMES } from '../../src/prep/schema.js';
import { traceFromRequests } from '../../src/trace/builder.js';
import { generateWorkload } from '../../src/trace/generate.js';
import { traceHead } from '../../src/trace/model.js';
import { prepTrace, readColumnTypes, readFeatures } from './helpers.js';
import { expected, H, T, tiny } from './tiny-trace.js';

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
