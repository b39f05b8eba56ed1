import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DAY } from '../../src/common/time.js';
import { lowerBound } from '../../src/learn/dataset.js';
import { simulate } from '../../src/sim/engine.js';
import { policySpec } from '../../src/sim/policies/index.js';
import '../../src/learn/policies/index.js';
import { type Trace, uniqueBytes } from '../../src/trace/model.js';
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

test('learned-admit beats LRU when large one-hit wonders flush the working set', async () => {
  const trace = oneHitWonders(6, 1500);
  const capacity = Math.floor(0.01 * uniqueBytes(trace));
  const bundle = await trainOn(trace, 'learned-admit', '0..3', capacity);
  assert.equal(bundle.params.kind, 'learned-admit');
  assert.ok(bundle.params.threshold !== undefined);
  const lru = testDaysByteHitRatio(trace, 'lru', capacity);
  const learned = testDaysByteHitRatio(trace, 'learned-admit', capacity, { bundle: bundle.dir });
  assert.ok(learned > lru + 0.02, `learned-admit ${learned.toFixed(4)} vs lru ${lru.toFixed(4)}`);
});

test('learned-evict beats LRU when recently used files are the ones never read again', async () => {
  const trace = periodicAndBursts(6);
  // room for the periodic files and a few bursts
  const capacity = 120e6;
  const bundle = await trainOn(trace, 'learned-evict', '0..3', capacity);
  assert.equal(bundle.params.kind, 'learned-evict');
  const lru = testDaysByteHitRatio(trace, 'lru', capacity);
  const learned = testDaysByteHitRatio(trace, 'learned-evict', capacity, { bundle: bundle.dir });
  assert.ok(learned > lru + 0.05, `learned-evict ${learned.toFixed(4)} vs lru ${lru.toFixed(4)}`);
});
