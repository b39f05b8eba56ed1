import { definePolicy } from '../policy.js';
import { RankedPolicy } from './ranked.js';

/**
 * LFU with dynamic aging in libCacheSim's form (LFUDA.c), which differs from the
 * textbook K = L + frequency of Arlitt et al. (2000):
 * - an object enters with priority K = L + 1 and each hit adds the current L to its K
 *   (so before the first eviction, while L = 0, hits only refresh its place);
 * - the victim is the lowest K, oldest first among equals; L then becomes the victim's
 *   K, and rises to the lowest resident K when no other object has that K any more;
 * - the same rise happens when a hit empties the lowest priority class.
 * L never rises above the highest K reached by a hit, as in libCacheSim's search.
 */
class Lfuda extends RankedPolicy {
  private age = 0;
  private highestHitRank = 0;

  protected rankOnInsert(): number {
    return this.age + 1;
  }

  protected rankOnHit(obj: number): number {
    const previous = this.heap.priorityOf(obj);
    const rank = previous + this.age;
    this.highestHitRank = Math.max(this.highestHitRank, rank);
    this.heap.remove(obj);
    if (previous === this.age) this.raiseAgeToLowestResident();
    return rank;
  }

  protected override evicted(_victim: number, rank: number): void {
    this.age = rank;
    this.raiseAgeToLowestResident();
  }

  private raiseAgeToLowestResident(): void {
    if (this.heap.size === 0) return;
    const lowest = this.heap.priorityOf(this.heap.peek());
    if (lowest > this.age && lowest <= this.highestHitRank) this.age = lowest;
  }
}

export const lfuda = definePolicy({
  name: 'lfuda',
  params: {},
  description: 'LFU with dynamic aging, libCacheSim variant: evict lowest priority, hits add the age',
  create: (ctx) => new Lfuda(ctx),
});
