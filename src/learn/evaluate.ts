/**
 * Held-out evaluation: the replay runs over the history and the test days (state warms up
 * on the history, like a cache that has been running), and only the test days are counted:
 * results are cut to their metric windows, which are the evaluation periods.
 */
import { type Counters, perCacheByte, ratio, type SimResult, zeroCounters } from '../sim/metrics.js';

const COUNTER_KEYS = Object.keys(zeroCounters()) as (keyof Counters)[];

/** The result restricted to the windows starting at or after `from` (seconds). */
export function restrictResult(result: SimResult, from: number): SimResult {
  const windows = result.windows.filter((w) => w.start >= from);
  const total = zeroCounters();
  for (const w of windows) for (const k of COUNTER_KEYS) total[k] += w[k];
  const size = result.cacheSize;
  return {
    ...result,
    ...total,
    hitRatio: ratio(total.hits, total.requests),
    byteHitRatio: ratio(total.bytesHit, total.bytesRequested),
    missRatio: total.requests === 0 ? 0 : 1 - total.hits / total.requests,
    byteMissRatio: total.bytesRequested === 0 ? 0 : 1 - total.bytesHit / total.bytesRequested,
    throughputScore: perCacheByte(total.bytesHit - total.bytesWritten, size),
    costScore: perCacheByte(total.bytesWritten + total.bytesEvicted, size),
    windows,
  };
}
