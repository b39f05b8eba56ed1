/**
 * The prep feature columns (FEATURE_NAMES, same definitions as src/prep/schema.ts) of every
 * request of a trace, in one causal pass of the incremental feature state (feature-state.ts)
 * that the model service and cache nodes run request by request.
 *
 * NULL (since_last on a first request, dataset_count_1d without dataset, distinct_users
 * without user) is NaN in the matrix; `src/learn/encode.ts` maps it to the training mean.
 */

import { FEATURE_NAMES } from '../prep/schema.js';
import type { Trace } from '../trace/model.js';
import { FeatureState } from './feature-state.js';

/** Row-major matrix: `values[row * names.length + col]`, NaN for NULL. */
export interface FeatureMatrix {
  readonly names: readonly string[];
  readonly rows: number;
  readonly values: Float64Array;
}

export class UnsortedTraceError extends Error {
  constructor(readonly index: number) {
    super(`online features need a trace in time order; request ${index} is earlier than the one before it`);
    this.name = 'UnsortedTraceError';
  }
}

/** Computes FEATURE_NAMES for every request of `trace` (which must be in time order). */
export function onlineFeatures(trace: Trace): FeatureMatrix {
  const n = trace.length;
  const cols = FEATURE_NAMES.length;
  const values = new Float64Array(n * cols);
  const { time, obj, size, user, dataset } = trace;
  const state = new FeatureState({ users: user !== undefined, datasets: dataset !== undefined });
  for (let i = 0; i < n; i++) {
    if (i > 0 && time[i] < time[i - 1]) throw new UnsortedTraceError(i);
    // dictionary code 0 is the empty string: "not given", NULL in prep
    state.advance(
      obj[i],
      time[i],
      size[i],
      user ? user.codes[i] : 0,
      dataset ? dataset.codes[i] : 0,
      values,
      i * cols,
    );
  }
  return { names: FEATURE_NAMES, rows: n, values };
}

const featureCache = new WeakMap<Trace, FeatureMatrix>();

/** Online features of a trace, computed once per trace object (per worker thread). */
export function traceFeatures(trace: Trace): FeatureMatrix {
  let m = featureCache.get(trace);
  if (!m) {
    m = onlineFeatures(trace);
    featureCache.set(trace, m);
  }
  return m;
}

/** The rows `from..to-1` of a matrix (a view, no copy). */
export function featureRows(m: FeatureMatrix, from: number, to: number): FeatureMatrix {
  const cols = m.names.length;
  return { names: m.names, rows: to - from, values: m.values.subarray(from * cols, to * cols) };
}
