import type { ParamValues } from '../params.js';
import { definePolicy, type Policy, type PolicyContext } from '../policy.js';
import { ListPool, ObjList } from '../structs/dlist.js';

const PARAMS = {
  'n-bit-counter': { type: 'integer', default: 1, min: 1, max: 8, doc: 'bits of the per-object hit counter' },
} as const;

/**
 * CLOCK / second chance as libCacheSim Clock.c (FIFO with reinsertion): objects enter
 * at the head with counter 0; a hit raises the counter up to 2^bits - 1. To evict, the
 * tail object with a non-zero counter is moved to the head with its counter lowered by
 * one, until the tail has counter 0 and goes. Parameter `n-bit-counter` (default 1).
 */
class Clock implements Policy {
  private readonly queue: ObjList;
  private readonly counter: Uint8Array;
  private readonly maxCount: number;

  constructor(ctx: PolicyContext, params: ParamValues<typeof PARAMS>) {
    this.queue = new ObjList(new ListPool(ctx.objectCount));
    this.counter = new Uint8Array(ctx.objectCount);
    this.maxCount = (1 << params['n-bit-counter']) - 1;
  }

  hit(obj: number): void {
    if (this.counter[obj] < this.maxCount) this.counter[obj]++;
  }

  insert(obj: number): void {
    this.queue.pushHead(obj);
    this.counter[obj] = 0;
  }

  evict(): number {
    let candidate = this.queue.tail;
    while (this.counter[candidate] > 0) {
      this.counter[candidate]--;
      this.queue.moveToHead(candidate);
      candidate = this.queue.tail;
    }
    this.queue.unlink(candidate);
    return candidate;
  }

  remove(obj: number): void {
    this.queue.unlink(obj);
  }
}

export const clock = definePolicy({
  name: 'clock',
  description: 'CLOCK / second chance: FIFO that reinserts objects hit since their last pass',
  params: PARAMS,
  create: (ctx, params) => new Clock(ctx, params),
});
