/** Growing and searching typed arrays, the one way every layer does it. */

export type NumericArray = Float64Array | Float32Array | Uint32Array | Int32Array | Uint8Array;

/** A copy of `arr` of the same type and `length` elements (at least its own), the rest zero. */
export function grown<T extends NumericArray>(arr: T, length: number): T {
  const next = new (arr.constructor as new (n: number) => T)(length);
  next.set(arr);
  return next;
}

/** First index whose value is >= `v` in an ascending array (its length when none is). */
export function lowerBound(sorted: Float64Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
