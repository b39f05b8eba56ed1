/**
 * `learned-admit`: a binary classifier over the prep features predicting whether a missed
 * file is worth caching. Label `opt_admit` (Belady keeps the object until its next request;
 * no next request counts as 0) or `reused` (requested again within the prep horizon).
 *
 * The threshold is tuned on the validation split (the last training days): the validation
 * requests are replayed through learned-admit over LRU at `tuneSize` bytes with the
 * thresholds that admit 2 %, 5 %, 10 %, ... 100 % of the validation requests, and the one
 * with the best byte hit ratio is kept (fewer bytes written breaks near-ties within 0.001).
 */
import { FEATURE_NAMES } from '../../prep/schema.js';
import { simulate } from '../../sim/engine.js';
import { lru } from '../../sim/policies/lru.js';
import type { PolicySpec } from '../../sim/policy.js';
import { SMARTCACHE_VERSION } from '../bundle.js';
import { dataTrace, type LabelledData } from '../dataset.js';
import { LearnedAdmit } from '../policies.js';
import { keptEpoch, modelFiles, predict } from '../tf.js';
import { fitModel, prepareMatrices, roundMetric, type Trained, type TrainRequest } from '../train.js';

export const ADMIT_LABELS = ['opt_admit', 'reused'] as const;
const ADMIT_FRACTIONS = [0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];

export function admitTarget(data: LabelledData, label: string): (row: number) => number {
  if (label === 'opt_admit') return (r) => (data.optAdmit[r] === 1 ? 1 : 0);
  if (label === 'reused') return (r) => (data.reused[r] === 1 ? 1 : 0);
  throw new RangeError(`admission label must be one of ${ADMIT_LABELS.join(', ')}, got ${label}`);
}

export interface ThresholdChoice {
  threshold: number;
  byteHitRatio: number;
  bytesWritten: number;
  /** LRU alone on the same requests and size */
  lruByteHitRatio: number;
}

/** Replays the validation requests with candidate thresholds; returns the best. */
export function tuneThreshold(
  data: LabelledData,
  from: number,
  scores: Float32Array,
  capacity: number,
): ThresholdChoice {
  const trace = dataTrace(data, from);
  const sorted = Float32Array.from(scores).sort();
  const run = (spec: PolicySpec) => simulate(trace, spec, { capacity });
  const lruResult = run(lru);
  let best: ThresholdChoice | undefined;
  const tried = new Set<number>();
  for (const fraction of ADMIT_FRACTIONS) {
    const threshold =
      fraction >= 1 || sorted.length === 0 ? 0 : sorted[Math.floor((1 - fraction) * (sorted.length - 1))];
    if (tried.has(threshold)) continue;
    tried.add(threshold);
    const spec: PolicySpec = {
      name: 'learned-admit',
      description: 'threshold tuning',
      create: (ctx) => new LearnedAdmit(lru.create(ctx), scores, threshold),
    };
    const r = run(spec);
    const better =
      !best ||
      r.byteHitRatio > best.byteHitRatio + 0.001 ||
      (r.byteHitRatio > best.byteHitRatio - 0.001 && r.bytesWritten < best.bytesWritten);
    if (better) {
      best = {
        threshold,
        byteHitRatio: r.byteHitRatio,
        bytesWritten: r.bytesWritten,
        lruByteHitRatio: lruResult.byteHitRatio,
      };
    }
  }
  return best!;
}

export async function trainAdmit(request: TrainRequest): Promise<Trained> {
  const { data, validationFrom, settings } = request;
  const label = settings.label ?? 'opt_admit';
  const matrices = prepareMatrices(data, validationFrom, admitTarget(data, label));
  const { model, reports } = await fitModel(request, 'binary', matrices);
  const val = matrices.validation;
  const scores = predict(model, val.x, val.rows, val.width);
  const choice =
    val.rows > 0
      ? tuneThreshold(data, validationFrom, scores, settings.tuneSize)
      : { threshold: 0.5, byteHitRatio: Number.NaN, bytesWritten: Number.NaN, lruByteHitRatio: Number.NaN };
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
      training: {
        featureSet: request.featureSet,
        trainDays: request.range.text,
        seed: settings.seed,
        epochs: settings.epochs,
        rows: matrices.train.rows,
        validationRows: val.rows,
        label,
        hidden: settings.hidden,
        batchSize: settings.batchSize,
        learningRate: settings.learningRate,
        thresholdTunedAt: settings.tuneSize,
      },
      metrics: {
        epoch: last.epoch,
        loss: roundMetric(last.loss),
        valLoss: roundMetric(last.valLoss),
        auc: roundMetric(last.valMetric),
        valByteHitRatio: roundMetric(choice.byteHitRatio),
        valLruByteHitRatio: roundMetric(choice.lruByteHitRatio),
      },
      createdAt: new Date().toISOString(),
      smartcache: SMARTCACHE_VERSION,
    },
    labels: ['evict', 'admit'],
    files,
    reports,
    thresholdAt: (capacity) =>
      val.rows > 0 ? tuneThreshold(data, validationFrom, scores, capacity).threshold : choice.threshold,
  };
}
