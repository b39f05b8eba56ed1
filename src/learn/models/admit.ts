/**
 * `learned-admit`: a binary classifier over the prep features predicting whether a missed
 * file is worth caching. Label `opt_admit` (Belady keeps the object until its next request;
 * no next request counts as 0) or `reused` (requested again within the prep horizon).
 *
 * Thresholds are tuned on the validation split (the last training days), one per cache size
 * in `tuneSizes`: the training days are replayed first with everything admitted, so the
 * cache is warm as in a running deployment, then the validation days with the thresholds that
 * admit 2 %, 5 %, 10 %, ... 100 % of the validation requests, through learned-admit over
 * each policy of `tuneUnders` (LRU by default). Only validation requests count. Among the
 * (policy, threshold) pairs whose byte hit ratio is within half a point of the best, the one
 * writing the fewest bytes is kept: a stricter filter that keeps the hit ratio writes far
 * less, and its validation ratio is a noisy estimate of the test days' anyway.
 */
import { VERSION } from '../../common/version.js';
import { FEATURE_NAMES } from '../../prep/schema.js';
import { simulate } from '../../sim/engine.js';
import { policySpec } from '../../sim/policies/index.js';
import { lru } from '../../sim/policies/lru.js';
import type { PolicySpec } from '../../sim/policy.js';
import type { Trace } from '../../trace/model.js';
import { dataTrace, type LabelledData } from '../dataset.js';
import { LearnedAdmit } from '../policies/mlp.js';
import { PrecomputedScores } from '../policies/scores.js';
import { keptEpoch, modelFiles, predict } from '../tf.js';
import {
  epochMetrics,
  fitModel,
  prepareMatrices,
  roundMetric,
  type Trained,
  type TrainRequest,
  trainingRecord,
} from '../train.js';

export const ADMIT_LABELS = ['opt_admit', 'reused'] as const;
/** byte-hit-ratio points a threshold may lose on validation in exchange for fewer writes */
const BYTE_HIT_TOLERANCE = 0.005;
const ADMIT_FRACTIONS = [0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 1];

export function admitTarget(data: LabelledData, label: string): (row: number) => number {
  if (label === 'opt_admit') return (r) => (data.optAdmit[r] === 1 ? 1 : 0);
  if (label === 'reused') return (r) => (data.reused[r] === 1 ? 1 : 0);
  throw new RangeError(`admission label must be one of ${ADMIT_LABELS.join(', ')}, got ${label}`);
}

export interface ThresholdChoice {
  threshold: number;
  /** registry name of the eviction policy under the filter */
  under: string;
  byteHitRatio: number;
  bytesWritten: number;
  /** the eviction policy alone on the same requests and size */
  underByteHitRatio: number;
}

/** Bytes requested and bytes hit from request `from` on, read off a hit log. */
function bytesFrom(trace: Trace, hitLog: Uint8Array, from: number): { requested: number; hit: number } {
  let requested = 0;
  let hit = 0;
  for (let i = from; i < trace.length; i++) {
    requested += trace.size[i];
    if (hitLog[i] === 1) hit += trace.size[i];
  }
  return { requested, hit };
}

/**
 * Replays the training days (all admitted, to warm the cache) and the validation days with
 * candidate thresholds at one cache size; returns the best threshold.
 */
export function tuneThreshold(
  data: LabelledData,
  from: number,
  scores: Float32Array,
  capacity: number,
  under: PolicySpec = lru,
): ThresholdChoice {
  const trace = dataTrace(data);
  const sorted = Float32Array.from(scores).sort();
  const warmScores = new Float32Array(trace.length).fill(1);
  warmScores.set(scores, from);
  const run = (spec: PolicySpec) => {
    const hitLog = new Uint8Array(trace.length);
    const r = simulate(trace, spec, { capacity, hitLog });
    const bytes = bytesFrom(trace, hitLog, from);
    const byteHitRatio = bytes.requested === 0 ? 0 : bytes.hit / bytes.requested;
    // the warm-up admits everything in every run, so written bytes differ only in validation
    return { byteHitRatio, bytesWritten: r.bytesWritten };
  };
  const baseline = run(under);
  const candidates: ThresholdChoice[] = [];
  const tried = new Set<number>();
  for (const fraction of ADMIT_FRACTIONS) {
    const threshold =
      fraction >= 1 || sorted.length === 0 ? 0 : sorted[Math.floor((1 - fraction) * (sorted.length - 1))];
    if (tried.has(threshold)) continue;
    tried.add(threshold);
    const spec: PolicySpec = {
      name: 'learned-admit',
      description: 'threshold tuning',
      create: (ctx) => new LearnedAdmit(under.create(ctx), new PrecomputedScores(warmScores), threshold),
    };
    candidates.push({ threshold, under: under.name, ...run(spec), underByteHitRatio: baseline.byteHitRatio });
  }
  return pickChoice(candidates);
}

/** Among the choices within BYTE_HIT_TOLERANCE of the best byte hit ratio, the one writing least. */
function pickChoice(candidates: readonly ThresholdChoice[]): ThresholdChoice {
  const bestRatio = Math.max(...candidates.map((c) => c.byteHitRatio));
  const good = candidates.filter((c) => c.byteHitRatio >= bestRatio - BYTE_HIT_TOLERANCE);
  return good.reduce((a, b) => (b.bytesWritten < a.bytesWritten ? b : a));
}

export async function trainAdmit(request: TrainRequest): Promise<Trained> {
  const { data, validationFrom, settings } = request;
  const label = settings.label ?? 'opt_admit';
  const matrices = prepareMatrices(data, validationFrom, admitTarget(data, label));
  const { model, reports } = await fitModel(request, 'binary', matrices);
  const val = matrices.validation;
  const scores = predict(model, val.x, val.rows, val.width);
  const unders = (settings.tuneUnders ?? ['lru']).map((name) => policySpec(name));
  const sizes = settings.tuneSizes ?? [settings.tuneSize];
  const untuned: ThresholdChoice = {
    threshold: 0.5,
    under: unders[0].name,
    byteHitRatio: Number.NaN,
    bytesWritten: Number.NaN,
    underByteHitRatio: Number.NaN,
  };
  // per size, the best (base policy, threshold) pair over every base policy tried
  const choices = sizes.map((capacity) => ({
    capacity,
    choice:
      val.rows > 0
        ? pickChoice(unders.map((under) => tuneThreshold(data, validationFrom, scores, capacity, under)))
        : untuned,
  }));
  // the single `threshold` (for consumers that know no cache size) is the middle size's
  const choice = choices[Math.floor(choices.length / 2)].choice;
  const last = keptEpoch(reports);
  const files = await modelFiles(model);
  model.dispose();
  return {
    params: {
      name: request.name,
      version: 1,
      kind: 'learned-admit',
      format: 'tfjs-layers',
      model: 'model.json',
      labels: 'labels.txt',
      features: [...FEATURE_NAMES],
      normalization: matrices.norm,
      outputs: ['score'],
      threshold: choice.threshold,
      thresholds: choices.map((c) => ({
        cacheSize: c.capacity,
        threshold: c.choice.threshold,
        under: c.choice.under,
      })),
      training: { ...trainingRecord(request, matrices), label },
      metrics: {
        ...epochMetrics(last, 'auc'),
        valByteHitRatio: roundMetric(choice.byteHitRatio),
        valUnderByteHitRatio: roundMetric(choice.underByteHitRatio),
      },
      createdAt: new Date().toISOString(),
      smartcache: VERSION,
    },
    labels: ['evict', 'admit'],
    files,
    reports,
    thresholdAt: (capacity) =>
      val.rows > 0
        ? tuneThreshold(data, validationFrom, scores, capacity, unders[0]).threshold
        : choice.threshold,
  };
}
