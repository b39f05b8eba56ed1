/** Putting requests in time order for formats whose records are not written in request order. */
import type { DictColumn, Trace } from './model.js';

/**
 * Returns the trace sorted by time, stably (requests with equal times keep their input
 * order); the same trace when it is already sorted. Object ids are not renumbered.
 */
export function sortByTime(trace: Trace): Trace {
  if (isSortedByTime(trace.time)) return trace;
  const order = Array.from({ length: trace.length }, (_, i) => i).sort(
    (a, b) => trace.time[a] - trace.time[b],
  );
  const permute = <T extends Float64Array | Uint32Array>(column: T): T => {
    const out = new (column.constructor as new (n: number) => T)(column.length);
    for (let i = 0; i < order.length; i++) out[i] = column[order[i]];
    return out;
  };
  const permuteDict = (dict?: DictColumn): DictColumn | undefined =>
    dict && { codes: permute(dict.codes), values: dict.values };
  return {
    ...trace,
    time: permute(trace.time),
    obj: permute(trace.obj),
    size: permute(trace.size),
    site: permuteDict(trace.site),
    user: permuteDict(trace.user),
    dataset: permuteDict(trace.dataset),
    op: permuteDict(trace.op),
    bytesRead: trace.bytesRead && permute(trace.bytesRead),
    // positions change, so a carried next-access column would be wrong; it is recomputed on demand
    nextAccess: undefined,
  };
}

function isSortedByTime(time: Float64Array): boolean {
  for (let i = 1; i < time.length; i++) if (time[i] < time[i - 1]) return false;
  return true;
}
