import type { PolicyContext } from '../policy.js';
import { definePolicy } from '../policy.js';
import { RankedPolicy } from './ranked.js';

/**
 * GreedyDual-Size-Frequency (Cherkasova 1998; libCacheSim cpp/GDSF.cpp): priority
 * H = L + frequency / size, where L is the priority of the last victim (the inflation
 * that ages objects not requested lately). Evict the lowest H; ties go to the object
 * whose priority was set earliest. Frequency counts requests since insertion; the size
 * is the one at insertion.
 */
class Gdsf extends RankedPolicy {
  private readonly count: Float64Array;
  private readonly sizeAtInsert: Float64Array;
  private inflation = 0;

  constructor(ctx: PolicyContext) {
    super(ctx);
    this.count = new Float64Array(ctx.objectCount);
    this.sizeAtInsert = new Float64Array(ctx.objectCount);
  }

  protected rankOnInsert(obj: number, size: number): number {
    this.count[obj] = 1;
    this.sizeAtInsert[obj] = size;
    return this.priority(obj);
  }

  protected rankOnHit(obj: number): number {
    this.count[obj]++;
    return this.priority(obj);
  }

  protected override evicted(_victim: number, rank: number): void {
    this.inflation = rank;
  }

  private priority(obj: number): number {
    return this.inflation + this.count[obj] / this.sizeAtInsert[obj];
  }
}

export const gdsf = definePolicy({
  name: 'gdsf',
  params: {},
  description: 'GreedyDual-Size-Frequency: evict lowest L + frequency/size',
  create: (ctx) => new Gdsf(ctx),
});
