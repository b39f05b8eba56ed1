/**
 * Object-key interning: maps the keys of an input to dense indices 0..count-1.
 *
 * Numeric keys (libCacheSim's u64 ids) use an open-addressing table over two
 * Uint32Arrays (high and low word) so that interning 100 M requests allocates
 * nothing per request. Text keys (logical file names) use a Map.
 */
import { grown } from '../common/typed-arrays.js';
import type { ObjectKeys } from './model.js';

const TWO_32 = 2 ** 32;
/**
 * Slot layout in the probe table: key low word, object index + 1 (0 = empty). The high word
 * is compared in `keyWords` when the low one matches (rarely in vain): the table stays a third
 * smaller, tens of MB at millions of objects.
 */
const SLOT_WORDS = 2;

export class NumericKeyInterner implements ObjectKeys {
  /** built at the first lookup, and again after keys were appended unchecked */
  private table = new Uint32Array(0);
  private mask = -1;
  private unindexed = true;
  /** key of object o: low word at 2o, high word at 2o+1 (one cache line for both) */
  private keyWords: Uint32Array;
  count = 0;

  constructor(private readonly expected = 1024) {
    this.keyWords = new Uint32Array(2 * Math.max(16, expected));
  }

  /** Interns a key given as its high and low 32-bit words. */
  internWords(hi: number, lo: number): number {
    if (this.unindexed) this.index();
    const table = this.table;
    let slot = hash(hi, lo) & this.mask;
    for (;;) {
      const at = slot * SLOT_WORDS;
      const stored = table[at + 1];
      if (stored === 0) break;
      if (table[at] === lo && this.keyWords[2 * stored - 1] === hi) return stored - 1;
      slot = (slot + 1) & this.mask;
    }
    const idx = this.appendKey(hi, lo);
    this.place(slot, lo, idx);
    if (this.count * 2 > this.mask + 1) this.rehash((this.mask + 1) * 2);
    return idx;
  }

  /**
   * Gives a key the next index without looking it up, for a reader that knows its first
   * requests and checks them all at once afterwards (`firstRepeatedKey`); the lookup table is
   * built only if something interns later.
   */
  appendUnchecked(hi: number, lo: number): number {
    this.unindexed = true;
    return this.appendKey(hi, lo);
  }

  /**
   * The lowest index whose key an object of lower index has too, or -1 when the keys are
   * distinct. Up to SORTED_CHECK_FROM keys, building the lookup table finds it (a short run
   * pays for each pass over the keys before the JIT has compiled it, and the table is small
   * enough to stay in cache); above, the keys sorted with their indices (radix, stable) and
   * equal neighbours compared, whose passes read and write in order.
   */
  firstRepeatedKey(): number {
    return this.count < SORTED_CHECK_FROM ? this.index() : this.firstRepeatedBySort();
  }

  private firstRepeatedBySort(): number {
    const n = this.count;
    const words = this.keyWords;
    let anyHigh = false;
    for (let i = 0; i < n && !anyHigh; i++) anyHigh = words[2 * i + 1] !== 0;
    // the keys travel with their indices, so every pass reads its input in order; the high
    // words only when a key has one
    const columns = (): KeyColumns => ({
      lo: new Uint32Array(n),
      hi: anyHigh ? new Uint32Array(n) : undefined,
      idx: new Uint32Array(n),
    });
    let sorted = columns();
    let spare = columns();
    for (let i = 0; i < n; i++) {
      sorted.lo[i] = words[2 * i];
      if (sorted.hi) sorted.hi[i] = words[2 * i + 1];
      sorted.idx[i] = i;
    }
    for (const word of anyHigh ? (['lo', 'hi'] as const) : (['lo'] as const)) {
      for (const shift of RADIX_SHIFTS) {
        radixPass(sorted, spare, sorted[word] as Uint32Array, shift);
        [sorted, spare] = [spare, sorted];
      }
    }
    const { lo, hi, idx } = sorted;
    let repeated = -1;
    for (let k = 1; k < n; k++) {
      const same = lo[k] === lo[k - 1] && (!hi || hi[k] === hi[k - 1]);
      if (same && (repeated === -1 || idx[k] < repeated)) repeated = idx[k];
    }
    return repeated;
  }

  /** True when object `obj` has the key given by these words. */
  hasKey(obj: number, hi: number, lo: number): boolean {
    return obj < this.count && this.keyWords[2 * obj] === lo && this.keyWords[2 * obj + 1] === hi;
  }

  /** Interns a non-negative integer key below 2^53. */
  intern(key: number): number {
    return this.internWords(Math.floor(key / TWO_32) >>> 0, key >>> 0);
  }

  key(obj: number): number | bigint {
    const [hi, lo] = this.words(obj);
    if (hi < 0x200000) return hi * TWO_32 + lo;
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** High and low words of an object's key, for binary writers. */
  words(obj: number): [number, number] {
    return [this.keyWords[2 * obj + 1], this.keyWords[2 * obj]];
  }

  private place(slot: number, lo: number, idx: number): void {
    const at = slot * SLOT_WORDS;
    this.table[at] = lo;
    this.table[at + 1] = idx + 1;
  }

  private appendKey(hi: number, lo: number): number {
    const idx = this.count++;
    if (2 * idx === this.keyWords.length) this.growKeys();
    this.keyWords[2 * idx] = lo;
    this.keyWords[2 * idx + 1] = hi;
    return idx;
  }

  /**
   * Builds the lookup table for the keys so far, with room for the expected count; returns
   * the first index whose key an earlier one has, else -1.
   */
  private index(): number {
    let cap = 1024;
    while (cap < Math.max(this.expected, this.count) * 2) cap *= 2;
    this.unindexed = false;
    return this.rehash(cap);
  }

  private growKeys(): void {
    this.keyWords = grown(this.keyWords, this.keyWords.length * 2);
  }

  /**
   * Places every key in a new table of `cap` slots; returns the first index whose key an
   * earlier one has (placed too, after it), else -1.
   */
  private rehash(cap: number): number {
    const table = new Uint32Array(cap * SLOT_WORDS);
    const mask = cap - 1;
    const words = this.keyWords;
    this.table = table;
    this.mask = mask;
    let repeated = -1;
    for (let idx = 0; idx < this.count; idx++) {
      const lo = words[2 * idx];
      const hi = words[2 * idx + 1];
      let slot = hash(hi, lo) & mask;
      for (let stored = table[slot * SLOT_WORDS + 1]; stored !== 0; stored = table[slot * SLOT_WORDS + 1]) {
        if (repeated < 0 && table[slot * SLOT_WORDS] === lo && words[2 * stored - 1] === hi) repeated = idx;
        slot = (slot + 1) & mask;
      }
      this.place(slot, lo, idx);
    }
    return repeated;
  }
}

/** From this many keys `firstRepeatedKey` sorts instead of building the table (which is then 1 MB). */
const SORTED_CHECK_FROM = 1 << 16;

/** Radix digits of a 32-bit word: 11, 11 and 10 bits. */
const RADIX_SHIFTS = [0, 11, 22];
const RADIX_BUCKETS = 1 << 11;

interface KeyColumns {
  lo: Uint32Array;
  /** absent when no key has a high word */
  hi: Uint32Array | undefined;
  idx: Uint32Array;
}

/** One stable counting-sort pass of `from` into `to` by 11 bits of `digits` (one of from's key words). */
function radixPass(from: KeyColumns, to: KeyColumns, digits: Uint32Array, shift: number): void {
  const counts = new Uint32Array(RADIX_BUCKETS + 1);
  const n = digits.length;
  for (let k = 0; k < n; k++) counts[((digits[k] >>> shift) & (RADIX_BUCKETS - 1)) + 1]++;
  for (let d = 1; d <= RADIX_BUCKETS; d++) counts[d] += counts[d - 1];
  carry(from.lo, to.lo, digits, shift, counts.slice());
  if (from.hi && to.hi) carry(from.hi, to.hi, digits, shift, counts.slice());
  carry(from.idx, to.idx, digits, shift, counts);
}

/** Moves one column to the places the digits give (`starts`: each digit's first place, advanced). */
function carry(
  from: Uint32Array,
  to: Uint32Array,
  digits: Uint32Array,
  shift: number,
  starts: Uint32Array,
): void {
  for (let k = 0; k < digits.length; k++) to[starts[(digits[k] >>> shift) & (RADIX_BUCKETS - 1)]++] = from[k];
}

function hash(hi: number, lo: number): number {
  let h = Math.imul(lo ^ (lo >>> 16), 0x7feb352d);
  h ^= Math.imul(hi ^ (hi >>> 15), 0x846ca68b);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

export class TextKeyInterner implements ObjectKeys {
  private readonly index = new Map<string, number>();
  private readonly names: string[] = [];

  get count(): number {
    return this.names.length;
  }

  intern(key: string): number {
    let idx = this.index.get(key);
    if (idx === undefined) {
      idx = this.names.length;
      this.names.push(key);
      this.index.set(key, idx);
    }
    return idx;
  }

  key(obj: number): string {
    return this.names[obj];
  }
}
