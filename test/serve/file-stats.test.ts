/**
 * The hint endpoint computes features one request at a time; the learned policies and the
 * trainers compute them over a whole trace. Both must give a model the same inputs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { onlineFeatures } from '../../src/learn/online-features.js';
import { FEATURE_NAMES } from '../../src/prep/schema.js';
import { RequestStats } from '../../src/serve/file-stats.js';
import { generateWorkload } from '../../src/trace/generate.js';
import { requestAt } from '../../src/trace/model.js';

test('streaming hint features equal the online prep features, request by request', () => {
  const trace = generateWorkload({ requests: 4000, seed: 11, days: 9, users: 15, sites: 3 });
  const batch = onlineFeatures(trace);
  const stats = new RequestStats(1_000_000);
  const missing = FEATURE_NAMES.map(() => Number.NaN);
  const width = FEATURE_NAMES.length;
  for (let i = 0; i < trace.length; i++) {
    const r = requestAt(trace, i);
    const row = stats.featuresThenRecord('m', FEATURE_NAMES, missing, {
      lfn: String(r.key),
      time: r.time,
      size: r.size,
      user: r.user,
      dataset: r.dataset,
    });
    for (let f = 0; f < width; f++) {
      const expected = batch.values[i * width + f];
      const actual = row[f];
      const same = Number.isNaN(expected)
        ? Number.isNaN(actual)
        : Math.abs(actual - Math.fround(expected)) <= 1e-6 * Math.max(1, Math.abs(expected));
      assert.ok(same, `request ${i}, ${FEATURE_NAMES[f]}: hint ${actual}, online ${expected}`);
    }
  }
});
