import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DAY } from '../../src/common/time.js';
import { evaluateHeldOut } from '../../src/learn/evaluate.js';
import { traceFromRequests } from '../../src/trace/builder.js';
import { smartcache } from '../helpers.js';
import { T0 } from './helpers.js';

// day 0 (history): A 100 B, B 100 B; day 1 (test): C 50 B, A.
// unique bytes: whole trace 250, test day 150 (A and C).
const trace = traceFromRequests(
  [
    { time: T0, key: 'A', size: 100 },
    { time: T0 + 1, key: 'B', size: 100 },
    { time: T0 + DAY, key: 'C', size: 50 },
    { time: T0 + DAY + 1, key: 'A', size: 100 },
  ],
  true,
);

test("evaluate: a fractional size is that fraction of the whole trace's unique bytes", async () => {
  const evaluation = await evaluateHeldOut({
    trace,
    testDays: '1',
    period: DAY,
    sizes: '0.4',
    bundles: [],
    policies: 'lru',
    unders: [],
    candidates: '64',
    seed: 1,
    workers: 1,
  });
  const lru = evaluation.results.find((r) => r.policy === 'lru');
  assert.ok(lru);
  assert.equal(lru.cacheSize, 100, '0.4 of 250 B, not 0.4 of the test day’s 150 B');
  assert.equal(lru.requests, 2, 'only the test day is counted');
  assert.equal(lru.hits, 0, 'A was evicted by B on day 0, which a cache of 100 B holds alone');
});

test('evaluate --help states the base of fractional sizes as the code resolves them', async () => {
  const { stdout } = await smartcache('evaluate', '--help');
  // commander wraps option texts: compare with runs of white space as one space
  const help = stdout.replace(/\s+/g, ' ');
  assert.match(help, /--sizes <list> cache sizes: fractions of the whole trace's unique bytes or sizes/);
  assert.doesNotMatch(help, /test days' unique bytes/);
});
