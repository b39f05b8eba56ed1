/**
 * The prep feature columns (FEATURE_NAMES, same definitions as src/prep/schema.ts) computed
 * for every request of a trace in one causal pass, so that a model trained on `smartcache
 * prep` output is fed the same numbers in the simulator, the model service and cache nodes.
 *
 * O(1) amortised work per request, typed arrays only:
 * - windowed counts (`count_1h`, `count_1d`, `count_7d`, `dataset_count_1d`): all earlier
 *   requests minus those at or before t - W, the second term kept per object (per dataset)
 *   as a pointer to the oldest request still inside the window, walking a per-request
 *   "next request of the same object (dataset)" chain; each request is passed once per window;
 * - `distinct_users`: a first-(object, user) flag from a hash set of pairs;
 * - `since_last`, `age`: the object's previous and first request times.
 *
 * NULL (since_last on a first request, dataset_count_1d without dataset, distinct_users
 * without user) is NaN in the matrix; `src/learn/encode.ts` maps it to the training mean.
 */

import { DAY, HOUR } from '../common/time.js';
import { FEATURE_NAMES } from '../prep/schema.js';
import type { Trace } from '../trace/model.js';

const WEEK = 7 * DAY;
const NONE = -1;

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

/** Column position of each feature name in FEATURE_NAMES. */
export const FEATURE_INDEX: Readonly<Record<string, number>> = Object.fromEntries(
  FEATURE_NAMES.map((name, i) => [name, i]),
);

/**
 * Per-key sliding count of earlier requests with time > t - window, over a chain of
 * requests of the same key (object or dataset).
 */
class WindowCounter {
  private readonly oldest: Int32Array;
  private readonly passed: Float64Array;

  constructor(
    keys: number,
    private readonly window: number,
    private readonly time: Float64Array,
    private readonly next: Int32Array,
  ) {
    this.oldest = new Int32Array(keys).fill(NONE);
    this.passed = new Float64Array(keys);
  }

  /** Call after request `i` of `key` is appended to the chain; `earlier` = earlier requests. */
  count(key: number, i: number, earlier: number): number {
    let p = this.oldest[key];
    if (p === NONE) p = i;
    const limit = this.time[i] - this.window;
    let passed = this.passed[key];
    // stops at i at the latest: time[i] > time[i] - window
    while (this.time[p] <= limit) {
      p = this.next[p];
      passed++;
    }
    this.oldest[key] = p;
    this.passed[key] = passed;
    return earlier - passed;
  }
}

/** Computes FEATURE_NAMES for every request of `trace` (which must be in time order). */
export function onlineFeatures(trace: Trace): FeatureMatrix {
  const n = trace.length;
  const names = FEATURE_NAMES;
  const cols = names.length;
  const at = (name: string) => {
    const c = FEATURE_INDEX[name];
    if (c === undefined) throw new Error(`feature ${name} is not in the prep schema`);
    return c;
  };
  const cLogSize = at('log_size');
  const cSinceLast = at('since_last');
  const c1h = at('count_1h');
  const c1d = at('count_1d');
  const c7d = at('count_7d');
  const cEver = at('count_ever');
  const cDataset = at('dataset_count_1d');
  const cUsers = at('distinct_users');
  const cAge = at('age');
  const cHour = at('hour_of_day');
  const cWeekday = at('day_of_week');

  const { time, obj, size } = trace;
  const objects = trace.objectCount;
  const values = new Float64Array(n * cols);

  const next = new Int32Array(n).fill(NONE);
  const last = new Int32Array(objects).fill(NONE);
  const seen = new Float64Array(objects);
  const first = new Float64Array(objects);
  const users = new Float64Array(objects);
  const windows = [HOUR, DAY, WEEK].map((w) => new WindowCounter(objects, w, time, next));

  const dataset = trace.dataset;
  const datasetNext = dataset ? new Int32Array(n).fill(NONE) : undefined;
  const datasetLast = dataset ? new Int32Array(dataset.values.length).fill(NONE) : undefined;
  const datasetSeen = dataset ? new Float64Array(dataset.values.length) : undefined;
  const datasetDay =
    dataset && datasetNext ? new WindowCounter(dataset.values.length, DAY, time, datasetNext) : undefined;

  const user = trace.user;
  const pairs = new Set<number>();
  const userCount = user ? user.values.length : 0;

  for (let i = 0; i < n; i++) {
    const t = time[i];
    if (i > 0 && t < time[i - 1]) throw new UnsortedTraceError(i);
    const o = obj[i];
    const row = i * cols;
    const earlier = seen[o];
    const prev = last[o];
    if (prev === NONE) first[o] = t;
    else next[prev] = i;
    last[o] = i;
    seen[o] = earlier + 1;

    values[row + cLogSize] = Math.log(1 + size[i]);
    values[row + cSinceLast] = prev === NONE ? Number.NaN : t - time[prev];
    values[row + c1h] = windows[0].count(o, i, earlier);
    values[row + c1d] = windows[1].count(o, i, earlier);
    values[row + c7d] = windows[2].count(o, i, earlier);
    values[row + cEver] = earlier;
    values[row + cAge] = t - first[o];
    values[row + cHour] = Math.floor(t / HOUR) % 24;
    values[row + cWeekday] = (Math.floor(t / DAY) + 3) % 7;

    // dictionary code 0 is the empty string: "not given", NULL in prep
    const d = dataset ? dataset.codes[i] : 0;
    if (d !== 0 && datasetNext && datasetLast && datasetSeen && datasetDay) {
      const dprev = datasetLast[d];
      if (dprev !== NONE) datasetNext[dprev] = i;
      datasetLast[d] = i;
      const dEarlier = datasetSeen[d];
      datasetSeen[d] = dEarlier + 1;
      values[row + cDataset] = datasetDay.count(d, i, dEarlier);
    } else {
      values[row + cDataset] = Number.NaN;
    }

    if (user) {
      const u = user.codes[i];
      if (u !== 0) {
        const pair = o * userCount + u;
        if (!pairs.has(pair)) {
          pairs.add(pair);
          users[o]++;
        }
      }
      values[row + cUsers] = users[o];
    } else {
      values[row + cUsers] = Number.NaN;
    }
  }
  return { names, rows: n, values };
}

/** The rows `from..to-1` of a matrix (a view, no copy). */
export function featureRows(m: FeatureMatrix, from: number, to: number): FeatureMatrix {
  const cols = m.names.length;
  return { names: m.names, rows: to - from, values: m.values.subarray(from * cols, to * cols) };
}
