/**
 * The loaded model shared by the model service and cache nodes: a bundle (src/learn/bundle.ts)
 * running on an engine, scoring whole batches, and how its outputs become decisions. Nothing
 * here depends on HTTP.
 */

import { DAY } from '../../common/time.js';
import type { BundleKind, BundleParams } from '../../learn/bundle.js';

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

/** The decision threshold when a bundle names none: probability 0.5; for eviction ln(1 day) of predicted time to next request. */
export function decisionThreshold(params: BundleParams): number {
  if (params.threshold !== undefined) return params.threshold;
  return params.kind === 'learned-evict' ? Math.log(DAY) : 0.5;
}

/** What a positive decision means for a kind of model. */
export function decisionName(kind: BundleKind): 'admit' | 'evict' {
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
 * A bundle of several heads decides on its first (an agent's addition head: Store or not).
 */
export function decideRows(model: Model, outputs: Float32Array, rows: number): Decisions {
  const stride = model.outputSize;
  const width = model.params.heads?.[0].outputs.length ?? stride;
  const scores = new Float32Array(rows);
  const decisions = new Uint8Array(rows);
  if (width === 1) {
    const threshold = decisionThreshold(model.params);
    for (let r = 0; r < rows; r++) {
      scores[r] = outputs[r * stride];
      decisions[r] = scores[r] >= threshold ? 1 : 0;
    }
    return { scores, decisions };
  }
  for (let r = 0, base = 0; r < rows; r++, base += stride) {
    const last = outputs[base + width - 1];
    let positive = 1;
    for (let k = 0; k < width - 1; k++) if (outputs[base + k] > last) positive = 0;
    scores[r] = last;
    decisions[r] = positive;
  }
  return { scores, decisions };
}
