import { grown } from '../../common/typed-arrays.js';
import type { Policy, PolicyContext } from '../policy.js';
import { definePolicy } from '../policy.js';

const NIL = -1;
const INITIAL_BUCKETS = 1024;

/**
 * Least frequently used, as libCacheSim LFU.c: an object enters with count 1, each hit
 * adds 1, and the victim is the object of lowest count; among equal counts the one that
 * reached that count first goes (libCacheSim appends to a per-count FIFO and evicts its
 * head). Counts are forgotten on eviction.
 *
 * The same structure, in typed arrays: one FIFO of objects per count present in the cache
 * (a bucket), the buckets in a list by rising count, so every operation is O(1): a hit moves
 * the object to the bucket of the next count, created beside its own when missing.
 */
class Lfu implements Policy {
  /** per object: its bucket, and its neighbours in the bucket's FIFO (toward head, toward tail) */
  private readonly bucketOf: Int32Array;
  private readonly before: Int32Array;
  private readonly after: Int32Array;
  /** per bucket: its count, its FIFO's ends, the buckets of the next lower and higher count */
  private count = new Float64Array(INITIAL_BUCKETS);
  private head = new Int32Array(INITIAL_BUCKETS);
  private tail = new Int32Array(INITIAL_BUCKETS);
  private lower = new Int32Array(INITIAL_BUCKETS);
  private higher = new Int32Array(INITIAL_BUCKETS);
  /** the bucket of the lowest count (NIL: empty cache) */
  private lowest = NIL;
  /** buckets never used yet start here; freed ones are chained through `higher` */
  private unused = 0;
  private freed = NIL;

  constructor(ctx: PolicyContext) {
    this.bucketOf = new Int32Array(ctx.objectCount).fill(NIL);
    this.before = new Int32Array(ctx.objectCount);
    this.after = new Int32Array(ctx.objectCount);
  }

  insert(obj: number): void {
    let bucket = this.lowest;
    if (bucket === NIL || this.count[bucket] !== 1) {
      bucket = this.newBucket(1, NIL, bucket);
      this.lowest = bucket;
    }
    this.append(bucket, obj);
  }

  hit(obj: number): void {
    const from = this.bucketOf[obj];
    const next = this.count[from] + 1;
    let to = this.higher[from];
    if (to === NIL || this.count[to] !== next) to = this.newBucket(next, from, to);
    this.leave(from, obj);
    this.append(to, obj);
  }

  evict(): number {
    const bucket = this.lowest;
    const victim = this.head[bucket];
    this.leave(bucket, victim);
    this.bucketOf[victim] = NIL;
    return victim;
  }

  remove(obj: number): void {
    const bucket = this.bucketOf[obj];
    if (bucket === NIL) return;
    this.leave(bucket, obj);
    this.bucketOf[obj] = NIL;
  }

  private append(bucket: number, obj: number): void {
    const last = this.tail[bucket];
    this.bucketOf[obj] = bucket;
    this.before[obj] = last;
    this.after[obj] = NIL;
    if (last === NIL) this.head[bucket] = obj;
    else this.after[last] = obj;
    this.tail[bucket] = obj;
  }

  /** Takes `obj` out of its bucket's FIFO, and the bucket out of the list when that empties it. */
  private leave(bucket: number, obj: number): void {
    const b = this.before[obj];
    const a = this.after[obj];
    if (b === NIL) this.head[bucket] = a;
    else this.after[b] = a;
    if (a === NIL) this.tail[bucket] = b;
    else this.before[a] = b;
    if (this.head[bucket] === NIL) this.dropBucket(bucket);
  }

  /** A bucket of `count` between the buckets `lower` and `higher` (either may be NIL). */
  private newBucket(count: number, lower: number, higher: number): number {
    let bucket = this.freed;
    if (bucket !== NIL) this.freed = this.higher[bucket];
    else {
      if (this.unused === this.count.length) this.growBuckets();
      bucket = this.unused++;
    }
    this.count[bucket] = count;
    this.head[bucket] = NIL;
    this.tail[bucket] = NIL;
    this.lower[bucket] = lower;
    this.higher[bucket] = higher;
    if (lower !== NIL) this.higher[lower] = bucket;
    if (higher !== NIL) this.lower[higher] = bucket;
    return bucket;
  }

  private dropBucket(bucket: number): void {
    const lower = this.lower[bucket];
    const higher = this.higher[bucket];
    if (lower === NIL) this.lowest = higher;
    else this.higher[lower] = higher;
    if (higher !== NIL) this.lower[higher] = lower;
    this.higher[bucket] = this.freed;
    this.freed = bucket;
  }

  private growBuckets(): void {
    const size = this.count.length * 2;
    this.count = grown(this.count, size);
    this.head = grown(this.head, size);
    this.tail = grown(this.tail, size);
    this.lower = grown(this.lower, size);
    this.higher = grown(this.higher, size);
  }
}

export const lfu = definePolicy({
  name: 'lfu',
  params: {},
  description: 'least frequently used, ties evicted in the order they reached their count (libCacheSim LFU)',
  create: (ctx) => new Lfu(ctx),
});
