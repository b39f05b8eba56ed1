/**
 * Shared base of policies that evict the resident object of lowest rank: each keeps an
 * indexed min-heap keyed by (rank, request index of the last rank change), so equal
 * ranks are evicted oldest first. Subclasses only say how an object is ranked.
 */
import type { Policy, PolicyContext } from '../policy.js';
import { IndexedMinHeap } from '../structs/heap.js';

export abstract class RankedPolicy implements Policy {
  protected readonly heap: IndexedMinHeap;

  constructor(ctx: PolicyContext) {
    this.heap = new IndexedMinHeap(ctx.objectCount);
  }

  /** Rank of an object entering the cache. */
  protected abstract rankOnInsert(obj: number, size: number, req: number): number;
  /** Rank of a resident object that was requested again. */
  protected abstract rankOnHit(obj: number, req: number): number;
  /** Called with the victim after it left the heap (aging policies remember its rank). */
  protected evicted(_victim: number, _rank: number): void {}

  hit(obj: number, req: number): void {
    this.heap.set(obj, this.rankOnHit(obj, req), req);
  }

  insert(obj: number, size: number, req: number): void {
    this.heap.set(obj, this.rankOnInsert(obj, size, req), req);
  }

  evict(): number {
    const rank = this.heap.priorityOf(this.heap.peek());
    const victim = this.heap.pop();
    this.evicted(victim, rank);
    return victim;
  }

  remove(obj: number): void {
    this.heap.remove(obj);
  }
}
