/**
 * The size-ordered policies of the CMS smart-cache simulator (Cloud-PG/smart-cache,
 * queueSizeBig.go / queueSizeSmall.go): residents are ordered by size and evicted from
 * one end; among equal sizes the least recently requested goes first (the original
 * re-appends a file to its size bucket on every hit and evicts from the bucket front).
 */
import type { PolicyContext } from '../policy.js';
import { RankedPolicy } from './ranked.js';

export class SizeOrder extends RankedPolicy {
  private readonly sizeAtInsert: Float64Array;

  /** `largestFirst` evicts the biggest object first, otherwise the smallest. */
  constructor(
    ctx: PolicyContext,
    private readonly largestFirst: boolean,
  ) {
    super(ctx);
    this.sizeAtInsert = new Float64Array(ctx.objectCount);
  }

  protected rankOnInsert(obj: number, size: number): number {
    this.sizeAtInsert[obj] = size;
    return this.rankOf(obj);
  }

  protected rankOnHit(obj: number): number {
    return this.rankOf(obj);
  }

  private rankOf(obj: number): number {
    return this.largestFirst ? -this.sizeAtInsert[obj] : this.sizeAtInsert[obj];
  }
}
