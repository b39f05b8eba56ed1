/**
 * What every trainer gets and gives: labelled rows (training days, the last of them kept for
 * validation), hyper-parameters and a seed in; the bundle's params, labels and model files out.
 */

import { lowerBound } from '../common/typed-arrays.js';
import { FEATURE_NAMES } from '../prep/schema.js';
import type { BundleParams, BundleTraining } from './bundle.js';
import type { LabelledData } from './dataset.js';
import { encode, fitNormalization, type Normalization } from './encode.js';
import { buildMlp, type EpochReport, fitMlp, type Matrix, type Task, type tf, tfReady } from './tf.js';

export interface TrainProgress {
  /** rows done in the current epoch (of `total`) and the running loss */
  batch(epoch: number, rows: number, total: number, loss: number): void;
  epoch(report: EpochReport): void;
}

/** Training progress that also clears its display when the run ends (a terminal bar). */
export type StoppableProgress = TrainProgress & { stop(): void };

export interface TrainSettings {
  seed: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  hidden: number[];
  /** admission label: opt_admit (default) or reused */
  label?: string;
  /** Belady cache size in bytes for opt_admit labels computed from a trace (retraining) */
  tuneSize: number;
  /** cache sizes in bytes the admission threshold is tuned at, one threshold each (default: tuneSize) */
  tuneSizes?: number[];
  /** eviction policies tried under the admission filter while tuning, the best kept per size (default lru) */
  tuneUnders?: string[];
}

export interface TrainRequest {
  data: LabelledData;
  /** first row of the validation split */
  validationFrom: number;
  /** training time range, seconds, and how it was given */
  range: { from: number; to: number; text: [string, string] };
  settings: TrainSettings;
  name: string;
  featureSet: string;
  progress?: TrainProgress;
}

export interface Trained {
  params: BundleParams;
  labels: string[];
  files: Record<string, string | Uint8Array>;
  reports: EpochReport[];
  /** admission: the threshold tuned on the validation split at another cache size */
  thresholdAt?: (capacity: number) => number;
}

export type TrainerFn = (request: TrainRequest) => Promise<Trained>;

/** The validation split: the last fifth of the periods (at least one) when there are two or more, else the last fifth of rows. */
export function validationStart(data: LabelledData, from: number, to: number, period: number): number {
  const periods = Math.round((to - from) / period);
  if (periods >= 2) {
    const valPeriods = Math.max(1, Math.round(periods / 5));
    return lowerBound(data.time, to - valPeriods * period);
  }
  return Math.floor(data.time.length * 0.8);
}

export interface PreparedMatrices {
  norm: Normalization;
  train: Matrix;
  validation: Matrix;
}

/** Normalisation from the training rows; encoded matrices with targets from `target(row)`. */
export function prepareMatrices(
  data: LabelledData,
  validationFrom: number,
  target: (row: number) => number,
): PreparedMatrices {
  const trainRows = Int32Array.from({ length: validationFrom }, (_, i) => i);
  const valRows = Int32Array.from(
    { length: data.features.rows - validationFrom },
    (_, i) => validationFrom + i,
  );
  const norm = fitNormalization(data.features, trainRows);
  const width = FEATURE_NAMES.length;
  const matrix = (rows: Int32Array): Matrix => ({
    x: encode(data.features, FEATURE_NAMES, norm, rows),
    y: Float32Array.from(rows, target),
    rows: rows.length,
    width,
  });
  return { norm, train: matrix(trainRows), validation: matrix(valRows) };
}

/** Builds and fits the MLP of a trainer. */
export async function fitModel(
  request: TrainRequest,
  task: Task,
  matrices: PreparedMatrices,
): Promise<{ model: tf.Sequential; reports: EpochReport[] }> {
  const s = request.settings;
  if (matrices.train.rows === 0) throw new RangeError('no training rows in the training days');
  await tfReady();
  const model = buildMlp({ inputs: FEATURE_NAMES.length, hidden: s.hidden, task, seed: s.seed });
  const total = matrices.train.rows;
  const reports = await fitMlp(model, task, matrices.train, matrices.validation, {
    epochs: s.epochs,
    batchSize: s.batchSize,
    learningRate: s.learningRate,
    seed: s.seed,
    onBatch: (epoch, rows, loss) => request.progress?.batch(epoch, rows, total, loss),
    onEpoch: (r) => request.progress?.epoch(r),
  });
  return { model, reports };
}

/** Rounds metrics so that params.json stays readable (and stable across platforms). */
export function roundMetric(v: number): number {
  return Number.isFinite(v) ? Number(v.toPrecision(6)) : -1;
}

/** The training record every supervised bundle carries (params.json `training`). */
export function trainingRecord(request: TrainRequest, matrices: PreparedMatrices): BundleTraining {
  const { settings } = request;
  return {
    featureSet: request.featureSet,
    trainDays: request.range.text,
    seed: settings.seed,
    epochs: settings.epochs,
    rows: matrices.train.rows,
    validationRows: matrices.validation.rows,
    hidden: settings.hidden,
    batchSize: settings.batchSize,
    learningRate: settings.learningRate,
  };
}

/** Metrics of the kept epoch, the task's validation metric under its own name (auc, mae). */
export function epochMetrics(last: EpochReport, metricName: string): Record<string, number> {
  return {
    epoch: last.epoch,
    loss: roundMetric(last.loss),
    valLoss: roundMetric(last.valLoss),
    [metricName]: roundMetric(last.valMetric),
  };
}
