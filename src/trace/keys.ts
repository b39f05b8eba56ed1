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
  private table: Uint32Array;
  private mask: number;
  /** key of object o: low word at 2o, high word at 2o+1 (one cache line for both) */
  private keyWords: Uint32Array;
  count = 0;

  constructor(expected = 1024) {
    let cap = 1024;
    while (cap < expected * 2) cap *= 2;
    this.table = new Uint32Array(cap * SLOT_WORDS);
    this.mask = cap - 1;
    this.keyWords = new Uint32Array(2 * Math.max(16, expected));
  }

  /** Interns a key given as its high and low 32-bit words. */
  internWords(hi: number, lo: number): number {
    const table = this.table;
    let slot = hash(hi, lo) & this.mask;
    for (;;) {
      const at = slot * SLOT_WORDS;
      const stored = table[at + 1];
      if (stored === 0) break;
      if (table[at] === lo && this.keyWords[2 * stored - 1] === hi) return stored - 1;
      slot = (slot + 1) & this.mask;
    }
    const idx = this.count++;
    if (2 * idx === this.keyWords.length) this.growKeys();
    this.keyWords[2 * idx] = lo;
    this.keyWords[2 * idx + 1] = hi;
    this.place(slot, lo, idx);
    if (this.count * 2 > this.mask + 1) this.rehash();
    return idx;
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

  private growKeys(): void {
    this.keyWords = grown(this.keyWords, this.keyWords.length * 2);
  }

  private rehash(): void {
    const cap = (this.mask + 1) * 2;
    this.table = new Uint32Array(cap * SLOT_WORDS);
    this.mask = cap - 1;
    for (let idx = 0; idx < this.count; idx++) {
      const lo = this.keyWords[2 * idx];
      const hi = this.keyWords[2 * idx + 1];
      let slot = hash(hi, lo) & this.mask;
      while (this.table[slot * SLOT_WORDS + 1] !== 0) slot = (slot + 1) & this.mask;
      this.place(slot, lo, idx);
    }
  }
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
