import type { PolicyContext, PolicySpec } from '../policy.js';
import { RankedPolicy } from './ranked.js';

/**
 * LFU with dynamic aging (Arlitt et al. 2000; compare libCacheSim LFUDA.c): priority
 * K = L + frequency, where L is the priority of the last victim, so objects that were
 * popular long ago lose out to newer ones. Evict the lowest K; ties go to the object
 * whose priority was set earliest, like libCacheSim's per-priority FIFO.
 */
class Lfuda extends RankedPolicy {
  private readonly count: Float64Array;
  private age = 0;

  constructor(ctx: PolicyContext) {
    super(ctx);
    this.count = new Float64Array(ctx.trace.objectCount);
  }

  protected rankOnInsert(obj: number): number {
    this.count[obj] = 1;
    return this.age + 1;
  }

  protected rankOnHit(obj: number): number {
    return this.age + ++this.count[obj];
  }

  protected override evicted(_victim: number, rank: number): void {
    this.age = rank;
  }
}

export const lfuda: PolicySpec = {
  name: 'lfuda',
  description: 'LFU with dynamic aging: evict lowest L + frequency',
  create: (ctx) => new Lfuda(ctx),
};
