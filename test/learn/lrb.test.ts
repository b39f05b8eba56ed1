import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Random } from '../../src/common/random.js';
import { DAY } from '../../src/common/time.js';
import { evaluateHeldOut } from '../../src/learn/evaluate.js';
import { trainGbdt } from '../../src/learn/models/gbdt.js';
import { Lrb, type LrbSettings, type RegressorTrainer } from '../../src/learn/policies/lrb.js';
import '../../src/learn/policies/index.js';
import { simulate } from '../../src/sim/engine.js';
import { OnlineCache } from '../../src/sim/online.js';
import { policySpec } from '../../src/sim/policies/index.js';
import type { PolicySpec } from '../../src/sim/policy.js';
import { traceFromRequests } from '../../src/trace/builder.js';
import { generateWorkload } from '../../src/trace/generate.js';
import { type Trace, uniqueBytes } from '../../src/trace/model.js';

const trace = generateWorkload({ requests: 40_000, seed: 11, days: 10 });
const capacity = Math.floor(0.05 * uniqueBytes(trace));
/** LRB's defaults but retraining every 2048 labelled samples, so that a small trace sees several models */
const SETTINGS: LrbSettings = {
  candidates: 64,
  window: 0,
  windowFactor: 1,
  gaps: 32,
  retrainEvery: 2048,
  trees: 32,
  probation: 0,
  ghost: 0.9,
  probationPhase: 'always',
};
/**
 * Byte hit ratio lrb must gain over LRU here: 5 points. Measured: LRU 37.8 %, lrb 45.0 %
 * (S3-FIFO 46.8 %); with constant predictions 35.8 %, trained on shuffled labels 37.2 %.
 */
const MARGIN = 0.05;

function byteHitRatio(spec: PolicySpec): number {
  return simulate(trace, spec, { capacity, seed: 1 }).byteHitRatio;
}

function withTrainer(train: RegressorTrainer, made: Lrb[] = []): PolicySpec {
  return {
    name: 'lrb',
    description: 'lrb with a given trainer',
    learned: true,
    create: (ctx) => {
      const policy = new Lrb(ctx, SETTINGS, train);
      made.push(policy);
      return policy;
    },
  };
}

const gbdt: RegressorTrainer = (x, rows, cols, y) => trainGbdt(x, rows, cols, y, { seed: 1 });

test(`lrb beats LRU by ${Math.round(MARGIN * 100)} points of byte hit ratio on a generated data-lake trace`, () => {
  const made: Lrb[] = [];
  const lru = byteHitRatio(policySpec('lru'));
  const lrb = byteHitRatio(withTrainer(gbdt, made));
  assert.ok(made[0].trainings >= 3, `${made[0].trainings} models trained`);
  assert.ok(lrb >= lru + MARGIN, `lrb ${lrb} vs lru ${lru}`);
});

test('lrb with a broken model does not make the margin: constant predictions, shuffled labels', () => {
  const lru = byteHitRatio(policySpec('lru'));
  const constant = byteHitRatio(withTrainer(() => ({ predictRow: () => 0 })));
  assert.ok(constant < lru + MARGIN, `constant ${constant} vs lru ${lru}`);
  const shuffled: RegressorTrainer = (x, rows, cols, y) => {
    const rng = new Random(5);
    const z = Float32Array.from(y.subarray(0, rows));
    for (let i = rows - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [z[i], z[j]] = [z[j], z[i]];
    }
    return gbdt(x, rows, cols, z);
  };
  const noise = byteHitRatio(withTrainer(shuffled));
  assert.ok(noise < lru + MARGIN, `shuffled labels ${noise} vs lru ${lru}`);
});

test('lrb in a cache node (OnlineCache, no trace) decides as in the simulator', () => {
  const small: Trace = generateWorkload({ requests: 8000, seed: 12, days: 3 });
  const size = Math.floor(0.05 * uniqueBytes(small));
  const params = { 'retrain-every': '512' };
  const expected = new Uint8Array(small.length);
  simulate(small, policySpec('lrb'), { capacity: size, params, hitLog: expected });
  const cache = new OnlineCache(policySpec('lrb'), {
    capacity: size,
    maxObjects: small.objectCount,
    params,
    carries: { users: true, datasets: true },
  });
  let differ = -1;
  for (let i = 0; i < small.length && differ < 0; i++) {
    const labels = {
      user: small.user?.values[small.user.codes[i]],
      dataset: small.dataset?.values[small.dataset.codes[i]],
    };
    const d = cache.request(String(small.keys.key(small.obj[i])), small.size[i], small.time[i], labels);
    if ((d.outcome === 'hit' ? 1 : 0) !== expected[i]) differ = i;
  }
  assert.equal(differ, -1);
  assert.ok(expected.some((h) => h === 1));
});

test('evaluate --online runs lrb on the held-out days as a learned policy and refuses a classic one', async () => {
  const plan = {
    trace: generateWorkload({ requests: 6000, seed: 13, days: 4 }),
    testDays: '3',
    period: DAY,
    sizes: '0.05',
    bundles: [],
    policies: 'lru',
    unders: [],
    candidates: '64',
    seed: 1,
    workers: 1,
  };
  const evaluation = await evaluateHeldOut({ ...plan, online: 'lrb(retrain-every=512)' });
  const row = evaluation.gap.find((g) => g.policy === 'lrb(retrain-every=512)');
  assert.ok(row, JSON.stringify(evaluation.gap.map((g) => g.policy)));
  await assert.rejects(evaluateHeldOut({ ...plan, online: 'lru' }), /--online lru: not a learned policy/);
});

/**
 * 40 hot objects read `lead` times over, a scan of 1000 new ones read once, the hot objects
 * again; the cache holds 100 objects. Returns the hits of that last pass and the models made.
 */
function hotAfterScan(settings: Partial<LrbSettings>, lead = 3): { hits: number; models: number } {
  const hot = 40;
  const keys: number[] = [];
  for (let pass = 0; pass < lead; pass++) for (let k = 0; k < hot; k++) keys.push(k);
  for (let k = 0; k < 1000; k++) keys.push(1000 + k);
  for (let k = 0; k < hot; k++) keys.push(k);
  const scan = traceFromRequests(keys.map((key, i) => ({ time: i, key, size: 100 })));
  const made: Lrb[] = [];
  const constant: RegressorTrainer = () => ({ predictRow: () => 0 });
  const spec: PolicySpec = {
    name: 'lrb',
    description: 'lrb with given settings and constant predictions',
    learned: true,
    create: (ctx) => {
      const policy = new Lrb(ctx, { ...SETTINGS, ...settings }, constant);
      made.push(policy);
      return policy;
    },
  };
  const log = new Uint8Array(scan.length);
  simulate(scan, spec, { capacity: 100 * 100, hitLog: log });
  return { hits: log.subarray(scan.length - hot).reduce((sum, h) => sum + h, 0), models: made[0].trainings };
}

test('probation keeps a one-pass scan out of main, before and after the first model', () => {
  assert.deepEqual(
    hotAfterScan({ probation: 0 }),
    { hits: 0, models: 0 },
    'without probation the scan flushes them',
  );
  assert.deepEqual(
    hotAfterScan({ probation: 0.1 }),
    { hits: 40, models: 0 },
    'with probation they all survive it',
  );
  const early = { window: 50, retrainEvery: 256 };
  const withModels = hotAfterScan({ probation: 0.1, ...early }, 12);
  assert.ok(withModels.models > 0, `${withModels.models} models`);
  assert.equal(withModels.hits, 40, 'also once models are made');
  const warmup = hotAfterScan({ probation: 0.1, probationPhase: 'warmup', ...early }, 12);
  assert.ok(warmup.models > 0, `${warmup.models} models`);
  assert.equal(warmup.hits, 0, 'in warmup, probation ends with the first model');
  assert.deepEqual(
    hotAfterScan({ probation: 0.1, probationPhase: 'warmup' }),
    { hits: 40, models: 0 },
    'and holds before it',
  );
});
