import { mix32 } from '../../common/random.js';
import type { ParamValues } from '../params.js';
import {
  type CacheControl,
  definePolicy,
  type Policy,
  type PolicyContext,
  PolicyNeedsCacheError,
} from '../policy.js';
import type { ObjList } from '../structs/dlist.js';
import { SizedQueues } from '../structs/sized-queues.js';

const WINDOW = 0;
const PROBATION = 1;
const PROTECTED = 2;

const SKETCH_DEPTH = 4;
/** counters per object id in a row: fewer collide often enough to change victims (see docs/policies.md) */
const COUNTERS_PER_ID = 4;
const COUNTER_MAX = 0xff;
/** sketch increments between two halvings, per counter of a row (Caffeine's sample size of 10 x entries) */
const SAMPLE_PER_COUNTER = 10;

const PARAMS = {
  'window-size': {
    type: 'number',
    default: 0.01,
    min: 0,
    max: 1,
    exclusiveMin: true,
    exclusiveMax: true,
    doc: 'share of the bytes for the window LRU; larger objects are not admitted',
  },
  'probation-size-ratio': {
    type: 'number',
    default: 0.2,
    min: 0,
    max: 1,
    exclusiveMin: true,
    exclusiveMax: true,
    doc: "share of the main SLRU's bytes for its probation segment (protected: the rest)",
  },
} as const;

/**
 * Count-min sketch of request frequencies: SKETCH_DEPTH rows of 8-bit saturating counters
 * indexed by double hashing of the object id; every counter is halved after
 * SAMPLE_PER_COUNTER x row width increments, so old popularity fades.
 */
class FrequencySketch {
  private readonly counters: Uint8Array;
  private readonly mask: number;
  private readonly period: number;
  private increments = 0;

  /** `objectCount` distinct ids: a row has the next power of two of COUNTERS_PER_ID counters per id. */
  constructor(objectCount: number) {
    const width = 2 ** Math.ceil(Math.log2(Math.max(2, COUNTERS_PER_ID * objectCount)));
    this.counters = new Uint8Array(width * SKETCH_DEPTH);
    this.mask = width - 1;
    this.period = SAMPLE_PER_COUNTER * width;
  }

  estimate(obj: number): number {
    const first = mix32(obj);
    const step = mix32(first) | 1;
    let least = COUNTER_MAX;
    for (let row = 0; row < SKETCH_DEPTH; row++) {
      least = Math.min(least, this.counters[this.cell(first, step, row)]);
    }
    return least;
  }

  add(obj: number): void {
    const first = mix32(obj);
    const step = mix32(first) | 1;
    for (let row = 0; row < SKETCH_DEPTH; row++) {
      const cell = this.cell(first, step, row);
      if (this.counters[cell] < COUNTER_MAX) this.counters[cell]++;
    }
    if (++this.increments >= this.period) this.halve();
  }

  /** Takes back the count of `obj` (its id is about to name another object). */
  subtract(obj: number): void {
    const count = this.estimate(obj);
    if (count === 0) return;
    const first = mix32(obj);
    const step = mix32(first) | 1;
    for (let row = 0; row < SKETCH_DEPTH; row++) this.counters[this.cell(first, step, row)] -= count;
  }

  private cell(first: number, step: number, row: number): number {
    return row * (this.mask + 1) + ((first + Math.imul(row, step)) & this.mask);
  }

  private halve(): void {
    this.increments = 0;
    for (let i = 0; i < this.counters.length; i++) this.counters[i] >>>= 1;
  }
}

/**
 * W-TinyLFU (Einziger et al., ACM ToS 2017) as libCacheSim WTinyLFU.c with its cachesim
 * defaults: a window LRU, a main segmented LRU (SLRU.c with seg-size=1:4: probation 20 %,
 * protected 80 % of the main bytes), and a frequency sketch that decides which of the
 * window's LRU object and main's victim stays.
 *
 * - New objects enter the window's head; a hit there moves them to its head and does not
 *   count. Objects larger than the window (`window-size` 0.01 of the bytes, truncated) or
 *   than probation are not admitted. The window is not kept to its share: it is drained
 *   only by evictions, as in libCacheSim.
 * - The sketch counts an insertion, a hit in main, and every time a window object is
 *   considered for main.
 * - Evicting: while the window holds objects, its LRU object moves to main when main has
 *   room, or when its estimate beats that of main's victim (which is evicted); otherwise it
 *   is evicted, which ends the eviction. With the window empty, main's victim goes.
 * - Main: a hit in probation promotes to protected's head; protected's overflow is demoted
 *   to probation's head, probation's overflow evicted, even during a hit. Objects enter
 *   probation, else protected when only it has room. Main's victim is probation's tail
 *   (protected's when probation is empty).
 *
 * Evictions other than the one returned by `evict` (main's victims, overflow during a hit)
 * are booked through the engine's cache, as libCacheSim evicts them inside its calls.
 *
 * Differences: libCacheSim's sketch has about 14 counters per byte of main and 10 xxHash
 * functions, so it never collides in practice, and it halves after 32 x main bytes hits in
 * main, so practically never; here the sketch is sized by the object ids (4 rows of at
 * least 4 counters per id, 8-bit, 16 to 32 bytes per id) and halves after 10 x row width
 * increments (Caffeine's rule). No doorkeeper (libCacheSim has none).
 */
class WTinyLfu implements Policy {
  private readonly queues: SizedQueues;
  private readonly window: ObjList;
  private readonly probation: ObjList;
  private readonly protectedSegment: ObjList;
  private readonly sketch: FrequencySketch;
  private readonly cache: CacheControl;
  private readonly windowCapacity: number;
  private readonly mainCapacity: number;
  private readonly probationCapacity: number;
  private readonly protectedCapacity: number;

  constructor(ctx: PolicyContext, params: ParamValues<typeof PARAMS>) {
    if (!ctx.cache) throw new PolicyNeedsCacheError('wtinylfu');
    this.cache = ctx.cache;
    const n = ctx.objectCount;
    this.queues = new SizedQueues(n, 3);
    this.window = this.queues.queue(WINDOW);
    this.probation = this.queues.queue(PROBATION);
    this.protectedSegment = this.queues.queue(PROTECTED);
    this.sketch = new FrequencySketch(n);
    this.windowCapacity = Math.trunc(ctx.capacity * params['window-size']);
    this.mainCapacity = ctx.capacity - this.windowCapacity;
    const probationShare = params['probation-size-ratio'];
    this.probationCapacity = Math.trunc(this.mainCapacity * probationShare);
    this.protectedCapacity = Math.trunc(this.mainCapacity * (1 - probationShare));
  }

  admit(_obj: number, size: number): boolean {
    return size <= this.windowCapacity && size <= this.probationCapacity;
  }

  hit(obj: number): void {
    const queue = this.queues.queueOf(obj);
    if (queue === WINDOW) {
      this.window.moveToHead(obj);
      return;
    }
    if (queue === PROTECTED) {
      this.protectedSegment.moveToHead(obj);
    } else {
      this.queues.move(obj, PROTECTED);
      while (this.protectedSegment.bytes > this.protectedCapacity) this.demoteProtected();
    }
    this.sketch.add(obj);
  }

  insert(obj: number, size: number): void {
    this.queues.add(obj, size, WINDOW);
    this.sketch.add(obj);
  }

  evict(): number {
    while (this.window.length > 0) {
      const candidate = this.window.tail;
      const size = this.queues.sizeOf(candidate);
      if (this.mainBytes() + size <= this.mainCapacity) {
        this.queues.drop(candidate);
        this.insertIntoMain(candidate, size);
      } else {
        const mainVictim = this.mainVictim();
        if (this.sketch.estimate(candidate) <= this.sketch.estimate(mainVictim)) {
          this.queues.drop(candidate);
          this.sketch.add(candidate);
          return candidate;
        }
        this.cache.evict(this.queues.drop(mainVictim));
        this.queues.drop(candidate);
        this.insertIntoMain(candidate, size);
      }
      this.sketch.add(candidate);
    }
    return this.queues.drop(this.mainVictim());
  }

  remove(obj: number): void {
    this.queues.drop(obj);
  }

  forget(obj: number): void {
    this.sketch.subtract(obj);
  }

  private mainBytes(): number {
    return this.probation.bytes + this.protectedSegment.bytes;
  }

  private mainVictim(): number {
    return this.probation.length > 0 ? this.probation.tail : this.protectedSegment.tail;
  }

  /** SLRU insertion: probation when it has room, else protected when it has, else probation after evicting from main. */
  private insertIntoMain(obj: number, size: number): void {
    if (this.probation.bytes + size <= this.probationCapacity) {
      this.queues.add(obj, size, PROBATION);
    } else if (this.protectedSegment.bytes + size <= this.protectedCapacity) {
      this.queues.add(obj, size, PROTECTED);
    } else {
      while (
        this.probation.length + this.protectedSegment.length > 0 &&
        this.mainBytes() + size > this.mainCapacity
      ) {
        this.cache.evict(this.queues.drop(this.mainVictim()));
      }
      this.queues.add(obj, size, PROBATION);
    }
  }

  private demoteProtected(): void {
    this.queues.move(this.protectedSegment.tail, PROBATION);
    while (this.probation.bytes > this.probationCapacity) {
      this.cache.evict(this.queues.drop(this.probation.tail));
    }
  }
}

export const wtinylfu = definePolicy({
  name: 'wtinylfu',
  description:
    'W-TinyLFU: window LRU, main segmented LRU, frequency sketch deciding admission to main (libCacheSim WTinyLFU)',
  params: PARAMS,
  create: (ctx, params) => new WTinyLfu(ctx, params),
});
