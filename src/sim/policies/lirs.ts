import type { ParamValues } from '../params.js';
import {
  type CacheControl,
  definePolicy,
  type Policy,
  type PolicyContext,
  PolicyNeedsCacheError,
} from '../policy.js';
import { ListPool, ObjList } from '../structs/dlist.js';

/** bits of an object's state */
const IN_STACK = 1;
const IN_QUEUE = 2;
const IN_GHOSTS = 4;
const LIR = 8;
const RESIDENT = 16;

const NO_REQUEST = -1;

const PARAMS = {
  'hir-size-ratio': {
    type: 'number',
    default: 0.01,
    min: 0,
    max: 1,
    exclusiveMin: true,
    exclusiveMax: true,
    doc: 'share of the bytes for resident HIR objects (queue Q); larger new objects are not admitted',
  },
  'stack-size-ratio': {
    type: 'number',
    default: 2,
    min: 1,
    doc: "bytes of stack S, ghosts included, as a share of the cache's; beyond it the oldest ghosts go",
  },
} as const;

/**
 * LIRS (Jiang & Zhang, SIGMETRICS 2002) as libCacheSim LIRS.c, with byte sizes. LIR objects
 * (low inter-reference recency) hold all but `hir-size-ratio` (0.01, at least one byte) of
 * the bytes; resident HIR objects the rest, in queue Q, whose LRU end is the victim. Stack S
 * orders LIR objects and recently seen HIR ones, resident or not (ghosts), by recency; its
 * bottom is always an LIR object (stack pruning drops the HIR ones below it).
 *
 * - Hit on an LIR object: to S's top, prune.
 * - Hit on a resident HIR object in S: it leaves Q and becomes LIR; LIR objects at S's bottom
 *   are demoted into Q until the LIR bytes fit.
 * - Hit on a resident HIR object only in Q: to Q's end and S's top, still HIR; as libCacheSim,
 *   LIR objects are first demoted until its size would fit the LIR bytes.
 * - Miss on a ghost in S: it goes to S's top; LIR objects are demoted until it fits the LIR
 *   bytes, Q's victims evicted until there is room, and it enters as LIR.
 * - Miss on an object seen in neither: not admitted if larger than the LIR or the HIR bytes;
 *   it enters as LIR while the LIR bytes have room, else as a resident HIR in S and Q
 *   (evicting Q's victims first when both are full).
 * - Demoting S's bottom LIR object moves it to Q (evicting Q's victims for room) or, if it
 *   is larger than Q, evicts it. An HIR object evicted while in S stays there as a ghost.
 * - After every request the oldest ghosts leave S while S holds more than `stack-size-ratio`
 *   (2) x the cache's bytes.
 *
 * libCacheSim evicts inside its lookup and admission check; here those evictions are booked
 * through the engine's cache, and what `evict` returns is the next of them.
 */
class Lirs implements Policy {
  private readonly state: Uint8Array;
  private readonly sizes: Float64Array;
  private readonly stack: ObjList;
  private readonly queue: ObjList;
  /** the ghosts in S, in the order they became ghosts */
  private readonly ghosts: ObjList;
  private readonly cache: CacheControl;
  private readonly hirCapacity: number;
  private readonly lirCapacity: number;
  private readonly stackLimit: number;
  private lirBytes = 0;
  private lirCount = 0;
  private missed = -1;
  private missedSize = 0;
  private missRequest = NO_REQUEST;
  /** victims found while `evict` runs, booked when it returns */
  private readonly found: number[] = [];
  private collecting = false;

  constructor(ctx: PolicyContext, params: ParamValues<typeof PARAMS>) {
    if (!ctx.cache) throw new PolicyNeedsCacheError('lirs');
    this.cache = ctx.cache;
    const n = ctx.objectCount;
    this.state = new Uint8Array(n);
    this.sizes = new Float64Array(n);
    this.stack = new ObjList(new ListPool(n));
    this.queue = new ObjList(new ListPool(n));
    this.ghosts = new ObjList(new ListPool(n));
    this.hirCapacity = Math.max(1, Math.trunc(params['hir-size-ratio'] * ctx.capacity));
    this.lirCapacity = ctx.capacity - this.hirCapacity;
    this.stackLimit = params['stack-size-ratio'] * ctx.capacity;
  }

  miss(obj: number): void {
    if (this.has(obj, IN_STACK)) this.stack.moveToHead(obj);
  }

  admit(obj: number, size: number, req: number): boolean {
    if (this.has(obj, IN_STACK)) {
      this.makeRoomForLir(this.sizes[obj]);
    } else {
      if (size > this.lirCapacity || size > this.hirCapacity) return false;
      if (this.lirBytes + size > this.lirCapacity) {
        while (this.queue.length > 0 && this.queue.bytes + size > this.hirCapacity) this.evictHir();
      }
    }
    this.missed = obj;
    this.missedSize = size;
    this.missRequest = req;
    return true;
  }

  hit(obj: number): void {
    if (!this.has(obj, IN_STACK)) {
      this.queue.moveToHead(obj);
      this.makeRoomForLir(this.sizes[obj]);
      this.pushOnStack(obj);
      // demoting may have evicted Q's victim, this object: it stays in S as a ghost
      if (!this.has(obj, RESIDENT)) this.becomeGhost(obj);
      return;
    }
    this.stack.moveToHead(obj);
    if (this.has(obj, LIR)) {
      this.prune();
      return;
    }
    if (this.has(obj, IN_QUEUE)) this.leaveQueue(obj);
    this.makeRoomForLir(this.sizes[obj]);
    this.becomeLir(obj);
  }

  insert(obj: number, size: number): void {
    this.missRequest = NO_REQUEST;
    if (this.has(obj, IN_STACK)) {
      this.leaveGhosts(obj);
      this.stack.bytes += size - this.sizes[obj];
      this.sizes[obj] = size;
      this.state[obj] |= RESIDENT;
      this.becomeLir(obj);
      return;
    }
    this.sizes[obj] = size;
    this.state[obj] |= RESIDENT;
    this.pushOnStack(obj);
    if (this.lirBytes + size <= this.lirCapacity) this.becomeLir(obj);
    else this.enterQueue(obj);
  }

  evict(req: number): number {
    this.collecting = true;
    while (this.found.length === 0) this.evictionStep(req);
    this.collecting = false;
    const victim = this.found.pop() as number;
    for (const other of this.found) this.cache.evict(other);
    this.found.length = 0;
    return victim;
  }

  remove(obj: number): void {
    if (this.has(obj, IN_STACK)) {
      const wasLir = this.has(obj, LIR);
      if (wasLir) {
        this.lirBytes -= this.sizes[obj];
        this.lirCount--;
      }
      this.leaveStack(obj);
      if (wasLir) this.prune();
    }
    if (this.has(obj, IN_QUEUE)) this.leaveQueue(obj);
    this.state[obj] = 0;
  }

  forget(obj: number): void {
    this.leaveGhosts(obj);
    if (this.has(obj, IN_STACK)) this.leaveStack(obj);
    this.state[obj] = 0;
  }

  housekeeping(): void {
    while (this.stack.bytes > this.stackLimit && this.ghosts.length > 0) {
      const ghost = this.ghosts.tail;
      this.leaveGhosts(ghost);
      this.leaveStack(ghost);
    }
  }

  /** One round of libCacheSim's LIRS_evict for the object being admitted, or a plain eviction of Q's victim. */
  private evictionStep(req: number): void {
    if (this.missRequest === req) {
      if (this.has(this.missed, IN_STACK) && this.lirCount > 0) {
        while (this.queue.length > 0 && this.queue.bytes >= this.hirCapacity) this.evictHir();
        this.demoteLir();
        return;
      }
      const bothFull =
        this.lirBytes + this.missedSize > this.lirCapacity &&
        this.queue.bytes + this.missedSize > this.hirCapacity;
      if (!this.has(this.missed, IN_STACK) && bothFull && this.queue.length > 0) {
        this.evictHir();
        return;
      }
    }
    if (this.queue.length > 0) this.evictHir();
    else this.demoteLir();
  }

  private makeRoomForLir(size: number): void {
    while (this.lirCount > 0 && this.lirBytes + size > this.lirCapacity) this.demoteLir();
  }

  /** S's bottom LIR object becomes a resident HIR in Q, or is evicted if larger than Q. */
  private demoteLir(): void {
    this.prune();
    const obj = this.stack.tail;
    const size = this.sizes[obj];
    this.lirBytes -= size;
    this.lirCount--;
    this.state[obj] &= ~LIR;
    this.leaveStack(obj);
    if (size <= this.hirCapacity) {
      while (this.queue.length > 0 && this.queue.bytes + size > this.hirCapacity) this.evictHir();
      this.enterQueue(obj);
    } else {
      this.state[obj] = 0;
      this.evicted(obj);
    }
    this.prune();
  }

  /** Evicts Q's victim; if it is in S it stays there as a ghost. */
  private evictHir(): void {
    const obj = this.queue.tail;
    this.leaveQueue(obj);
    this.state[obj] &= ~RESIDENT;
    if (this.has(obj, IN_STACK)) this.becomeGhost(obj);
    this.evicted(obj);
  }

  private evicted(obj: number): void {
    if (this.collecting) this.found.push(obj);
    else this.cache.evict(obj);
  }

  /** Drops the HIR objects, resident or ghosts, at S's bottom, so that an LIR object is there. */
  private prune(): void {
    while (this.stack.length > 1 && !this.has(this.stack.tail, LIR)) {
      const obj = this.stack.tail;
      this.leaveGhosts(obj);
      this.leaveStack(obj);
    }
  }

  private becomeLir(obj: number): void {
    this.state[obj] |= LIR;
    this.lirBytes += this.sizes[obj];
    this.lirCount++;
  }

  private pushOnStack(obj: number): void {
    this.stack.pushHead(obj);
    this.stack.bytes += this.sizes[obj];
    this.state[obj] |= IN_STACK;
  }

  private leaveStack(obj: number): void {
    this.stack.unlink(obj);
    this.stack.bytes -= this.sizes[obj];
    this.state[obj] &= ~IN_STACK;
  }

  private becomeGhost(obj: number): void {
    this.ghosts.pushHead(obj);
    this.state[obj] |= IN_GHOSTS;
  }

  private leaveGhosts(obj: number): void {
    if (!this.has(obj, IN_GHOSTS)) return;
    this.ghosts.unlink(obj);
    this.state[obj] &= ~IN_GHOSTS;
  }

  private enterQueue(obj: number): void {
    this.queue.pushHead(obj);
    this.queue.bytes += this.sizes[obj];
    this.state[obj] |= IN_QUEUE;
  }

  private leaveQueue(obj: number): void {
    this.queue.unlink(obj);
    this.queue.bytes -= this.sizes[obj];
    this.state[obj] &= ~IN_QUEUE;
  }

  private has(obj: number, flag: number): boolean {
    return (this.state[obj] & flag) !== 0;
  }
}

export const lirs = definePolicy({
  name: 'lirs',
  description:
    'LIRS: LIR objects by inter-reference recency, resident HIR queue, ghost HIR entries in the stack (libCacheSim LIRS)',
  params: PARAMS,
  create: (ctx, params) => new Lirs(ctx, params),
});
