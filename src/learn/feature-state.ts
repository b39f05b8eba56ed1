/**
 * The one incremental definition of the prep features (FEATURE_NAMES, src/prep/schema.ts):
 * fed one request at a time, it writes the request's features and then records it. The batch
 * pass over a trace (online-features.ts), the model service's hint endpoint and cache nodes
 * all run it, so a model is fed the numbers it was trained on.
 *
 * Memory per key is what the windows need and nothing is capped: the times of a key's
 * requests within the longest window (7 days), and its distinct users. A key requested once
 * holds no buffer. Keys are dense integers (object or dataset ids); a caller that bounds how
 * many it tracks (the hint endpoint's LRU) `forget`s a key before reusing its id.
 */

import { DAY, HOUR } from '../common/time.js';
import { grown } from '../common/typed-arrays.js';
import { FEATURE_NAMES } from '../prep/schema.js';

const WEEK = 7 * DAY;

const column = (name: string): number => {
  const c = FEATURE_NAMES.indexOf(name);
  if (c < 0) throw new Error(`feature ${name} is not in the prep schema`);
  return c;
};
const LOG_SIZE = column('log_size');
const SINCE_LAST = column('since_last');
const COUNT_1H = column('count_1h');
const COUNT_1D = column('count_1d');
const COUNT_7D = column('count_7d');
const COUNT_EVER = column('count_ever');
const DATASET_COUNT_1D = column('dataset_count_1d');
const DISTINCT_USERS = column('distinct_users');
const AGE = column('age');
const HOUR_OF_DAY = column('hour_of_day');
const DAY_OF_WEEK = column('day_of_week');

/** A request earlier than the last one of its file or dataset: refused before anything changes. */
export class FeatureTimeError extends Error {
  constructor(
    readonly what: 'file' | 'dataset',
    readonly time: number,
    readonly last: number,
  ) {
    super(`time ${time} is earlier than ${last}, the last request of its ${what}`);
    this.name = 'FeatureTimeError';
  }
}

/** `array`, or a copy at least `size` long (doubling) whose new slots hold `fill`. */
export function grow<T extends Float64Array | Float32Array | Int32Array>(
  array: T,
  size: number,
  fill: number,
): T {
  if (size <= array.length) return array;
  const bigger = grown(array, Math.max(size, array.length * 2));
  bigger.fill(fill, array.length);
  return bigger;
}

/**
 * Per key, the times of its earlier requests within the longest window, oldest first, and
 * where each window starts among them: counts are "earlier requests with time > t - W".
 * A key with two or more requests inside the longest window holds a segment of one shared
 * pool (no object per key); a key requested once holds only its last time.
 */
class KeyWindows {
  private pool = new Float64Array(1 << 12);
  private poolEnd = 0;
  /** pool slots no key uses any more (moved or forgotten segments) */
  private waste = 0;
  private offset = new Int32Array(16).fill(-1);
  private capacity = new Int32Array(16);
  /** times held by the key's segment */
  private length = new Int32Array(16);
  /** per key, per window (key * windows + w): the oldest time still inside, relative to the segment */
  private starts = new Int32Array(16);
  last = new Float64Array(16).fill(Number.NaN);
  private readonly longest: number;

  constructor(private readonly windows: readonly number[]) {
    this.longest = windows[windows.length - 1];
    this.starts = new Int32Array(16 * windows.length);
  }

  ensure(keys: number): void {
    if (keys <= this.offset.length) return;
    this.offset = grow(this.offset, keys, -1);
    this.capacity = grow(this.capacity, keys, 0);
    this.length = grow(this.length, keys, 0);
    this.last = grow(this.last, keys, Number.NaN);
    this.starts = grow(this.starts, this.offset.length * this.windows.length, 0);
  }

  /** Where window `w` of `key` starts as of time `t`: its first time after t - W. */
  private start(key: number, w: number, t: number): number {
    const limit = t - this.windows[w];
    const offset = this.offset[key];
    const length = this.length[key];
    let start = this.starts[key * this.windows.length + w];
    while (start < length && this.pool[offset + start] <= limit) start++;
    return start;
  }

  /** Earlier requests of `key` within window `w` as of time `t`, before `record`; changes nothing. */
  count(key: number, w: number, t: number): number {
    if (this.offset[key] < 0) return this.last[key] > t - this.windows[w] ? 1 : 0;
    return this.length[key] - this.start(key, w, t);
  }

  record(key: number, t: number): void {
    if (this.offset[key] >= 0) {
      for (let w = 0; w < this.windows.length; w++)
        this.starts[key * this.windows.length + w] = this.start(key, w, t);
    }
    const previous = this.last[key];
    this.last[key] = t;
    if (this.offset[key] < 0) {
      if (!(previous > t - this.longest)) return;
      this.place(key, 4, 0);
      this.pool[this.offset[key]] = previous;
      this.length[key] = 1;
    }
    if (this.length[key] === this.capacity[key]) this.makeRoom(key);
    this.pool[this.offset[key] + this.length[key]++] = t;
  }

  /** Drops the times every window has passed; moves to a segment twice as large if still over half full. */
  private makeRoom(key: number): void {
    const base = key * this.windows.length;
    let oldest = this.starts[base];
    for (let w = 1; w < this.windows.length; w++) oldest = Math.min(oldest, this.starts[base + w]);
    const kept = this.length[key] - oldest;
    const offset = this.offset[key];
    this.pool.copyWithin(offset, offset + oldest, offset + this.length[key]);
    this.length[key] = kept;
    for (let w = 0; w < this.windows.length; w++) this.starts[base + w] -= oldest;
    if (kept * 2 > this.capacity[key]) this.place(key, this.capacity[key] * 2, kept);
  }

  /** Gives `key` a fresh segment of `size` slots at the pool's end, with the first `keep` times of its old one. */
  private place(key: number, size: number, keep: number): void {
    if (this.poolEnd + size > this.pool.length) this.repack(size);
    const old = this.offset[key];
    if (old >= 0) {
      this.pool.copyWithin(this.poolEnd, old, old + keep);
      this.waste += this.capacity[key];
    }
    this.offset[key] = this.poolEnd;
    this.capacity[key] = size;
    this.poolEnd += size;
  }

  /** Room for `size` more slots: segments packed into a new pool, twice as large when needed. */
  private repack(size: number): void {
    const used = this.poolEnd - this.waste;
    const length = Math.max(this.pool.length, 2 ** Math.ceil(Math.log2(2 * (used + size))));
    const pool = new Float64Array(length);
    let end = 0;
    for (let key = 0; key < this.offset.length; key++) {
      const offset = this.offset[key];
      if (offset < 0) continue;
      pool.set(this.pool.subarray(offset, offset + this.capacity[key]), end);
      this.offset[key] = end;
      end += this.capacity[key];
    }
    this.pool = pool;
    this.poolEnd = end;
    this.waste = 0;
  }

  forget(key: number): void {
    if (key >= this.offset.length) return;
    if (this.offset[key] >= 0) this.waste += this.capacity[key];
    this.offset[key] = -1;
    this.capacity[key] = 0;
    this.length[key] = 0;
    this.starts.fill(0, key * this.windows.length, (key + 1) * this.windows.length);
    this.last[key] = Number.NaN;
  }
}

export interface FeatureStateOptions {
  /** requests carry users; without, distinct_users is NULL (NaN) */
  users: boolean;
  /** requests carry datasets; without, dataset_count_1d is NULL (NaN) */
  datasets: boolean;
}

export class FeatureState {
  private readonly files = new KeyWindows([HOUR, DAY, WEEK]);
  private readonly datasets = new KeyWindows([DAY]);
  private seen = new Float64Array(16);
  private first = new Float64Array(16);
  /** a file's first user, and the set once it has two */
  private firstUser = new Int32Array(16);
  private userSets: (Set<number> | undefined)[] = [];

  constructor(private readonly options: FeatureStateOptions) {}

  /**
   * Writes the FEATURE_NAMES values of a request of file `file` into `out` at `offset` (NaN
   * for NULL) and records it. `user` and `dataset` are ids, 0 for none. A time earlier than the
   * file's or the dataset's last request is refused with FeatureTimeError, nothing recorded.
   */
  advance(
    file: number,
    time: number,
    size: number,
    user: number,
    dataset: number,
    out: Float64Array | Float32Array,
    offset: number,
  ): void {
    this.features(file, time, size, user, dataset, out, offset);
    this.record(file, time, user, dataset);
  }

  /**
   * The features `advance` writes, without recording the request: nothing changes, so a
   * caller can refuse the request after seeing them. `record` then records it.
   */
  features(
    file: number,
    time: number,
    size: number,
    user: number,
    dataset: number,
    out: Float64Array | Float32Array,
    offset: number,
  ): void {
    this.ensure(file, dataset);
    this.refuseEarlier(file, dataset, time);
    const earlier = this.seen[file];
    out[offset + LOG_SIZE] = Math.log(1 + size);
    out[offset + SINCE_LAST] = earlier === 0 ? Number.NaN : time - this.files.last[file];
    out[offset + COUNT_1H] = this.files.count(file, 0, time);
    out[offset + COUNT_1D] = this.files.count(file, 1, time);
    out[offset + COUNT_7D] = this.files.count(file, 2, time);
    out[offset + COUNT_EVER] = earlier;
    out[offset + AGE] = earlier === 0 ? 0 : time - this.first[file];
    out[offset + HOUR_OF_DAY] = Math.floor(time / HOUR) % 24;
    out[offset + DAY_OF_WEEK] = (Math.floor(time / DAY) + 3) % 7;
    out[offset + DATASET_COUNT_1D] =
      this.options.datasets && dataset !== 0 ? this.datasets.count(dataset, 0, time) : Number.NaN;
    out[offset + DISTINCT_USERS] = this.options.users ? this.usersWith(file, user) : Number.NaN;
  }

  /** Records a request whose `features` were just taken (the same arguments). */
  record(file: number, time: number, user: number, dataset: number): void {
    if (this.seen[file] === 0) this.first[file] = time;
    if (this.options.users) this.addUser(file, user);
    this.files.record(file, time);
    this.seen[file]++;
    if (dataset !== 0) this.datasets.record(dataset, time);
  }

  /** Distinct non-empty users of the file with this request's, without recording it. */
  private usersWith(file: number, user: number): number {
    const set = this.userSets[file];
    if (set) return set.size + (user !== 0 && !set.has(user) ? 1 : 0);
    const firstUser = this.firstUser[file];
    if (user === 0 || user === firstUser) return firstUser === 0 ? 0 : 1;
    return firstUser === 0 ? 1 : 2;
  }

  private addUser(file: number, user: number): void {
    const set = this.userSets[file];
    if (set) {
      if (user !== 0) set.add(user);
      return;
    }
    const firstUser = this.firstUser[file];
    if (user === 0 || user === firstUser) return;
    if (firstUser === 0) this.firstUser[file] = user;
    else this.userSets[file] = new Set([firstUser, user]);
  }

  private ensure(file: number, dataset: number): void {
    if (file >= this.seen.length) {
      this.seen = grow(this.seen, file + 1, 0);
      this.first = grow(this.first, file + 1, 0);
      this.firstUser = grow(this.firstUser, file + 1, 0);
    }
    this.files.ensure(file + 1);
    this.datasets.ensure(dataset + 1);
  }

  /**
   * Throws FeatureTimeError when `time` is before the last request of `file` or of `dataset`
   * (-1 and 0: not tracked); changes nothing either way.
   */
  refuseEarlier(file: number, dataset: number, time: number): void {
    const last = this.lastFileTime(file);
    if (time < last) throw new FeatureTimeError('file', time, last);
    const lastOfDataset =
      dataset > 0 && dataset < this.datasets.last.length ? this.datasets.last[dataset] : Number.NaN;
    if (time < lastOfDataset) throw new FeatureTimeError('dataset', time, lastOfDataset);
  }

  /** The time of the file's last request, NaN when none is recorded. */
  lastFileTime(file: number): number {
    return file >= 0 && file < this.files.last.length ? this.files.last[file] : Number.NaN;
  }

  /** Drops everything known about a file, so that its id can name another. */
  forgetFile(file: number): void {
    if (file >= this.seen.length) return;
    this.files.forget(file);
    this.seen[file] = 0;
    this.first[file] = 0;
    this.firstUser[file] = 0;
    this.userSets[file] = undefined;
  }

  forgetDataset(dataset: number): void {
    this.datasets.forget(dataset);
  }
}
