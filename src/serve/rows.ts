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

/** One row from parallel key and value lists (TFaaS /json and /proto). */
export function rowFromKeys(model: Model, keys: readonly string[], values: readonly number[]): Float32Array {
  if (keys.length !== values.length) {
    throw new HttpError(400, `${keys.length} keys but ${values.length} values; give one value per key`);
  }
  return reorder(values, 1, keys.length, columnsFor(model, keys));
}
