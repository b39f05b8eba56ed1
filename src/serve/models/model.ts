/**
 * The model contract shared by the learning code, the model service and cache nodes: a
 * bundle's parameters (docs/bundles.md) and a loaded model that scores whole batches. Nothing
 * here depends on HTTP.
 */

export const MODEL_KINDS = ['learned-admit', 'learned-evict', 'rl', 'scdl2'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

export const MODEL_FORMATS = ['tfjs-layers', 'onnx', 'q-table'] as const;
export type ModelFormat = (typeof MODEL_FORMATS)[number];

export interface Normalization {
  mean: number[];
  std: number[];
}

export interface TrainingInfo {
  featureSet?: string;
  trainDays?: [string, string];
  seed?: number;
  epochs?: number;
  rows?: number;
}

/** The contents of a bundle's params.json. */
export interface BundleParams {
  name: string;
  version?: number;
  kind: ModelKind;
  format: ModelFormat;
  /** the model file name inside the bundle */
  model: string;
  /** the labels file name inside the bundle */
  labels: string;
  features: string[];
  normalization: Normalization;
  outputs: string[];
  threshold?: number;
  training?: TrainingInfo;
  metrics?: Record<string, number>;
  createdAt?: string;
  smartcache?: string;
}

/** Which implementation runs a model: a typed-array forward pass, TensorFlow.js, ONNX Runtime or a table. */
export type ModelEngine = 'dense' | 'tfjs' | 'onnx' | 'q-table';

/** A loaded model. */
export interface Model {
  readonly params: BundleParams;
  /** one label per output, from labels.txt */
  readonly labels: readonly string[];
  /** values per output row */
  readonly outputSize: number;
  readonly engine: ModelEngine;
  /**
   * Scores `rows` rows of raw feature values, laid out row-major in `params.features` order.
   * Applies the bundle's normalisation itself and leaves `batch` unchanged; answers
   * `rows * outputSize` values, row-major.
   */
  predict(batch: Float32Array, rows: number): Float32Array;
  dispose(): void;
}

/** Reciprocal standard deviations, with std 0 read as 1 (docs/bundles.md). */
export function inverseStd(normalization: Normalization): Float64Array {
  return Float64Array.from(normalization.std, (s) => (s === 0 ? 1 : 1 / s));
}

/** A normalised copy of a batch, for engines that need the whole batch as one tensor. */
export function normalizedCopy(
  batch: Float32Array,
  rows: number,
  normalization: Normalization,
): Float32Array {
  const width = normalization.mean.length;
  const mean = normalization.mean;
  const scale = inverseStd(normalization);
  const out = new Float32Array(rows * width);
  for (let r = 0, i = 0; r < rows; r++) {
    for (let k = 0; k < width; k++, i++) out[i] = (batch[i] - mean[k]) * scale[k];
  }
  return out;
}

/** The decision threshold when a bundle names none: probability 0.5; for eviction ln(1 day) of predicted time to next request. */
export function decisionThreshold(params: BundleParams): number {
  if (params.threshold !== undefined) return params.threshold;
  return params.kind === 'learned-evict' ? Math.log(86_400) : 0.5;
}

/** What a positive decision means for a kind of model. */
export function decisionName(kind: ModelKind): 'admit' | 'evict' {
  return kind === 'learned-evict' ? 'evict' : 'admit';
}

/** Per-row scores and decisions of a batch. */
export interface Decisions {
  scores: Float32Array;
  /** 1 where the decision is positive (admit, or evict for eviction models) */
  decisions: Uint8Array;
}

/**
 * Reduces model outputs to one score and decision per row. A one-output model's score is its
 * output, positive at or above the threshold; with several outputs (class probabilities,
 * Q-values per action) the score is the last label's output, positive when it is the largest.
 */
export function decideRows(model: Model, outputs: Float32Array, rows: number): Decisions {
  const width = model.outputSize;
  const scores = new Float32Array(rows);
  const decisions = new Uint8Array(rows);
  if (width === 1) {
    const threshold = decisionThreshold(model.params);
    for (let r = 0; r < rows; r++) {
      scores[r] = outputs[r];
      decisions[r] = outputs[r] >= threshold ? 1 : 0;
    }
    return { scores, decisions };
  }
  for (let r = 0, base = 0; r < rows; r++, base += width) {
    const last = outputs[base + width - 1];
    let positive = 1;
    for (let k = 0; k < width - 1; k++) if (outputs[base + k] > last) positive = 0;
    scores[r] = last;
    decisions[r] = positive;
  }
  return { scores, decisions };
}
