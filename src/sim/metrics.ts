/** Metrics of one simulation run, whole-trace and per time window. */

export interface Counters {
  requests: number;
  hits: number;
  bytesRequested: number;
  /** bytes served from the cache (read on hit) */
  bytesHit: number;
  /** bytes written into the cache by admissions */
  bytesWritten: number;
  /** bytes deleted from the cache by evictions */
  bytesEvicted: number;
  evictions: number;
  /** bytes read from remote storage over the wide-area network (read on miss) */
  wanBytes: number;
  /** misses read remotely, not cached, because their fill exceeded what was left of the day's WAN budget */
  redirected: number;
}

export interface WindowMetrics extends Counters {
  /** window start, seconds */
  start: number;
  hitRatio: number;
  byteHitRatio: number;
  /** bytes resident at the end of the window */
  occupancy: number;
}

export interface SimResult extends Counters {
  /** registry name of the policy */
  policy: string;
  /** policy with parameters, when it was given any, e.g. `wlru-additive(a=2)` */
  label?: string;
  /** capacity in bytes (Infinity for the infinite baseline) */
  cacheSize: number;
  hitRatio: number;
  byteHitRatio: number;
  missRatio: number;
  byteMissRatio: number;
  /** original CMS study score: (read on hit - written) / cache size */
  throughputScore: number;
  /** original CMS study score: (written + deleted) / cache size */
  costScore: number;
  /** window length in seconds used for `windows` */
  window: number;
  windows: WindowMetrics[];
  /** wall time of the replay, milliseconds */
  elapsedMs: number;
}

export function zeroCounters(): Counters {
  return {
    requests: 0,
    hits: 0,
    bytesRequested: 0,
    bytesHit: 0,
    bytesWritten: 0,
    bytesEvicted: 0,
    evictions: 0,
    wanBytes: 0,
    redirected: 0,
  };
}

const COUNTER_KEYS = Object.keys(zeroCounters()) as (keyof Counters)[];

export function subtractCounters(now: Counters, before: Counters): Counters {
  const out = zeroCounters();
  for (const k of COUNTER_KEYS) out[k] = now[k] - before[k];
  return out;
}

export function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : part / whole;
}

/** Score per byte of cache; zero for the unbounded baseline where the ratio has no meaning. */
export function perCacheByte(value: number, cacheSize: number): number {
  return Number.isFinite(cacheSize) && cacheSize > 0 ? value / cacheSize : 0;
}
