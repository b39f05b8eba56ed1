import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readBundleSync } from '../../../src/learn/bundle.js';
import { featureSource } from '../../../src/learn/rl/feature-source.js';
import { squashedName } from '../../../src/learn/rl/state-inputs.js';
import { trainRl } from '../../../src/learn/rl/train-rl.js';
import { FEATURE_NAMES } from '../../../src/prep/schema.js';
import { simulate } from '../../../src/sim/engine.js';
import { policySpec } from '../../../src/sim/policies/index.js';
import '../../../src/learn/policies/index.js';
import { traceFromRequests } from '../../../src/trace/builder.js';
import { generateWorkload } from '../../../src/trace/generate.js';
import { uniqueBytes } from '../../../src/trace/model.js';
import { tempPath } from '../../helpers.js';

test('the DQN sees the online prep features of each request', () => {
  const trace = traceFromRequests([
    { time: 10, key: 1, size: 99 },
    { time: 25, key: 1, size: 99 },
  ]);
  const source = featureSource({
    trace,
    request: { time: 0, size: 0, user: 0, dataset: 0, score: Number.NaN },
    carries: { users: false, datasets: false },
  });
  assert.deepEqual(source.names, FEATURE_NAMES);
  const out = new Float32Array(source.names.length);
  const at = (name: string) => out[FEATURE_NAMES.indexOf(name)];
  source.features(trace.obj[0], 0, out, 0);
  assert.ok(Math.abs(at('log_size') - Math.log(100)) < 1e-6);
  assert.equal(at('count_ever'), 0);
  assert.ok(Number.isNaN(at('since_last')));
  source.features(trace.obj[1], 1, out, 0);
  assert.equal(at('count_ever'), 1);
  assert.equal(at('since_last'), 15);
});

test('rl trains to a tfjs-layers bundle that reloads greedily, reproducibly, and beats lru, fifo and random', async () => {
  const trace = generateWorkload({ requests: 15_000, seed: 5, days: 5 });
  const capacity = uniqueBytes(trace) * 0.05;
  const out = tempPath('rl-bundle');
  const trained = await trainRl(trace, { capacity, seed: 2, out });
  const { params } = readBundleSync(out, { kind: 'rl', format: 'tfjs-layers' });
  assert.deepEqual(params.heads?.[0].inputs, [
    ...FEATURE_NAMES.map(squashedName),
    'occupancy_fraction',
    'hit_rate_fraction',
  ]);
  assert.ok((params.metrics?.trainSteps ?? 0) > 0, 'the networks trained');
  assert.equal(trained.passes.length, 1);
  const run = () => {
    const hitLog = new Uint8Array(trace.length);
    const r = simulate(trace, policySpec('rl'), { capacity, hitLog, params: { bundle: out } });
    return { r, hitLog };
  };
  const a = run();
  assert.deepEqual(run().hitLog, a.hitLog, 'same bundle and seed, same decisions');
  // Measured on this trace and size (byte hit ratio): nocache 0, lru 0.0403, fifo 0.0420,
  // random 0.0493 / 0.0505 / 0.0526 (seeds 1-3), sieve 0.0607, belady 0.2426; the agent with
  // untrained networks 0.0004. Trained rl: 0.0601 for every training seed tried (1-5, 7) and
  // every replay seed (1-3), because its greedy eviction agent never deletes here: it fills
  // the cache once and keeps it, with the very hits of a cache that admits until full and never
  // evicts (0.0601), which on this scan-heavy trace beats recency. The bars (1.3 x the better
  // of lru and fifo = 0.0546, 1.1 x random = 0.0542) leave 10 % headroom and fail an agent whose
  // networks do not learn to store, or that stores everything and evicts blindly; they do not
  // test the eviction agent's learning.
  const bhr = (policy: string) => simulate(trace, policySpec(policy), { capacity }).byteHitRatio;
  const agent = a.r.byteHitRatio;
  const recency = Math.max(bhr('lru'), bhr('fifo'));
  assert.ok(agent > 1.3 * recency, `rl ${agent} vs the better of lru and fifo ${recency}`);
  assert.ok(agent > 1.1 * bhr('random'), `rl ${agent} vs random ${bhr('random')}`);
});
