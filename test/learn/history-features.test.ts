import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Random } from '../../src/common/random.js';
import {
  EDC_HALF_LIVES,
  HistoryGapsError,
  historyFeatureNames,
  ObjectHistory,
} from '../../src/learn/history-features.js';

const names = historyFeatureNames(4);
const col = (name: string) => {
  const c = names.indexOf(name);
  assert.ok(c >= 0, name);
  return c;
};

test('history features: gaps most recent first, decayed counters, count, age, as of any moment', () => {
  const h = new ObjectHistory(3, 4, false, false);
  for (const t of [10, 14, 24, 25, 45, 100]) h.record(1, t, 999, 0, 0);
  const out = new Float32Array(h.width);
  h.features(1, 130, out, 0);
  assert.equal(h.width, names.length);
  assert.equal(out[col('log_size')], Math.fround(Math.log1p(999)));
  assert.equal(out[col('since_last')], 30);
  assert.deepEqual(
    [1, 2, 3, 4].map((k) => out[col(`gap_${k}`)]),
    [55, 20, 1, 10],
    'the oldest gap (4) fell out',
  );
  assert.equal(out[col('log_count')], Math.fround(Math.log1p(6)));
  assert.equal(out[col('age')], 120);
  const h0 = EDC_HALF_LIVES[0];
  const edc = [10, 14, 24, 25, 45, 100].reduce((sum, t) => sum + 2 ** (-(130 - t) / h0), 0);
  assert.ok(Math.abs(out[col(`edc_${h0}`)] - edc) < 1e-4, `${out[col(`edc_${h0}`)]} vs ${edc}`);
  assert.ok(Number.isNaN(out[col('dataset_since_last')]), 'no datasets: NaN');
  h.record(2, 131, 5, 0, 0);
  h.features(2, 131, out, 0);
  assert.deepEqual(
    [1, 2, 3, 4].map((k) => Number.isNaN(out[col(`gap_${k}`)])),
    [true, true, true, true],
  );
});

test('history features: the memory window, dataset share and first reads, forget', () => {
  const h = new ObjectHistory(10, 4, true, false);
  h.setWindow(100);
  // dataset 7 holds files 0..3; 0 and 1 are read at 0 and 10, 2 at 150; 3 never
  h.record(0, 0, 1, 7, 0);
  h.record(1, 10, 1, 7, 0);
  h.record(3, 20, 1, 7, 0);
  h.expire(150);
  h.record(2, 150, 1, 7, 0);
  const rng = new Random(1);
  for (let k = 0; k < 20; k++) assert.equal(h.drawFromWindow(rng), 2, 'files 0, 1 and 3 left the window');
  const out = new Float32Array(h.width);
  h.features(0, 150, out, 0);
  assert.equal(out[col('dataset_since_last')], 0);
  assert.equal(out[col('dataset_window_share')], 0.25, 'one of four files read within the window');
  assert.equal(out[col('dataset_first_reads')], 1, 'every read so far was a first read in the window');
  assert.equal(out[col('dataset_log_files')], Math.fround(Math.log1p(4)));
  h.record(2, 151, 1, 7, 0);
  h.features(0, 151, out, 0);
  assert.ok(out[col('dataset_first_reads')] < 1, 'a re-read lowers the share of first reads');
  h.forget(2);
  assert.equal(h.drawFromWindow(rng), -1, 'a forgotten object leaves the window');
  h.features(0, 152, out, 0);
  assert.equal(out[col('dataset_window_share')], 0, 'forgotten: no file of the dataset in the window');
  assert.equal(out[col('dataset_log_files')], Math.fround(Math.log1p(3)));
  assert.throws(() => new ObjectHistory(1, 33, false, false), HistoryGapsError);
});
