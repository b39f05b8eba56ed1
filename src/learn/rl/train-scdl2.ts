/**
 * Trains SCDL2: replays the training trace through the simulator with learning on, for
 * `epochs` passes that continue the same tables and exploration schedules, then returns
 * (and optionally writes) a `q-table` bundle.
 */

import { Random } from '../../common/random.js';
import { isoTime } from '../../common/units.js';
import { VERSION } from '../../common/version.js';
import { simulate } from '../../sim/engine.js';
import { type PolicySpec, traceOf } from '../../sim/policy.js';
import type { Trace } from '../../trace/model.js';
import { type BundleHead, type BundleParams, writeBundle } from '../bundle.js';
import { ADDITION_ACTIONS, EVICTION_ACTIONS } from './actions.js';
import { DEFAULT_EPSILON_DECAY, DEFAULT_K, DEFAULT_WINDOW } from './agent-params.js';
import { CacheAgent } from './cache-agent.js';
import { EpsilonSchedule } from './epsilon.js';
import type { QLearner, StateEncoder } from './learner.js';
import { QTable } from './q-table.js';
import { RequestStats } from './request-stats.js';
import { ADDITION_SPACE, EVICTION_SPACE, TableEncoder } from './table-encoder.js';
import { SCDL2_HEADS, scdl2Files } from './table-file.js';

export interface TrainOptions {
  /** cache capacity in bytes during training */
  capacity: number;
  seed?: number;
  /** passes over the training trace (default 1) */
  epochs?: number;
  k?: number;
  epsilonDecay?: number;
  window?: number;
  /** bundle name (default `scdl2` / `rl`) */
  name?: string;
  /** when given, the bundle is written here */
  out?: string;
}

export interface TrainedBundle {
  params: BundleParams;
  labels: string[];
  files: Record<string, string | Uint8Array>;
  /** byte hit ratio of each training pass */
  passes: number[];
}

export interface AgentModels {
  addition: QLearner;
  eviction: QLearner;
  encoder(trace: Trace, stats: RequestStats): StateEncoder;
}

/** Replays `trace` `epochs` times with learning on, continuing the same models and epsilons. */
export function replayLearning(trace: Trace, models: AgentModels, o: TrainOptions): number[] {
  const decay = o.epsilonDecay ?? DEFAULT_EPSILON_DECAY;
  const epsilon = { addition: new EpsilonSchedule(decay), eviction: new EpsilonSchedule(decay) };
  const spec: PolicySpec = {
    name: 'training',
    description: 'RL agents learning',
    create: (ctx) => {
      const trace = traceOf(ctx, 'training');
      const stats = new RequestStats(trace.objectCount);
      return new CacheAgent(ctx, {
        addition: models.addition,
        eviction: models.eviction,
        encoder: models.encoder(trace, stats),
        stats,
        learn: true,
        k: o.k ?? DEFAULT_K,
        schedule: 'k',
        epsilonDecay: decay,
        window: o.window ?? DEFAULT_WINDOW,
        epsilon,
      });
    },
  };
  const passes: number[] = [];
  for (let e = 0; e < (o.epochs ?? 1); e++) {
    passes.push(simulate(trace, spec, { capacity: o.capacity, seed: (o.seed ?? 1) + e }).byteHitRatio);
  }
  return passes;
}

/** params.json of an agent bundle: its features are every head's inputs, its outputs every head's. */
export function bundleParams(
  kind: 'scdl2' | 'rl',
  format: BundleParams['format'],
  heads: BundleHead[],
  trace: Trace,
  o: TrainOptions,
  passes: number[],
): BundleParams {
  const features = [...new Set(heads.flatMap((h) => h.inputs))];
  return {
    name: o.name ?? kind,
    version: 1,
    kind,
    format,
    model: heads[0].model,
    labels: 'labels.txt',
    features,
    // the heads read the agents' states as they are
    normalization: { mean: features.map(() => 0), std: features.map(() => 1) },
    outputs: heads.flatMap((h) => h.outputs),
    heads,
    training: {
      featureSet: 'online',
      trainDays: [isoTime(trace.time[0] ?? 0), isoTime(trace.time[trace.length - 1] ?? 0)],
      seed: o.seed ?? 1,
      epochs: o.epochs ?? 1,
      rows: trace.length,
    },
    metrics: { trainByteHitRatio: passes[passes.length - 1] ?? 0, capacity: o.capacity },
    createdAt: new Date().toISOString(),
    smartcache: VERSION,
  };
}

export async function trainScdl2(trace: Trace, o: TrainOptions): Promise<TrainedBundle> {
  const rng = new Random((o.seed ?? 1) ^ 0x5cd12);
  const addition = new QTable(ADDITION_SPACE.size, ADDITION_ACTIONS.length, rng);
  const eviction = new QTable(EVICTION_SPACE.size, EVICTION_ACTIONS.length, rng);
  const passes = replayLearning(
    trace,
    { addition, eviction, encoder: (t, stats) => new TableEncoder(t, stats) },
    o,
  );
  const bundle: TrainedBundle = {
    params: bundleParams('scdl2', 'q-table', SCDL2_HEADS, trace, o, passes),
    labels: [...ADDITION_ACTIONS, ...EVICTION_ACTIONS],
    files: scdl2Files(addition, eviction),
    passes,
  };
  if (o.out) await writeBundle(o.out, bundle.params, bundle.labels, bundle.files, { overwrite: true });
  return bundle;
}
