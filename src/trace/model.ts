/**
 * The request model shared by every part of smartcache.
 *
 * A trace is columnar: one typed array per field, object keys interned to dense
 * integers 0..objectCount-1 so that a simulator indexes per-object state by array
 * position instead of hashing. Optional columns exist only when the input had them.
 */

/** One request, as readers produce it and writers consume it. */
export interface Request {
  /** seconds since the unix epoch (or since trace start for anonymous traces) */
  time: number;
  /** object key as it appeared in the input: a number for numeric ids, else text */
  key: number | bigint | string;
  /** object size in bytes */
  size: number;
  site?: string;
  user?: string;
  dataset?: string;
  /** operation, e.g. `read` or `write` */
  op?: string;
  /** bytes actually read by this request when it is not the whole object */
  bytesRead?: number;
  /**
   * Index (0-based request position) of the next request to the same object, or
   * Infinity when there is none. Present only when the input format carries it.
   */
  nextAccess?: number;
}

/** A string column stored as dictionary codes. */
export interface DictColumn {
  readonly codes: Uint32Array;
  readonly values: readonly string[];
}

/** Maps dense object indices back to the keys of the input. */
export interface ObjectKeys {
  readonly count: number;
  /** the key in the input's own form */
  key(obj: number): number | bigint | string;
}

export interface Trace {
  readonly length: number;
  readonly time: Float64Array;
  readonly obj: Uint32Array;
  readonly size: Float64Array;
  readonly keys: ObjectKeys;
  readonly objectCount: number;
  readonly site?: DictColumn;
  readonly user?: DictColumn;
  readonly dataset?: DictColumn;
  readonly op?: DictColumn;
  readonly bytesRead?: Float64Array;
  /** next request index per request (Infinity = never), when the input format carries it */
  readonly nextAccess?: Float64Array;
}

/** Bytes served by request i: the bytes read when known, else the whole object. */
export function servedBytes(trace: Trace, i: number): number {
  return trace.bytesRead ? trace.bytesRead[i] : trace.size[i];
}

/** Copies a request of a trace out as a Request record (for writers and tests, not hot paths). */
export function requestAt(trace: Trace, i: number): Request {
  const req: Request = { time: trace.time[i], key: trace.keys.key(trace.obj[i]), size: trace.size[i] };
  if (trace.site) req.site = trace.site.values[trace.site.codes[i]];
  if (trace.user) req.user = trace.user.values[trace.user.codes[i]];
  if (trace.dataset) req.dataset = trace.dataset.values[trace.dataset.codes[i]];
  if (trace.op) req.op = trace.op.values[trace.op.codes[i]];
  if (trace.bytesRead) req.bytesRead = trace.bytesRead[i];
  if (trace.nextAccess) req.nextAccess = trace.nextAccess[i];
  return req;
}

/**
 * Each object's size at its first request, in order of first request. Readers number objects
 * in that order, which makes it one sequential pass; other traces take a pass with a table.
 */
export function firstSeenSizes(trace: Trace): Float64Array {
  const { obj, size } = trace;
  const sizes = new Float64Array(trace.objectCount);
  let count = 0;
  let i = 0;
  for (; i < trace.length; i++) {
    const o = obj[i];
    if (o === count) sizes[count++] = size[i];
    else if (o > count) break;
  }
  if (i === trace.length) return sizes.subarray(0, count);
  const seen = new Uint8Array(trace.objectCount);
  count = 0;
  for (i = 0; i < trace.length; i++) {
    const o = obj[i];
    if (seen[o] === 0) {
      seen[o] = 1;
      sizes[count++] = size[i];
    }
  }
  return sizes.subarray(0, count);
}

/** Sum of each object's size when first seen: the bytes a cache needs to hold everything. */
export function uniqueBytes(trace: Trace): number {
  let total = uniqueBytesOf.get(trace);
  if (total === undefined) {
    total = 0;
    const sizes = firstSeenSizes(trace);
    for (let i = 0; i < sizes.length; i++) total += sizes[i];
    uniqueBytesOf.set(trace, total);
  }
  return total;
}

/** Computed once per trace: a run sizes its caches and its report from it. */
const uniqueBytesOf = new WeakMap<Trace, number>();

/** Records the unique bytes of a trace whose builder summed them while the requests arrived. */
export function rememberUniqueBytes(trace: Trace, total: number): void {
  uniqueBytesOf.set(trace, total);
}

/** The first `n` requests of a trace; objects keep their indices (some may no longer occur). */
export function traceHead(trace: Trace, n: number): Trace {
  if (n >= trace.length) return trace;
  const dict = (d?: DictColumn) => d && { codes: d.codes.subarray(0, n), values: d.values };
  return {
    ...trace,
    length: n,
    time: trace.time.subarray(0, n),
    obj: trace.obj.subarray(0, n),
    size: trace.size.subarray(0, n),
    site: dict(trace.site),
    user: dict(trace.user),
    dataset: dict(trace.dataset),
    op: dict(trace.op),
    bytesRead: trace.bytesRead?.subarray(0, n),
    nextAccess: trace.nextAccess?.subarray(0, n).map((j) => (j < n ? j : NO_NEXT_ACCESS)),
  };
}

export const NO_NEXT_ACCESS = Number.POSITIVE_INFINITY;

/**
 * Next request index of the same object for every request, -1 when none (32-bit: half the
 * memory of doubles, for Belady's ranks, prep's labels, the oracleGeneral writer). From the
 * trace's own next-access column when it has one; computed once per trace and kept while
 * the trace lives.
 */
export function nextRequestIndex(trace: Trace): Int32Array {
  let next = computedNextRequests.get(trace);
  if (!next) {
    next = trace.nextAccess
      ? Int32Array.from(trace.nextAccess, (j) => (j === NO_NEXT_ACCESS ? -1 : j))
      : computeNextRequests(trace);
    computedNextRequests.set(trace, next);
  }
  return next;
}

const computedNextRequests = new WeakMap<Trace, Int32Array>();

function computeNextRequests(trace: Trace): Int32Array {
  if (trace.length > 0x7fffffff)
    throw new RangeError(`a trace of ${trace.length} requests has too many for 32-bit indices`);
  const next = new Int32Array(trace.length);
  const lastSeen = new Int32Array(trace.objectCount).fill(-1);
  for (let i = trace.length - 1; i >= 0; i--) {
    const o = trace.obj[i];
    next[i] = lastSeen[o];
    lastSeen[o] = i;
  }
  return next;
}
