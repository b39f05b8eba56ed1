import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Random } from '../../src/common/random.js';
import { DAY } from '../../src/common/time.js';
import { lowerBound } from '../../src/common/typed-arrays.js';
import { readBundleSync } from '../../src/learn/bundle.js';
import { traceFeatures } from '../../src/learn/online-features.js';
import { bundleThreshold, scoreRows } from '../../src/learn/policies/mlp.js';
import { simulate } from '../../src/sim/engine.js';
import { policySpec } from '../../src/sim/policies/index.js';
import '../../src/learn/policies/index.js';
import { traceFromRequests } from '../../src/trace/builder.js';
import { type Trace, uniqueBytes } from '../../src/trace/model.js';
import { tempFile } from '../helpers.js';
import { oneHitWonders, periodicAndBursts, T0, trainOn } from './helpers.js';

/** Byte hit ratio of a policy on the requests from `fromDay` on (the replay runs from the start). */
function testDaysByteHitRatio(trace: Trace, policy: string, capacity: number, params = {}, fromDay = 4) {
  const hitLog = new Uint8Array(trace.length);
  simulate(trace, policySpec(policy), { capacity, params, hitLog });
  let hit = 0;
  let all = 0;
  for (let i = lowerBound(trace.time, T0 + fromDay * DAY); i < trace.length; i++) {
    all += trace.size[i];
    if (hitLog[i]) hit += trace.size[i];
  }
  return hit / all;
}

/** The margins the learned policies must beat LRU by, which the broken models below must miss. */
const ADMIT_MARGIN = 0.02;
const EVICT_MARGIN = 0.05;

/** The model's own scores of every request, shuffled across requests: the same values, no information. */
function shuffledScores(trace: Trace, dir: string): string {
  const bundle = readBundleSync(dir);
  const scores = Float32Array.from(scoreRows(bundle, traceFeatures(trace)));
  const rng = new Random(7);
  for (let i = scores.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [scores[i], scores[j]] = [scores[j], scores[i]];
  }
  return tempFile('shuffled.f32', new Uint8Array(scores.buffer));
}

test('learned-admit beats LRU when large one-hit wonders flush the working set; shuffled scores do not', async () => {
  const trace = oneHitWonders(6, 1500);
  const capacity = Math.floor(0.01 * uniqueBytes(trace));
  const bundle = await trainOn(trace, 'learned-admit', '0..3', capacity);
  assert.equal(bundle.params.kind, 'learned-admit');
  assert.ok(bundle.params.threshold !== undefined);
  const lru = testDaysByteHitRatio(trace, 'lru', capacity);
  const learned = testDaysByteHitRatio(trace, 'learned-admit', capacity, { bundle: bundle.dir });
  assert.ok(learned > lru + ADMIT_MARGIN, `learned-admit ${learned.toFixed(4)} vs lru ${lru.toFixed(4)}`);
  // the same admission rate at random, under the policy the bundle was tuned under: under the margin
  const { threshold, under = 'lru' } = bundleThreshold(bundle.params, capacity);
  const scores = shuffledScores(trace, bundle.dir);
  const broken = testDaysByteHitRatio(trace, 'learned-admit', capacity, {
    scores,
    threshold: String(threshold),
    under,
  });
  assert.ok(broken < lru + ADMIT_MARGIN, `shuffled scores ${broken.toFixed(4)} vs lru ${lru.toFixed(4)}`);
});

test('learned-evict beats LRU when recently used files are the ones never read again; shuffled scores do not', async () => {
  const trace = periodicAndBursts(6);
  // room for the periodic files and a few bursts
  const capacity = 120e6;
  const bundle = await trainOn(trace, 'learned-evict', '0..3', capacity);
  assert.equal(bundle.params.kind, 'learned-evict');
  const lru = testDaysByteHitRatio(trace, 'lru', capacity);
  const learned = testDaysByteHitRatio(trace, 'learned-evict', capacity, { bundle: bundle.dir });
  assert.ok(learned > lru + EVICT_MARGIN, `learned-evict ${learned.toFixed(4)} vs lru ${lru.toFixed(4)}`);
  const broken = testDaysByteHitRatio(trace, 'learned-evict', capacity, {
    scores: shuffledScores(trace, bundle.dir),
  });
  assert.ok(broken < lru + EVICT_MARGIN, `shuffled scores ${broken.toFixed(4)} vs lru ${lru.toFixed(4)}`);
});

test('the policy under learned-admit keeps its own parameters', () => {
  const rng = new Random(3);
  const trace = traceFromRequests(
    Array.from({ length: 5000 }, (_, i) => ({ time: i, key: rng.int(500), size: 1 + rng.int(1000) })),
  );
  const capacity = Math.floor(0.2 * uniqueBytes(trace));
  // every score 1 with threshold 0: learned-admit admits every miss, so it is its policy underneath
  const scores = tempFile('ones.f32', new Uint8Array(new Float32Array(trace.length).fill(1).buffer));
  const run = (policy: string, params: Record<string, string>) =>
    simulate(trace, policySpec(policy), { capacity, params }).byteHitRatio;
  const tuned = run('s3fifo', { 'fifo-size-ratio': '0.5' });
  assert.notEqual(tuned, run('s3fifo', {}), 'the parameter changes s3fifo on this trace');
  const under = 's3fifo(fifo-size-ratio=0.5)';
  assert.equal(run('learned-admit', { scores, threshold: '0', under }), tuned);
  assert.throws(
    () => run('learned-admit', { scores, under: 's3fifo(fifo-size-ration=0.5)' }),
    /fifo-size-ration is unknown/,
  );
  assert.throws(() => run('learned-admit', { scores, under: 'learned-evict' }), /not a classic policy/);
});
