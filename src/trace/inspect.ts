/**
 * Statistics of a trace that tell what a cache can do with it: volume, reuse,
 * popularity skew, LRU stack distances, who asks for what, and object sizes.
 * Everything runs over the typed columns in O(n log n) at worst.
 */
import { type DictColumn, firstSeenSizes, servedBytes, type Trace } from './model.js';

export interface ZipfFit {
  /** exponent: frequency ~ rank^-alpha */
  alpha: number;
  /** coefficient of determination of the log-log least-squares line */
  r2: number;
  /** ranks (objects) the line was fitted over */
  ranks: number;
}

export interface ReuseBucket {
  /** smallest stack distance in the bucket */
  from: number;
  /** largest stack distance in the bucket */
  to: number;
  requests: number;
}

export interface ReuseDistances {
  /** first requests of their object: misses for any cache */
  coldMisses: number;
  /** distance 0, then [1,1], [2,3], [4,7], ... up to the largest seen; empty buckets included */
  buckets: ReuseBucket[];
}

export interface TopValue {
  value: string;
  requests: number;
  bytes: number;
}

export interface SizePercentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface TraceStats {
  requests: number;
  uniqueObjects: number;
  /** bytes served: bytes read where the trace has them, else object sizes */
  totalBytes: number;
  /** sum of each object's size when first requested */
  uniqueBytes: number;
  /** time of the first and last request and their difference, seconds */
  firstTime: number;
  lastTime: number;
  spanSeconds: number;
  /** objects requested exactly once / unique objects */
  oneHitWonderRatio: number;
  /** fit over every requested object, most popular first */
  zipf: ZipfFit;
  /** exact LRU stack distances: distinct other objects between consecutive requests to an object */
  reuse: ReuseDistances;
  /** percentiles of object sizes (first-seen size of each object) */
  objectSizes: SizePercentiles;
  /** the most frequent values of each column the trace has, most requests first */
  top: { site?: TopValue[]; user?: TopValue[]; dataset?: TopValue[] };
}

export interface InspectOptions {
  /** how many values per column in `top` (default 10) */
  topCount?: number;
}

export function inspectTrace(trace: Trace, options: InspectOptions = {}): TraceStats {
  const topCount = options.topCount ?? 10;
  const n = trace.length;
  const frequency = requestCounts(trace);
  const firstSizes = firstSeenSizes(trace);
  let totalBytes = 0;
  for (let i = 0; i < n; i++) totalBytes += servedBytes(trace, i);
  let uniqueBytes = 0;
  for (const size of firstSizes) uniqueBytes += size;
  const firstTime = n > 0 ? trace.time[0] : 0;
  const lastTime = n > 0 ? trace.time[n - 1] : 0;
  return {
    requests: n,
    uniqueObjects: firstSizes.length,
    totalBytes,
    uniqueBytes,
    firstTime,
    lastTime,
    spanSeconds: lastTime - firstTime,
    oneHitWonderRatio: oneHitWonderRatio(frequency),
    zipf: fitZipf(frequency),
    reuse: reuseDistances(trace),
    objectSizes: percentiles(firstSizes),
    top: {
      site: trace.site && topValues(trace, trace.site, topCount),
      user: trace.user && topValues(trace, trace.user, topCount),
      dataset: trace.dataset && topValues(trace, trace.dataset, topCount),
    },
  };
}

/** Requests per object id (zero for ids the trace never requests). */
function requestCounts(trace: Trace): Uint32Array {
  const counts = new Uint32Array(trace.objectCount);
  for (let i = 0; i < trace.length; i++) counts[trace.obj[i]]++;
  return counts;
}

function oneHitWonderRatio(frequency: Uint32Array): number {
  let requested = 0;
  let once = 0;
  for (const f of frequency) {
    if (f > 0) requested++;
    if (f === 1) once++;
  }
  return requested === 0 ? 0 : once / requested;
}

/**
 * Least-squares line through (log rank, log frequency) over all requested objects.
 * Objects are ranked by a counting sort on frequency, so no comparison sort is needed.
 */
export function fitZipf(frequency: Uint32Array): ZipfFit {
  let maxFrequency = 0;
  for (const f of frequency) if (f > maxFrequency) maxFrequency = f;
  const objectsWith = new Uint32Array(maxFrequency + 1);
  for (const f of frequency) objectsWith[f]++;
  let rank = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let f = maxFrequency; f >= 1; f--) {
    const y = Math.log(f);
    for (let k = 0; k < objectsWith[f]; k++) {
      const x = Math.log(++rank);
      sx += x;
      sy += y;
      sxx += x * x;
      sxy += x * y;
      syy += y * y;
    }
  }
  const varX = rank * sxx - sx * sx;
  const varY = rank * syy - sy * sy;
  const cov = rank * sxy - sx * sy;
  if (rank < 2 || varX === 0) return { alpha: 0, r2: 0, ranks: rank };
  const r2 = varY === 0 ? 1 : (cov * cov) / (varX * varY);
  return { alpha: -cov / varX, r2, ranks: rank };
}

/**
 * Exact LRU stack distance of every re-request. A Fenwick tree over request positions
 * marks the latest request of each object; the distance of a re-request at i whose
 * previous request was at p is the number of marks after p, i.e. the distinct objects
 * requested in between.
 */
export function reuseDistances(trace: Trace): ReuseDistances {
  const n = trace.length;
  const tree = new Int32Array(n + 1);
  const lastSeen = new Int32Array(trace.objectCount).fill(-1);
  const histogram = new Float64Array(33);
  let distinct = 0;
  let coldMisses = 0;
  for (let i = 0; i < n; i++) {
    const o = trace.obj[i];
    const p = lastSeen[o];
    if (p < 0) {
      coldMisses++;
      distinct++;
    } else {
      const distance = distinct - prefixSum(tree, p + 1);
      histogram[distance === 0 ? 0 : 32 - Math.clz32(distance)]++;
      add(tree, p + 1, -1);
    }
    add(tree, i + 1, 1);
    lastSeen[o] = i;
  }
  return { coldMisses, buckets: bucketsOf(histogram) };
}

function add(tree: Int32Array, position: number, delta: number): void {
  for (let k = position; k < tree.length; k += k & -k) tree[k] += delta;
}

function prefixSum(tree: Int32Array, position: number): number {
  let sum = 0;
  for (let k = position; k > 0; k -= k & -k) sum += tree[k];
  return sum;
}

function bucketsOf(histogram: Float64Array): ReuseBucket[] {
  let last = histogram.length - 1;
  while (last >= 0 && histogram[last] === 0) last--;
  const buckets: ReuseBucket[] = [];
  for (let b = 0; b <= last; b++) {
    const from = b === 0 ? 0 : 2 ** (b - 1);
    const to = b === 0 ? 0 : 2 ** b - 1;
    buckets.push({ from, to, requests: histogram[b] });
  }
  return buckets;
}

/** Nearest-rank percentiles. */
function percentiles(values: Float64Array): SizePercentiles {
  if (values.length === 0) return { p50: 0, p90: 0, p99: 0, max: 0 };
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted[sorted.length - 1] };
}

function topValues(trace: Trace, column: DictColumn, count: number): TopValue[] {
  const requests = new Float64Array(column.values.length);
  const bytes = new Float64Array(column.values.length);
  for (let i = 0; i < trace.length; i++) {
    const code = column.codes[i];
    requests[code]++;
    bytes[code] += servedBytes(trace, i);
  }
  const codes = Array.from(requests.keys()).filter((c) => requests[c] > 0);
  codes.sort((a, b) => requests[b] - requests[a] || a - b);
  return codes
    .slice(0, count)
    .map((c) => ({ value: column.values[c], requests: requests[c], bytes: bytes[c] }));
}
