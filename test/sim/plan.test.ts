import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DAY } from '../../src/common/time.js';
import { expandPolicies, parsePolicies, resolveSizes, simulationJobs } from '../../src/sim/plan.js';
import { classicPolicyNames } from '../../src/sim/policies/index.js';
import { traceFromRequests } from '../../src/trace/builder.js';

const trace = traceFromRequests([
  { time: 0, key: 1, size: 600 },
  { time: 1, key: 2, size: 400 },
]);

test('a plan becomes one job per policy and size; the unbounded baseline runs once', () => {
  const jobs = simulationJobs(trace, {
    policies: 'lru,infinite,s3fifo(fifo-size-ratio=0.2)',
    sizes: '0.5,100',
    window: 3600,
    watermarks: '0.9,0.8',
    bandwidth: 10,
    seed: 7,
  });
  assert.deepEqual(
    jobs.map((j) => [j.label ?? j.policy, j.options.capacity]),
    [
      ['lru', 500],
      ['lru', 100],
      ['infinite', 500],
      ['s3fifo(fifo-size-ratio=0.2)', 500],
      ['s3fifo(fifo-size-ratio=0.2)', 100],
    ],
  );
  const { options } = jobs[0];
  assert.deepEqual(options.watermarks, { high: 0.9, low: 0.8 });
  assert.equal(options.dailyBudget, 10 * DAY);
  assert.equal(options.seed, 7);
  assert.equal(options.window, 3600);
  assert.deepEqual(jobs[3].options.params, { 'fifo-size-ratio': '0.2' });
});

test('"all" is every classic policy, none of the learned ones', () => {
  assert.equal(expandPolicies('all'), classicPolicyNames().join(','));
  assert.equal(expandPolicies('lru'), 'lru');
});

test('cache sizes: fractions up to 1, whole byte counts, sizes with units; empty items and fractional bytes refused', () => {
  assert.deepEqual(resolveSizes('0.5, 100, 1KiB, 1.5KB', 1000), [500, 100, 1024, 1500]);
  assert.throws(() => resolveSizes('0.5,,0.2', 1000), /"0.5,,0.2" has an empty item/);
  assert.throws(() => resolveSizes('0.5,', 1000), /empty item/);
  assert.throws(
    () => resolveSizes('1.5', 1000),
    /cache size "1.5": a fraction .* is at most 1, a byte count is whole/,
  );
  assert.throws(() => parsePolicies('lru,,arc'), /empty item/);
});
