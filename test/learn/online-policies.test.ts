import assert from 'node:assert/strict';
import { test } from 'node:test';
import '../../src/learn/policies/index.js';
import { simulate } from '../../src/sim/engine.js';
import { OnlineCache } from '../../src/sim/online.js';
import { policySpec } from '../../src/sim/policies/index.js';
import { generateWorkload } from '../../src/trace/generate.js';
import { type Trace, uniqueBytes } from '../../src/trace/model.js';
import { hotFileTrace, oneHitWonders, periodicAndBursts, trainOn } from './helpers.js';

/** Hits of a replay through an OnlineCache, with the trace's users and datasets as labels. */
function onlineHits(trace: Trace, policy: string, capacity: number, params: Record<string, string>) {
  const cache = new OnlineCache(policySpec(policy), {
    capacity,
    maxObjects: trace.objectCount,
    params,
    carries: { users: trace.user !== undefined, datasets: trace.dataset !== undefined },
  });
  const hits = new Uint8Array(trace.length);
  for (let i = 0; i < trace.length; i++) {
    const labels = {
      user: trace.user?.values[trace.user.codes[i]],
      dataset: trace.dataset?.values[trace.dataset.codes[i]],
    };
    const d = cache.request(String(trace.keys.key(trace.obj[i])), trace.size[i], trace.time[i], labels);
    if (d.outcome === 'hit') hits[i] = 1;
  }
  return hits;
}

function simulatedHits(trace: Trace, policy: string, capacity: number, params: Record<string, string>) {
  const hitLog = new Uint8Array(trace.length);
  simulate(trace, policySpec(policy), { capacity, params, hitLog });
  return hitLog;
}

const cases: [string, string, () => Trace, (t: Trace) => number][] = [
  ['learned-admit', 'one-hit wonders', () => oneHitWonders(4, 800), (t) => Math.floor(0.01 * uniqueBytes(t))],
  ['learned-evict', 'periodic files and bursts', () => periodicAndBursts(3), () => 120e6],
  ['learned-admit', 'a hot file with users and datasets', hotFileTrace, () => 5000],
];

const agentCases: [string, Record<string, string>][] = [
  ['scdl2', {}],
  ['scdl2', { schedule: 'day' }],
  ['rl', { schedule: 'day' }],
];

for (const [policy, shape, make, size] of cases) {
  test(`${policy} scoring each request as it arrives decides as the replay's batch scores do (${shape})`, async () => {
    const trace = make();
    const capacity = size(trace);
    const bundle = await trainOn(trace, policy, '0..1', capacity, { epochs: 2 });
    const params = { bundle: bundle.dir };
    const expected = simulatedHits(trace, policy, capacity, params);
    const online = onlineHits(trace, policy, capacity, params);
    assert.equal(
      online.findIndex((h, i) => h !== expected[i]),
      -1,
    );
    assert.ok(expected.includes(1) && expected.includes(0), 'the replay both hits and misses');
  });
}

for (const [policy, extra] of agentCases) {
  test(`${policy} ${JSON.stringify(extra)} in a cache node decides as in the replay, its daily eviction included`, async () => {
    const trace = generateWorkload({ requests: 4000, seed: 11, days: 4 });
    const capacity = Math.floor(0.05 * uniqueBytes(trace));
    const bundle = await trainOn(trace, policy, '0..1', capacity, { epochs: 1 });
    const params = { bundle: bundle.dir, ...extra };
    const expected = simulatedHits(trace, policy, capacity, params);
    const online = onlineHits(trace, policy, capacity, params);
    assert.equal(
      online.findIndex((h, i) => h !== expected[i]),
      -1,
    );
    assert.ok(expected.includes(1) && expected.includes(0), 'the replay both hits and misses');
  });
}

test('a cache node that asks a model service passes its answers in: 1 admits, 0 bypasses; log gaps order evictions', () => {
  const admit = new OnlineCache(policySpec('learned-admit'), {
    capacity: 100,
    maxObjects: 8,
    carries: { users: false, datasets: false, scores: true },
  });
  assert.equal(admit.request('a', 10, 0, { score: 1 }).outcome, 'admit');
  assert.equal(admit.request('b', 10, 1, { score: 0 }).outcome, 'bypass');
  assert.equal(admit.request('a', 10, 2, { score: 0 }).outcome, 'hit');

  const evict = new OnlineCache(policySpec('learned-evict'), {
    capacity: 20,
    maxObjects: 8,
    carries: { users: false, datasets: false, scores: true },
  });
  // 'soon' is predicted back in e^1 - 1 s, 'late' in e^9 - 1 s: 'late' goes first
  evict.request('late', 10, 0, { score: 9 });
  evict.request('soon', 10, 1, { score: 1 });
  assert.deepEqual(evict.request('new', 10, 2, { score: 5 }).evicted, ['late']);
});
