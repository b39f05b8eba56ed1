import type { PolicyContext } from '../policy.js';
import { definePolicy } from '../policy.js';
import { RankedPolicy } from './ranked.js';

/**
 * Least frequently used, as libCacheSim LFU.c: an object enters with count 1, each hit
 * adds 1, and the victim is the object of lowest count; among equal counts the one that
 * reached that count first goes (libCacheSim appends to a per-count FIFO and evicts its
 * head). Counts are forgotten on eviction.
 */
class Lfu extends RankedPolicy {
  private readonly count: Float64Array;

  constructor(ctx: PolicyContext) {
    super(ctx);
    this.count = new Float64Array(ctx.objectCount);
  }

  protected rankOnInsert(obj: number): number {
    this.count[obj] = 1;
    return 1;
  }

  protected rankOnHit(obj: number): number {
    return ++this.count[obj];
  }
}

export const lfu = definePolicy({
  name: 'lfu',
  params: {},
  description: 'least frequently used, ties evicted in the order they reached their count (libCacheSim LFU)',
  create: (ctx) => new Lfu(ctx),
});
