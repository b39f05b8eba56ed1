import type { ParamValues } from '../params.js';
import { definePolicy, type Policy, type PolicyContext } from '../policy.js';
import type { ObjList } from '../structs/dlist.js';
import { GhostFifo } from '../structs/ghost-fifo.js';
import { SizedQueues } from '../structs/sized-queues.js';

const SMALL = 0;
const MAIN = 1;
const NO_VICTIM = -1;
const NO_REQUEST = -1;
const FREQUENCY_CAP = 3;

const PARAMS = {
  'fifo-size-ratio': {
    type: 'number',
    default: 0.1,
    min: 0,
    max: 1,
    exclusiveMin: true,
    exclusiveMax: true,
    doc: 'share of the bytes for the small FIFO',
  },
  'ghost-size-ratio': {
    type: 'number',
    default: 0.9,
    min: 0,
    doc: 'ghost FIFO size, as a share of the bytes',
  },
  'move-to-main-threshold': {
    type: 'integer',
    default: 2,
    min: 1,
    doc: 'hits in the small FIFO that move an object to main',
  },
} as const;

/**
 * S3-FIFO (Yang et al., SOSP 2023) as libCacheSim S3FIFO.c, with its cachesim defaults:
 * a small FIFO of `fifo-size-ratio` (0.10) of the bytes, a main FIFO of the rest, and a
 * ghost FIFO of ids sized `ghost-size-ratio` (0.90) of the bytes.
 *
 * - New objects enter the small FIFO with frequency 0; objects found in the ghost go
 *   straight to main. Each hit adds 1 to the frequency.
 * - Evicting from small (when main is within its size and small is not empty): the tail
 *   moves to main with frequency 0 if its frequency reached `move-to-main-threshold` (2),
 *   otherwise it is evicted and its id enters the ghost.
 * - Evicting from main: a tail with frequency f >= 1 is reinserted at the head with
 *   frequency min(f, 3) - 1, otherwise it is evicted.
 *
 * Objects larger than the small FIFO are not admitted (libCacheSim can_insert). The ghost
 * lookup happens in `miss`, before eviction, as libCacheSim does in its lookup.
 * One corner differs: libCacheSim evicts for, then drops, a non-ghost object exactly the
 * size of the small FIFO; here it is simply not admitted.
 */
class S3Fifo implements Policy {
  private readonly queues: SizedQueues;
  private readonly small: ObjList;
  private readonly main: ObjList;
  private readonly ghost: GhostFifo;
  private readonly frequency: Int32Array;
  private readonly smallCapacity: number;
  private readonly mainCapacity: number;
  private readonly moveThreshold: number;
  private ghostHitRequest = NO_REQUEST;

  constructor(ctx: PolicyContext, params: ParamValues<typeof PARAMS>) {
    const n = ctx.objectCount;
    this.queues = new SizedQueues(n, 2);
    this.small = this.queues.queue(SMALL);
    this.main = this.queues.queue(MAIN);
    this.frequency = new Int32Array(n);
    this.smallCapacity = Math.trunc(ctx.capacity * params['fifo-size-ratio']);
    this.mainCapacity = ctx.capacity - this.smallCapacity;
    this.ghost = new GhostFifo(n, Math.trunc(ctx.capacity * params['ghost-size-ratio']));
    this.moveThreshold = params['move-to-main-threshold'];
  }

  miss(obj: number, _size: number, req: number): void {
    this.ghostHitRequest = this.ghost.remove(obj) ? req : NO_REQUEST;
  }

  admit(_obj: number, size: number, req: number): boolean {
    return this.ghostHitRequest === req ? size <= this.smallCapacity : size < this.smallCapacity;
  }

  hit(obj: number): void {
    this.frequency[obj]++;
  }

  insert(obj: number, size: number, req: number): void {
    this.frequency[obj] = 0;
    this.queues.add(obj, size, this.ghostHitRequest === req ? MAIN : SMALL);
  }

  evict(): number {
    let victim = NO_VICTIM;
    while (victim === NO_VICTIM) {
      const fromMain = this.main.bytes > this.mainCapacity || this.small.length === 0;
      victim = fromMain ? this.evictFromMain() : this.evictFromSmall();
    }
    return victim;
  }

  remove(obj: number): void {
    this.queues.drop(obj);
  }

  forget(obj: number): void {
    this.ghost.remove(obj);
  }

  private evictFromSmall(): number {
    while (this.small.length > 0) {
      const candidate = this.small.tail;
      if (this.frequency[candidate] < this.moveThreshold) {
        this.ghost.add(candidate, this.queues.sizeOf(candidate));
        return this.queues.drop(candidate);
      }
      this.frequency[candidate] = 0;
      this.queues.move(candidate, MAIN);
    }
    return NO_VICTIM;
  }

  private evictFromMain(): number {
    while (this.main.length > 0) {
      const candidate = this.main.tail;
      const f = this.frequency[candidate];
      if (f === 0) return this.queues.drop(candidate);
      this.frequency[candidate] = Math.min(f, FREQUENCY_CAP) - 1;
      this.main.moveToHead(candidate);
    }
    return NO_VICTIM;
  }
}

export const s3fifo = definePolicy({
  name: 's3fifo',
  description: 'S3-FIFO: small FIFO filter, main FIFO with reinsertion, ghost FIFO (libCacheSim)',
  params: PARAMS,
  create: (ctx, params) => new S3Fifo(ctx, params),
});
