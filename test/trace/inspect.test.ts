import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Random } from '../../src/common/random.js';
import { traceFromRequests } from '../../src/trace/builder.js';
import { fitZipf, inspectTrace, reuseDistances } from '../../src/trace/inspect.js';

const SIZES: Record<string, number> = { A: 100, B: 200, C: 300, D: 400 };
const keys = ['A', 'B', 'C', 'A', 'B', 'B', 'D', 'A'];
const sites = [
  'T2_IT_Pisa',
  'T2_US_MIT',
  'T2_IT_Pisa',
  'T2_IT_Pisa',
  'T2_US_MIT',
  'T2_IT_Pisa',
  'T2_IT_Pisa',
  'T2_IT_Pisa',
];
const tiny = traceFromRequests(
  keys.map((key, i) => ({ time: 1000 + 10 * i, key, size: SIZES[key], site: sites[i] })),
  true,
);

test('volume, span and one-hit wonders of a hand-checked trace', () => {
  const s = inspectTrace(tiny);
  assert.equal(s.requests, 8);
  assert.equal(s.uniqueObjects, 4);
  assert.equal(s.totalBytes, 3 * 100 + 3 * 200 + 300 + 400);
  assert.equal(s.uniqueBytes, 1000);
  assert.deepEqual([s.firstTime, s.lastTime, s.spanSeconds], [1000, 1070, 70]);
  assert.equal(s.oneHitWonderRatio, 0.5);
  assert.deepEqual(s.objectSizes, { p50: 200, p90: 400, p99: 400, max: 400 });
});

test('exact stack distances of a hand-checked trace', () => {
  // A B C A(2: B C) B(2: C A) B(0) D A(2: B D) -> distances 2, 2, 0, 2
  const r = inspectTrace(tiny).reuse;
  assert.equal(r.coldMisses, 4);
  assert.deepEqual(r.buckets, [
    { from: 0, to: 0, requests: 1 },
    { from: 1, to: 1, requests: 0 },
    { from: 2, to: 3, requests: 3 },
  ]);
});

test('stack distances match a brute-force count on a random trace', () => {
  const rng = new Random(7);
  const objs = Array.from({ length: 3000 }, () => Math.floor(60 * rng.float() ** 2));
  const trace = traceFromRequests(objs.map((key, i) => ({ time: i, key, size: 1 })));
  const expected = new Float64Array(33);
  let cold = 0;
  objs.forEach((o, i) => {
    const p = i === 0 ? -1 : objs.lastIndexOf(o, i - 1);
    if (p < 0) {
      cold++;
      return;
    }
    const d = new Set(objs.slice(p + 1, i)).size;
    expected[d === 0 ? 0 : 32 - Math.clz32(d)]++;
  });
  const r = reuseDistances(trace);
  assert.equal(r.coldMisses, cold);
  assert.deepEqual(
    r.buckets.map((b) => b.requests),
    Array.from(expected.subarray(0, r.buckets.length)),
  );
});

test('Zipf fit is exact on a perfect Zipf', () => {
  const fit = fitZipf(Uint32Array.from([20, 60, 0, 12, 30, 15, 10]));
  assert.ok(Math.abs(fit.alpha - 1) < 1e-12);
  assert.ok(Math.abs(fit.r2 - 1) < 1e-12);
  assert.equal(fit.ranks, 6);
});

test('top values per column, most requested first', () => {
  const s = inspectTrace(tiny);
  assert.deepEqual(s.top.site, [
    { value: 'T2_IT_Pisa', requests: 6, bytes: 100 + 300 + 100 + 200 + 400 + 100 },
    { value: 'T2_US_MIT', requests: 2, bytes: 400 },
  ]);
  assert.equal(s.top.user, undefined);
});

test('an empty trace has zero statistics', () => {
  const s = inspectTrace(traceFromRequests([]));
  assert.equal(s.requests, 0);
  assert.equal(s.uniqueObjects, 0);
  assert.equal(s.oneHitWonderRatio, 0);
  assert.deepEqual(s.reuse, { coldMisses: 0, buckets: [] });
  assert.equal(s.zipf.ranks, 0);
});
