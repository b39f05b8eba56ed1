/** Placing named feature values in a model's feature order. */
import { HttpError } from './errors.js';
import type { Model } from './models/model.js';

/**
 * For each model feature, its column among `names`. Names the model does not use are ignored;
 * a feature missing from `names` is a client error.
 */
export function columnsFor(model: Model, names: readonly string[]): Int32Array {
  const features = model.params.features;
  const columns = Int32Array.from(features, (f) => names.indexOf(f));
  const missing = features.filter((_, i) => columns[i] < 0);
  if (missing.length > 0) {
    throw new HttpError(
      400,
      `model ${model.params.name} needs features ${missing.join(', ')} (it reads ${features.join(', ')})`,
    );
  }
  return columns;
}

/** True when the columns are exactly the model's features in its order. */
export function isIdentity(columns: Int32Array, width: number): boolean {
  return width === columns.length && columns.every((c, i) => c === i);
}

/** Rows of `width` values rearranged to the model's feature order. */
export function reorder(
  values: ArrayLike<number>,
  rows: number,
  width: number,
  columns: Int32Array,
): Float32Array {
  const n = columns.length;
  const out = new Float32Array(rows * n);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < n; k++) out[r * n + k] = values[r * width + columns[k]];
  }
  return out;
}

/** The largest finite float32. */
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * Refuses rows (`names.length` values each) holding a value that is not a finite float32
 * number: an infinity, a value beyond ±3.4e38 (which float32 makes an infinity), and NaN
 * unless `nanIsNull`, where NaN is a NULL feature, which the model reads as the feature's
 * training mean (as prep's NULL in training).
 */
export function refuseNonFinite(
  values: ArrayLike<number>,
  rows: number,
  names: readonly string[],
  nanIsNull = false,
): void {
  const width = names.length;
  for (let i = 0; i < rows * width; i++) {
    const v = values[i];
    if (!(Math.abs(v) <= FLOAT32_MAX) && !(nanIsNull && Number.isNaN(v))) {
      throw new HttpError(
        400,
        `row ${Math.floor(i / width)}, feature ${names[i % width]}: ${values[i]} is not a finite float32 number; send a NULL feature as its mean (normalization.mean of GET /params/{model})`,
      );
    }
  }
}

/** One row from parallel key and value lists (TFaaS /json and /proto). */
export function rowFromKeys(model: Model, keys: readonly string[], values: readonly number[]): Float32Array {
  if (keys.length !== values.length) {
    throw new HttpError(400, `${keys.length} keys but ${values.length} values; give one value per key`);
  }
  refuseNonFinite(values, 1, keys);
  return reorder(values, 1, keys.length, columnsFor(model, keys));
}

/**
 * A model's outputs for `rows` rows, refused when one is not a finite number: an input far out
 * of the model's range (1e308, beyond float32) makes NaN or Infinity, which is the client's
 * row, not a fault of the service, and has no JSON form.
 */
export function predictFinite(model: Model, input: Float32Array, rows: number): Float32Array {
  const out = model.predict(input, rows);
  const width = model.outputSize;
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i])) {
      const row = Math.floor(i / width);
      const values = Array.from(
        input.subarray(row * model.params.features.length, (row + 1) * model.params.features.length),
      );
      throw new HttpError(
        400,
        `row ${row}: the model's output is not a finite number for inputs ${JSON.stringify(values)} (${model.params.features.join(', ')}); keep values within float32 range and the scale the model was trained on`,
      );
    }
  }
  return out;
}
