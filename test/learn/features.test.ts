import assert from 'node:assert/strict';
import { test } from 'node:test';
import { onlineFeatures, UnsortedTraceError } from '../../src/learn/online-features.js';
import { FEATURE_NAMES } from '../../src/prep/schema.js';
import { traceFromRequests } from '../../src/trace/builder.js';
import { generateWorkload } from '../../src/trace/generate.js';
import type { Trace } from '../../src/trace/model.js';
import { prepTrace, readFeatures } from '../prep/helpers.js';
import { hotFileTrace } from './helpers.js';

/** Online features equal the DuckDB prep output row by row, NULL as NaN, within 1e-9. */
async function assertSameAsPrep(trace: Trace): Promise<void> {
  const set = await prepTrace(trace);
  const rows = await readFeatures(set.dir);
  const m = onlineFeatures(trace);
  assert.equal(m.rows, rows.length);
  assert.deepEqual(m.names, FEATURE_NAMES);
  const cols = FEATURE_NAMES.length;
  for (let i = 0; i < rows.length; i++) {
    FEATURE_NAMES.forEach((name, c) => {
      const want = rows[i][name];
      const got = m.values[i * cols + c];
      const message = `row ${i} ${name}: online ${got}, prep ${want}`;
      if (want === null) assert.ok(Number.isNaN(got), message);
      else
        assert.ok(Math.abs(got - (want as number)) <= 1e-9 * Math.max(1, Math.abs(want as number)), message);
    });
  }
}

test('online features equal prep on a generated trace with sites, users and datasets', async () => {
  // few users and objects over 10 days: repeats, ties and every window edge occur
  const trace = generateWorkload({ requests: 6000, seed: 5, days: 10, users: 12, sites: 3, datasets: 30 });
  await assertSameAsPrep(trace);
});

test('online features equal prep with missing datasets and users, ties and exact window edges', async () => {
  const T = Date.UTC(2025, 0, 1) / 1000;
  const trace = traceFromRequests([
    { time: T, key: 1, size: 100, user: 'alice', dataset: 'A' },
    { time: T, key: 1, size: 100, user: 'bob', dataset: 'A' },
    { time: T, key: 2, size: 50, user: 'alice', dataset: 'B' },
    { time: T + 3600, key: 1, size: 100, user: 'alice', dataset: 'A' },
    { time: T + 3700, key: 3, size: 10, user: 'carol' },
    { time: T + 3700, key: 3, size: 10, dataset: 'A' },
    { time: T + 3600 + 86_400, key: 1, size: 100, user: 'carol', dataset: 'A' },
    { time: T + 3600 + 86_400, key: 2, size: 50, user: 'bob', dataset: 'B' },
    { time: T + 3600 + 7 * 86_400, key: 1, size: 100, dataset: 'A' },
  ]);
  await assertSameAsPrep(trace);
});

test('online features equal prep past every bound: thousands of requests a week and of users on one file', async () => {
  await assertSameAsPrep(hotFileTrace());
});

test('online features refuse a trace out of time order', () => {
  const trace = traceFromRequests([
    { time: 10, key: 1, size: 1 },
    { time: 5, key: 2, size: 1 },
  ]);
  assert.throws(() => onlineFeatures(trace), UnsortedTraceError);
});
