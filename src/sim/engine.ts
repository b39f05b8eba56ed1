/**
 * The simulator engine: replays a trace through one policy at one capacity.
 *
 * Residency and byte accounting live in Residency (shared with a cache node's
 * OnlineCache); policies only order objects. The engine adds what a replay needs on top:
 * metrics windows, the daily WAN budget and the hit log.
 */

import { DAY } from '../common/time.js';
import type { Trace } from '../trace/model.js';
import {
  type Counters,
  perCacheByte,
  ratio,
  type SimResult,
  subtractCounters,
  type WindowMetrics,
  zeroCounters,
} from './metrics.js';
import type { CurrentRequest, PolicySpec } from './policy.js';
import { Residency, type Watermarks } from './residency.js';

export type { Watermarks } from './residency.js';

export interface SimOptions {
  /** capacity in bytes */
  capacity: number;
  /** length of a metrics window in seconds (default one day) */
  window?: number;
  watermarks?: Watermarks;
  /** WAN bytes per UTC day the cache may spend on fills; a miss whose fill exceeds what is left is redirected */
  dailyBudget?: number;
  seed?: number;
  params?: Readonly<Record<string, string>>;
  /** when given (one slot per request), set to 1 for every request that hits */
  hitLog?: Uint8Array;
  /** called with the number of requests replayed so far, about every 2^20 requests */
  onProgress?: (done: number) => void;
}

const PROGRESS_MASK = (1 << 20) - 1;

export class SimConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimConfigError';
  }
}

function checkOptions(o: SimOptions): void {
  if (!(o.capacity >= 0)) throw new SimConfigError(`cache size must be >= 0 bytes, got ${o.capacity}`);
  if (o.window !== undefined && !(o.window > 0))
    throw new SimConfigError(`window must be > 0 s, got ${o.window}`);
  const w = o.watermarks;
  if (w && !(w.low >= 0 && w.low < w.high && w.high <= 1)) {
    throw new SimConfigError(`watermarks need 0 <= low < high <= 1, got low=${w.low} high=${w.high}`);
  }
  if (o.dailyBudget !== undefined && !(o.dailyBudget >= 0)) {
    throw new SimConfigError(`bandwidth budget must be >= 0, got ${o.dailyBudget}`);
  }
}

export function simulate(trace: Trace, spec: PolicySpec, options: SimOptions): SimResult {
  checkOptions(options);
  // hrtime, not performance.now(): the performance global loads perf_hooks, a cost for short runs
  const started = process.hrtime.bigint();
  const capacity = spec.unbounded ? Number.POSITIVE_INFINITY : options.capacity;
  const window = options.window ?? DAY;
  const budget = options.dailyBudget ?? Number.POSITIVE_INFINITY;
  const onProgress = options.onProgress;
  const hitLog = options.hitLog;
  if (hitLog && hitLog.length < trace.length) {
    throw new SimConfigError(`hit log holds ${hitLog.length} requests, the trace ${trace.length}`);
  }

  const { time, obj: objs, size: sizes } = trace;
  const served = trace.bytesRead ?? sizes;
  const cache = new Residency(trace.objectCount, capacity, spec.name, options.watermarks);
  const resident = cache.resident;
  const current: CurrentRequest = { time: 0, size: 0, user: 0, dataset: 0, score: Number.NaN };
  const userCodes = trace.user?.codes;
  const datasetCodes = trace.dataset?.codes;

  let hits = 0;
  let bytesRequested = 0;
  let bytesHit = 0;
  const policy = spec.create({
    capacity,
    objectCount: trace.objectCount,
    request: current,
    carries: { users: userCodes !== undefined, datasets: datasetCodes !== undefined },
    trace,
    seed: options.seed ?? 1,
    params: options.params ?? {},
    cache: { occupied: () => cache.occupied, evict: (victim) => cache.forget(victim) },
  });
  const arrive = policy.arrive?.bind(policy);
  const admit = policy.admit?.bind(policy);
  const miss = policy.miss?.bind(policy);
  const housekeeping = policy.housekeeping?.bind(policy);
  let wanBytes = 0;
  let redirected = 0;
  let budgetDay = Number.NEGATIVE_INFINITY;
  let budgetLeft = budget;

  const windows: WindowMetrics[] = [];
  let windowStart = trace.length > 0 ? Math.floor(time[0] / window) * window : 0;
  let windowEnd = windowStart + window;
  let before = zeroCounters();
  const snapshot = (requests: number): Counters => ({
    requests,
    hits,
    bytesRequested,
    bytesHit,
    bytesWritten: cache.bytesWritten,
    bytesEvicted: cache.bytesEvicted,
    evictions: cache.evictions,
    wanBytes,
    redirected,
  });
  const closeWindow = (requests: number) => {
    const now = snapshot(requests);
    const d = subtractCounters(now, before);
    windows.push({
      ...d,
      start: windowStart,
      hitRatio: ratio(d.hits, d.requests),
      byteHitRatio: ratio(d.bytesHit, d.bytesRequested),
      occupancy: cache.occupied,
    });
    before = now;
  };

  /** Takes `size` bytes from the day's WAN budget; false when the budget is spent. */
  const spendBudget = (t: number, size: number): boolean => {
    if (budget === Number.POSITIVE_INFINITY) return true;
    const day = Math.floor(t / DAY);
    if (day !== budgetDay) {
      budgetDay = day;
      budgetLeft = budget;
    }
    if (size > budgetLeft) return false;
    budgetLeft -= size;
    return true;
  };

  const n = trace.length;
  for (let i = 0; i < n; i++) {
    const t = time[i];
    if (t >= windowEnd) {
      closeWindow(i);
      windowStart = Math.floor(t / window) * window;
      windowEnd = windowStart + window;
    }
    const o = objs[i];
    const bytes = served[i];
    const size = sizes[i];
    current.time = t;
    current.size = size;
    if (userCodes) current.user = userCodes[i];
    if (datasetCodes) current.dataset = datasetCodes[i];
    arrive?.(o, i);
    bytesRequested += bytes;
    if (resident[o] === 1) {
      hits++;
      bytesHit += bytes;
      if (hitLog) hitLog[i] = 1;
      policy.hit(o, i);
    } else {
      wanBytes += bytes;
      miss?.(o, size, i);
      if (size <= capacity && (admit === undefined || admit(o, size, i))) {
        if (spendBudget(t, size)) {
          cache.fill(policy, o, size, i);
        } else {
          redirected++;
        }
      }
    }
    housekeeping?.(i);
    if ((i & PROGRESS_MASK) === PROGRESS_MASK && onProgress) onProgress(i + 1);
  }
  if (n > 0) closeWindow(n);
  onProgress?.(n);

  const total = snapshot(n);
  return {
    policy: spec.name,
    cacheSize: capacity,
    ...total,
    hitRatio: ratio(hits, n),
    byteHitRatio: ratio(bytesHit, bytesRequested),
    missRatio: n === 0 ? 0 : 1 - hits / n,
    byteMissRatio: bytesRequested === 0 ? 0 : 1 - bytesHit / bytesRequested,
    throughputScore: perCacheByte(bytesHit - cache.bytesWritten, capacity),
    costScore: perCacheByte(cache.bytesWritten + cache.bytesEvicted, capacity),
    window,
    windows,
    elapsedMs: Number(process.hrtime.bigint() - started) / 1e6,
  };
}
