import type { Policy, PolicyContext } from '../policy.js';
import { definePolicy } from '../policy.js';
import { ListPool, ObjList } from '../structs/dlist.js';

const NIL = ObjList.NIL;

/**
 * SIEVE (Zhang et al., NSDI 2024; libCacheSim Sieve.c): a FIFO queue with a visited
 * bit and a hand. New objects enter at the head unvisited; a hit marks the object
 * visited. To evict, the hand starts where it stopped last time (the tail at first or
 * after passing the head), clears visited bits while moving toward the head, wrapping
 * to the tail, and evicts the first unvisited object; it then rests on that object's
 * neighbour toward the head. Objects are never moved.
 */
class Sieve implements Policy {
  private readonly queue: ObjList;
  private readonly visited: Uint8Array;
  private hand = NIL;

  constructor(ctx: PolicyContext) {
    this.queue = new ObjList(new ListPool(ctx.objectCount));
    this.visited = new Uint8Array(ctx.objectCount);
  }

  hit(obj: number): void {
    this.visited[obj] = 1;
  }

  insert(obj: number): void {
    this.queue.pushHead(obj);
    this.visited[obj] = 0;
  }

  evict(): number {
    let candidate = this.hand === NIL ? this.queue.tail : this.hand;
    while (this.visited[candidate] === 1) {
      this.visited[candidate] = 0;
      candidate = this.towardHeadWrapping(candidate);
    }
    this.hand = this.queue.towardHead(candidate);
    this.queue.unlink(candidate);
    return candidate;
  }

  remove(obj: number): void {
    if (obj === this.hand) this.hand = this.queue.towardHead(obj);
    this.queue.unlink(obj);
  }

  private towardHeadWrapping(obj: number): number {
    const next = this.queue.towardHead(obj);
    return next === NIL ? this.queue.tail : next;
  }
}

export const sieve = definePolicy({
  name: 'sieve',
  params: {},
  description: 'SIEVE: FIFO with a visited bit and a hand that sifts out unvisited objects',
  create: (ctx) => new Sieve(ctx),
});
