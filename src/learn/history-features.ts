/**
 * Per-object request history for LRB-style eviction (policies/lrb.ts): the features of an
 * object *as of any moment*, not only at its own requests, because LRB scores eviction
 * candidates when it evicts. Time is logical (requests seen), as in LRB, so one setting fits
 * traces of any rate; docs/learn.md defines every column.
 *
 * Everything is typed arrays sized by the object count (datasets grow on demand): the last
 * `gaps` inter-request gaps of each object in a ring, exponentially decayed counters (EDCs)
 * at five half-lives, size, first and last request, request count, and per dataset its
 * recency, decayed request rates, files seen, files requested within the memory window and
 * a decayed share of requests that read a file for the first time in the window (a job's
 * pass over the dataset), and of the user of the object's last request its recency, decayed
 * request rate and how often it moved to another dataset since (tasks it ran since, about).
 * Recording a request or writing features allocates nothing.
 *
 * The memory window: objects requested within the last `window` requests, in recency order
 * (an intrusive list) and in an indexed set to draw from uniformly (LRB samples its
 * training rows there). `expire` moves the objects whose last request left the window out.
 */
import type { Random } from '../common/random.js';
import { ListPool, ObjList } from '../sim/structs/dlist.js';
import { IndexedSet } from '../sim/structs/indexed-set.js';
import { grow } from './feature-state.js';

/** the most past gaps kept per object (LRB's 32 deltas) */
export const MAX_GAPS = 32;
/** half-lives of the per-object decayed counters, in requests (LRB: 2^9 .. 2^18) */
export const EDC_HALF_LIVES = [2 ** 10, 2 ** 12, 2 ** 14, 2 ** 16, 2 ** 18] as const;
/** half-lives of the dataset request rates */
const DATASET_RATE_HALF_LIVES = [2 ** 12, 2 ** 16] as const;
/** half-life of the dataset's first-read share */
const DATASET_SCAN_HALF_LIFE = 2 ** 14;

const EDC_DECAY = EDC_HALF_LIVES.map((h) => Math.LN2 / h);
const RATE_DECAY = DATASET_RATE_HALF_LIVES.map((h) => Math.LN2 / h);
const SCAN_DECAY = Math.LN2 / DATASET_SCAN_HALF_LIFE;
const EDCS = EDC_HALF_LIVES.length;
/** half-octave bins of the reuse-gap histogram, up to 2^64 requests */
const GAP_BINS = 128;
/** half-life of a user's request rate */
const USER_RATE_DECAY = Math.LN2 / 2 ** 14;
/** user columns: since last, rate, dataset switches since the object's last request */
const USER_COLUMNS = 3;
/** dataset columns: since last, two rates, window share, first reads, files */
const DATASET_COLUMNS = 6;

/** Column names for `gaps` past gaps, in the order `features` writes them. */
export function historyFeatureNames(gaps: number): string[] {
  return [
    'log_size',
    'since_last',
    ...Array.from({ length: gaps }, (_, k) => `gap_${k + 1}`),
    ...EDC_HALF_LIVES.map((h) => `edc_${h}`),
    'log_count',
    'age',
    'dataset_since_last',
    ...DATASET_RATE_HALF_LIVES.map((h) => `dataset_rate_${h}`),
    'dataset_window_share',
    'dataset_first_reads',
    'dataset_log_files',
    'user_since_last',
    'user_rate',
    'user_switches_since',
  ];
}

export class HistoryGapsError extends RangeError {
  constructor(gaps: number) {
    super(`history gaps must be an integer in 1..${MAX_GAPS}, got ${gaps}`);
    this.name = 'HistoryGapsError';
  }
}

export class ObjectHistory {
  /** columns `features` writes */
  readonly width: number;
  /** logical time of each object's last request (NaN: none) */
  readonly last: Float64Array;
  private readonly first: Float64Array;
  private readonly count: Float64Array;
  private readonly size: Float64Array;
  private readonly ring: Float32Array;
  private readonly ringHead: Uint8Array;
  /** EDC values as of the object's last request */
  private readonly edc: Float64Array;
  private readonly datasetOf: Int32Array;
  private readonly window: IndexedSet;
  private readonly recency: ObjList;
  private span = Number.POSITIVE_INFINITY;
  /** reuse gaps seen, by half-octave: bin k holds gaps in [2^(k/2), 2^((k+1)/2)) */
  private readonly gapBins = new Float64Array(GAP_BINS);
  /** per bin, the sum of size x gap of its reuses: the cache space-time that keeping them takes */
  private readonly gapSpaceTime = new Float64Array(GAP_BINS);
  private reuses = 0;

  private dsLast = new Float64Array(16).fill(Number.NaN);
  /** per dataset: rates (RATE_DECAY) at 2d, 2d + 1; all and first-read counters for the share */
  private dsRate = new Float64Array(32);
  private dsReads = new Float64Array(16);
  private dsFirstReads = new Float64Array(16);
  private dsFiles = new Float64Array(16);
  private dsActive = new Float64Array(16);

  /** the user of each object's last request (0: none), and that user's switch count then */
  private readonly userOf: Int32Array;
  private readonly switchesAtRead: Float64Array;
  private userLast = new Float64Array(16).fill(Number.NaN);
  private userRate = new Float64Array(16);
  private userDataset = new Int32Array(16);
  /** per user, how often its requests moved to another dataset: tasks, roughly */
  private userSwitches = new Float64Array(16);

  constructor(
    objectCount: number,
    readonly gaps: number,
    private readonly datasets: boolean,
    private readonly users: boolean,
  ) {
    if (!(Number.isInteger(gaps) && gaps >= 1 && gaps <= MAX_GAPS)) throw new HistoryGapsError(gaps);
    this.width = historyFeatureNames(gaps).length;
    this.last = new Float64Array(objectCount).fill(Number.NaN);
    this.first = new Float64Array(objectCount);
    this.count = new Float64Array(objectCount);
    this.size = new Float64Array(objectCount);
    this.ring = new Float32Array(objectCount * gaps);
    this.ringHead = new Uint8Array(objectCount);
    this.edc = new Float64Array(objectCount * EDCS);
    this.datasetOf = new Int32Array(objectCount);
    this.userOf = new Int32Array(objectCount);
    this.switchesAtRead = new Float64Array(objectCount);
    this.window = new IndexedSet(objectCount);
    this.recency = new ObjList(new ListPool(objectCount));
  }

  /** The memory window in requests; until it is set nothing leaves the window. */
  setWindow(requests: number): void {
    this.span = requests;
  }

  /** Records a request of `obj` at logical time `t` (non-decreasing); `dataset` and `user` 0 are none. */
  record(obj: number, t: number, size: number, dataset: number, user: number): void {
    const c = this.count[obj];
    const e = obj * EDCS;
    if (c > 0) {
      const gap = t - this.last[obj];
      const bin = Math.min(GAP_BINS - 1, Math.floor(2 * Math.log2(1 + gap)));
      this.gapBins[bin]++;
      this.gapSpaceTime[bin] += size * gap;
      this.reuses++;
      const g = this.gaps;
      const head = this.ringHead[obj];
      this.ring[obj * g + head] = gap;
      this.ringHead[obj] = head + 1 === g ? 0 : head + 1;
      for (let k = 0; k < EDCS; k++) this.edc[e + k] = 1 + this.edc[e + k] * Math.exp(-gap * EDC_DECAY[k]);
    } else {
      this.first[obj] = t;
      for (let k = 0; k < EDCS; k++) this.edc[e + k] = 1;
    }
    this.count[obj] = c + 1;
    this.last[obj] = t;
    this.size[obj] = size;
    const fresh = !this.window.has(obj);
    if (fresh) {
      this.window.add(obj);
      this.recency.pushHead(obj);
    } else {
      this.recency.moveToHead(obj);
    }
    if (this.datasets && dataset > 0) this.recordDataset(obj, t, dataset, c === 0, fresh);
    if (this.users && user > 0) this.recordUser(obj, t, user, dataset);
  }

  private recordUser(obj: number, t: number, user: number, dataset: number): void {
    if (user >= this.userLast.length) {
      this.userLast = grow(this.userLast, user + 1, Number.NaN);
      this.userRate = grow(this.userRate, user + 1, 0);
      this.userDataset = grow(this.userDataset, user + 1, 0);
      this.userSwitches = grow(this.userSwitches, user + 1, 0);
    }
    const since = Number.isNaN(this.userLast[user]) ? 0 : t - this.userLast[user];
    this.userRate[user] = 1 + this.userRate[user] * Math.exp(-since * USER_RATE_DECAY);
    if (dataset !== this.userDataset[user]) this.userSwitches[user]++;
    this.userDataset[user] = dataset;
    this.userLast[user] = t;
    this.userOf[obj] = user;
    this.switchesAtRead[obj] = this.userSwitches[user];
  }

  private recordDataset(
    obj: number,
    t: number,
    dataset: number,
    firstRequest: boolean,
    fresh: boolean,
  ): void {
    this.ensureDataset(dataset);
    if (firstRequest || this.datasetOf[obj] === 0) {
      this.datasetOf[obj] = dataset;
      this.dsFiles[dataset]++;
    }
    const d = this.datasetOf[obj];
    const since = Number.isNaN(this.dsLast[d]) ? 0 : t - this.dsLast[d];
    for (let k = 0; k < RATE_DECAY.length; k++)
      this.dsRate[2 * d + k] = 1 + this.dsRate[2 * d + k] * Math.exp(-since * RATE_DECAY[k]);
    const decay = Math.exp(-since * SCAN_DECAY);
    this.dsReads[d] = 1 + this.dsReads[d] * decay;
    this.dsFirstReads[d] = (fresh ? 1 : 0) + this.dsFirstReads[d] * decay;
    if (fresh) this.dsActive[d]++;
    this.dsLast[d] = t;
  }

  private ensureDataset(dataset: number): void {
    if (dataset < this.dsLast.length) return;
    const n = dataset + 1;
    this.dsLast = grow(this.dsLast, n, Number.NaN);
    this.dsRate = grow(this.dsRate, 2 * this.dsLast.length, 0);
    this.dsReads = grow(this.dsReads, n, 0);
    this.dsFirstReads = grow(this.dsFirstReads, n, 0);
    this.dsFiles = grow(this.dsFiles, n, 0);
    this.dsActive = grow(this.dsActive, n, 0);
  }

  /**
   * The `q` quantile of the reuse gaps recorded so far (requests between two requests of an
   * object), to a half octave: the upper end of its bin; 0 before any reuse.
   */
  reuseGapQuantile(q: number): number {
    let seen = 0;
    for (let k = 0; k < GAP_BINS; k++) {
      seen += this.gapBins[k];
      if (seen > 0 && seen >= q * this.reuses) return 2 ** ((k + 1) / 2) - 1;
    }
    return 0;
  }

  /**
   * Where Belady's boundary lies for a cache of `capacity` bytes, estimated as in the
   * PFOO-L bound (Berger, Beckmann & Harchol-Balter, SIGMETRICS 2018): keeping the reuses of
   * shortest gap first, each costs size x gap of cache space-time, and `span` requests give
   * capacity x span of it; the boundary is the gap (to a half octave) at which it runs out.
   * Infinity when every recorded reuse fits.
   */
  beladyBoundary(capacity: number, span: number): number {
    const budget = capacity * span;
    let used = 0;
    for (let k = 0; k < GAP_BINS; k++) {
      used += this.gapSpaceTime[k];
      if (used >= budget) return 2 ** ((k + 1) / 2) - 1;
    }
    return Number.POSITIVE_INFINITY;
  }

  /** Moves the objects whose last request is more than the window before `t` out of it. */
  expire(t: number): void {
    const list = this.recency;
    while (list.length > 0 && t - this.last[list.tail] > this.span) {
      const obj = list.popTail();
      this.window.remove(obj);
      const d = this.datasetOf[obj];
      if (d > 0) this.dsActive[d]--;
    }
  }

  /** A uniformly drawn object of the memory window, -1 when it is empty. */
  drawFromWindow(rng: Random): number {
    const n = this.window.size;
    return n === 0 ? -1 : this.window.at(rng.int(n));
  }

  /** Writes the features of `obj` as of logical time `t` into `out` at `offset` (NaN: missing). */
  features(obj: number, t: number, out: Float32Array, offset: number): void {
    const c = this.count[obj];
    const since = t - this.last[obj];
    out[offset] = Math.log1p(this.size[obj]);
    out[offset + 1] = c > 0 ? since : Number.NaN;
    const g = this.gaps;
    const stored = Math.min(c - 1, g);
    const head = this.ringHead[obj];
    let o = offset + 2;
    for (let k = 0; k < g; k++) {
      if (k < stored) {
        const slot = head - 1 - k;
        out[o++] = this.ring[obj * g + (slot < 0 ? slot + g : slot)];
      } else {
        out[o++] = Number.NaN;
      }
    }
    const e = obj * EDCS;
    for (let k = 0; k < EDCS; k++) out[o++] = c > 0 ? this.edc[e + k] * Math.exp(-since * EDC_DECAY[k]) : 0;
    out[o++] = Math.log1p(c);
    out[o++] = c > 0 ? t - this.first[obj] : Number.NaN;
    const d = this.datasetOf[obj];
    if (d === 0) {
      for (let k = 0; k < DATASET_COLUMNS; k++) out[o++] = Number.NaN;
    } else {
      const dsSince = t - this.dsLast[d];
      out[o++] = dsSince;
      for (let k = 0; k < RATE_DECAY.length; k++)
        out[o++] = this.dsRate[2 * d + k] * Math.exp(-dsSince * RATE_DECAY[k]);
      out[o++] = this.dsActive[d] / this.dsFiles[d];
      out[o++] = this.dsFirstReads[d] / this.dsReads[d];
      out[o++] = Math.log1p(this.dsFiles[d]);
    }
    const u = this.userOf[obj];
    if (u === 0) {
      for (let k = 0; k < USER_COLUMNS; k++) out[o++] = Number.NaN;
      return;
    }
    const userSince = t - this.userLast[u];
    out[o++] = userSince;
    out[o++] = this.userRate[u] * Math.exp(-userSince * USER_RATE_DECAY);
    out[o] = this.userSwitches[u] - this.switchesAtRead[obj];
  }

  /** Drops everything known about `obj`, so that its id can name another object. */
  forget(obj: number): void {
    if (this.window.has(obj)) {
      this.window.remove(obj);
      this.recency.unlink(obj);
      const d = this.datasetOf[obj];
      if (d > 0) this.dsActive[d]--;
    }
    const d = this.datasetOf[obj];
    if (d > 0) this.dsFiles[d]--;
    this.last[obj] = Number.NaN;
    this.first[obj] = 0;
    this.count[obj] = 0;
    this.size[obj] = 0;
    this.ringHead[obj] = 0;
    this.datasetOf[obj] = 0;
    this.userOf[obj] = 0;
    this.switchesAtRead[obj] = 0;
    this.edc.fill(0, obj * EDCS, (obj + 1) * EDCS);
  }
}
