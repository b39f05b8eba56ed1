/**
 * From feature values to model inputs, the one encoding shared by training, the simulator
 * and the model service:
 *
 *   input = (x - mean) / std      per feature, std 0 read as 1 (docs/bundles.md)
 *   NULL  -> mean, i.e. input 0   (NULL is NaN in a FeatureMatrix and in a raw batch, SQL NULL in Parquet)
 *
 * Feature values are taken as float32 first, as a batch sent to the model service carries
 * them, so that the simulator, training and the service compute the same inputs bit for bit.
 *
 * Mean and std are computed over the non-NULL training values and stored in params.json,
 * so NULL means "as uninformative as the average request". The NULL features are redundant
 * with non-NULL ones where it matters: `since_last` is NULL exactly when `count_ever` is 0.
 */
import type { FeatureMatrix } from './online-features.js';

export interface Normalization {
  mean: number[];
  std: number[];
}

/** Mean and population std of each column over its non-NULL (non-NaN) values. */
export function fitNormalization(m: FeatureMatrix, rows?: ArrayLike<number>): Normalization {
  const cols = m.names.length;
  const count = new Float64Array(cols);
  const sum = new Float64Array(cols);
  const n = rows ? rows.length : m.rows;
  for (let k = 0; k < n; k++) {
    const base = (rows ? rows[k] : k) * cols;
    for (let c = 0; c < cols; c++) {
      const v = m.values[base + c];
      if (!Number.isNaN(v)) {
        count[c]++;
        sum[c] += v;
      }
    }
  }
  const mean = Array.from(sum, (s, c) => (count[c] > 0 ? s / count[c] : 0));
  const sq = new Float64Array(cols);
  for (let k = 0; k < n; k++) {
    const base = (rows ? rows[k] : k) * cols;
    for (let c = 0; c < cols; c++) {
      const v = m.values[base + c];
      if (!Number.isNaN(v)) sq[c] += (v - mean[c]) ** 2;
    }
  }
  const std = Array.from(sq, (s, c) => (count[c] > 0 ? Math.sqrt(s / count[c]) : 0));
  return { mean, std };
}

/**
 * Model inputs for the given rows (all rows when omitted), float32 row-major, in the order of
 * `features` (names looked up in the matrix).
 */
export function encode(
  m: FeatureMatrix,
  features: readonly string[],
  norm: Normalization,
  rows?: ArrayLike<number>,
): Float32Array {
  const cols = m.names.length;
  const encoder = new RowEncoder(m.names, features, norm);
  const width = features.length;
  const n = rows ? rows.length : m.rows;
  const out = new Float32Array(n * width);
  for (let k = 0; k < n; k++) encoder.encode(m.values, (rows ? rows[k] : k) * cols, out, k * width);
  return out;
}

/** Model inputs of one raw feature row at a time, without allocating: the per-request path of a cache node. */
export class RowEncoder {
  private readonly index: Int32Array;
  private readonly mean: readonly number[];
  private readonly scale: Float64Array;

  /** `names`: the columns of the raw rows; `features`: the model's inputs, in order. */
  constructor(names: readonly string[], features: readonly string[], norm: Normalization) {
    this.index = Int32Array.from(features, (f) => {
      const c = names.indexOf(f);
      if (c < 0) throw new RangeError(`feature ${f} is not computed (have ${names.join(', ')})`);
      return c;
    });
    this.mean = norm.mean;
    this.scale = inverseStd(norm);
  }

  /** Writes the inputs of the row at `values[base...]` to `out[offset...]`. */
  encode(values: ArrayLike<number>, base: number, out: Float32Array, offset: number): void {
    const { index, mean, scale } = this;
    for (let f = 0; f < index.length; f++)
      out[offset + f] = normalized(Math.fround(values[base + index[f]]), mean[f], scale[f]);
  }
}

/** Reciprocal standard deviations, with std 0 read as 1. */
export function inverseStd(norm: Normalization): Float64Array {
  return Float64Array.from(norm.std, (s) => (s === 0 ? 1 : 1 / s));
}

/** One feature value as a model input; NULL (NaN) takes the mean, i.e. 0. */
function normalized(value: number, mean: number, scale: number): number {
  return Number.isNaN(value) ? 0 : (value - mean) * scale;
}

/**
 * Model inputs for a batch of raw feature rows (row-major, one column per `norm` entry, NaN
 * for NULL), written to `out` (float32 unless given): the batch is left unchanged.
 */
export function normalizeRows<Out extends Float32Array | Float64Array = Float32Array>(
  batch: Float32Array,
  rows: number,
  norm: Normalization,
  out: Out = new Float32Array(rows * norm.mean.length) as Out,
): Out {
  const width = norm.mean.length;
  const mean = norm.mean;
  const scale = inverseStd(norm);
  for (let r = 0, i = 0; r < rows; r++) {
    for (let k = 0; k < width; k++, i++) out[i] = normalized(batch[i], mean[k], scale[k]);
  }
  return out;
}
