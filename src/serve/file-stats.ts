import { DAY, HOUR } from '../common/time.js';

/**
 * Per-file request history for the XCache hint endpoint, in a bounded LRU map, and the online
 * versions of the prep features (src/prep/schema.ts) that this history can answer. A
 * feature that needs an input the request lacks is reported, never silently zero.
 */

const WEEK = 7 * DAY;
/** request times older than a week are never counted; a file keeps at most this many */
const MAX_TIMES = 4096;
const MAX_USERS = 1024;

interface History {
  first: number;
  last: number;
  /** requests recorded, all time */
  count: number;
  /** request times within the last week, ascending */
  times: number[];
  users: Set<string>;
}

/** One request as the hint endpoint sees it. */
export interface HintRequest {
  lfn: string;
  /** seconds since the epoch */
  time: number;
  size?: number;
  user?: string;
  dataset?: string;
  /** the cache's own count of earlier accesses, when it sends one */
  naccess?: number;
}

/** A Map used as an LRU: touching moves a key to the end, inserting past capacity drops the oldest. */
class LruMap<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly capacity: number) {}

  get(key: string): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value!);
  }

  get size(): number {
    return this.map.size;
  }
}

function record(history: History | undefined, time: number, user?: string): History {
  const h = history ?? { first: time, last: time, count: 0, times: [], users: new Set<string>() };
  h.count++;
  h.last = Math.max(h.last, time);
  h.times.push(time);
  const cutoff = time - WEEK;
  let drop = 0;
  while (drop < h.times.length && h.times[drop] <= cutoff) drop++;
  if (drop > 0 || h.times.length > MAX_TIMES) h.times.splice(0, Math.max(drop, h.times.length - MAX_TIMES));
  if (user !== undefined && h.users.size < MAX_USERS) h.users.add(user);
  return h;
}

/** Earlier requests with time in (t - window, t]. */
function countSince(history: History | undefined, time: number, window: number): number {
  if (!history) return 0;
  let n = 0;
  for (const t of history.times) if (t > time - window && t <= time) n++;
  return n;
}

interface FeatureContext {
  request: HintRequest;
  file: History | undefined;
  dataset: History | undefined;
}

type Online = {
  /** the request parameter the feature needs, if any */
  needs?: 'size' | 'user' | 'dataset';
  /** null: no value yet (e.g. no earlier request), fed as the feature's mean */
  value(ctx: FeatureContext): number | null;
};

const ONLINE: Record<string, Online> = {
  log_size: { needs: 'size', value: ({ request }) => Math.log1p(request.size!) },
  since_last: { value: ({ request, file }) => (file ? request.time - file.last : null) },
  count_1h: { value: ({ request, file }) => countSince(file, request.time, HOUR) },
  count_1d: { value: ({ request, file }) => countSince(file, request.time, DAY) },
  count_7d: { value: ({ request, file }) => countSince(file, request.time, WEEK) },
  count_ever: {
    value: ({ request, file }) => Math.max(file?.count ?? 0, request.naccess ?? 0),
  },
  dataset_count_1d: {
    needs: 'dataset',
    value: ({ request, dataset }) => countSince(dataset, request.time, DAY),
  },
  distinct_users: {
    needs: 'user',
    value: ({ request, file }) => (file?.users.size ?? 0) + (file?.users.has(request.user!) ? 0 : 1),
  },
  age: { value: ({ request, file }) => (file ? request.time - file.first : 0) },
  hour_of_day: { value: ({ request }) => Math.floor(request.time / HOUR) % 24 },
  day_of_week: { value: ({ request }) => (Math.floor(request.time / DAY) + 3) % 7 },
};

/** The request lacks what some of the model's features need, or the service cannot compute them. */
export class UncomputableFeaturesError extends Error {
  constructor(
    readonly model: string,
    readonly features: string[],
    reason: string,
  ) {
    super(`model ${model} needs ${features.join(', ')}: ${reason}`);
    this.name = 'UncomputableFeaturesError';
  }
}

export class RequestStats {
  private readonly files: LruMap<History>;
  private readonly datasets: LruMap<History>;

  constructor(capacity: number) {
    this.files = new LruMap(capacity);
    this.datasets = new LruMap(Math.max(1, Math.ceil(capacity / 100)));
  }

  get trackedFiles(): number {
    return this.files.size;
  }

  /**
   * The raw feature row for `features` as of just before this request (null values replaced
   * by `fallback`, the model's means), then records the request.
   */
  featuresThenRecord(
    model: string,
    features: readonly string[],
    fallback: readonly number[],
    request: HintRequest,
  ) {
    const unknown = features.filter((f) => !(f in ONLINE));
    if (unknown.length > 0) {
      throw new UncomputableFeaturesError(model, unknown, 'the hint endpoint keeps no statistics for them');
    }
    const lacking = features.filter((f) => {
      const needs = ONLINE[f].needs;
      return needs !== undefined && request[needs] === undefined;
    });
    if (lacking.length > 0) {
      const params = [...new Set(lacking.map((f) => ONLINE[f].needs))].join(', ');
      throw new UncomputableFeaturesError(model, lacking, `add the query parameter(s) ${params}`);
    }
    const file = this.files.get(request.lfn);
    const dataset = request.dataset === undefined ? undefined : this.datasets.get(request.dataset);
    const ctx = { request, file, dataset };
    const row = Float32Array.from(features, (f, i) => ONLINE[f].value(ctx) ?? fallback[i]);
    this.files.set(request.lfn, record(file, request.time, request.user));
    if (request.dataset !== undefined) this.datasets.set(request.dataset, record(dataset, request.time));
    return row;
  }
}
