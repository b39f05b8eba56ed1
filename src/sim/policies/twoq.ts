import { numberParam, type Policy, type PolicyContext, type PolicySpec } from '../policy.js';
import { ListPool, ObjList } from '../structs/dlist.js';
import { GhostFifo } from '../structs/ghost-fifo.js';

const NO_REQUEST = -1;

/**
 * 2Q (Johnson & Shasha, VLDB 1994), full version, as libCacheSim TwoQ.c with its
 * defaults: A1in, a FIFO of `Ain-size-ratio` (0.25) of the bytes, takes new objects
 * and ignores hits; A1out remembers ids evicted from A1in in a ghost FIFO of
 * `Aout-size-ratio` (0.5) of the bytes; an object requested while in A1out goes to Am,
 * an LRU holding the remaining bytes. Eviction takes A1in's tail (remembering it in
 * A1out) while A1in is over its share, otherwise Am's LRU object.
 *
 * libCacheSim inserts into Am through Am's own get, which may evict inside Am even when
 * the whole cache has room; the engine cannot evict outside `evict`, so here Am is kept
 * within its share only while the engine is making room (see docs/policies.md).
 */
class TwoQ implements Policy {
  private readonly a1in: ObjList;
  private readonly am: ObjList;
  private readonly a1out: GhostFifo;
  private readonly inAm: Uint8Array;
  private readonly sizes: Float64Array;
  private readonly requestSize: Float64Array;
  private readonly a1inCapacity: number;
  private readonly amCapacity: number;
  private ghostHitRequest = NO_REQUEST;

  constructor(ctx: PolicyContext) {
    const n = ctx.trace.objectCount;
    const pool = new ListPool(n);
    this.a1in = new ObjList(pool);
    this.am = new ObjList(pool);
    this.inAm = new Uint8Array(n);
    this.sizes = new Float64Array(n);
    this.requestSize = ctx.trace.size;
    this.a1inCapacity = Math.trunc(ctx.capacity * numberParam(ctx, 'Ain-size-ratio', 0.25));
    this.amCapacity = ctx.capacity - this.a1inCapacity;
    this.a1out = new GhostFifo(n, Math.trunc(ctx.capacity * numberParam(ctx, 'Aout-size-ratio', 0.5)));
  }

  admit(obj: number, size: number, req: number): boolean {
    this.ghostHitRequest = this.a1out.remove(obj) ? req : NO_REQUEST;
    return size <= this.a1inCapacity;
  }

  hit(obj: number): void {
    if (this.inAm[obj] === 1) this.am.moveToHead(obj);
  }

  insert(obj: number, size: number, req: number): void {
    this.sizes[obj] = size;
    this.push(obj, this.ghostHitRequest === req ? this.am : this.a1in);
  }

  evict(req: number): number {
    if (this.evictsFromA1in(req)) {
      const victim = this.drop(this.a1in.tail, this.a1in);
      this.a1out.add(victim, this.sizes[victim]);
      return victim;
    }
    return this.drop(this.am.tail, this.am);
  }

  private evictsFromA1in(req: number): boolean {
    if (this.a1in.length === 0) return false;
    if (this.am.length === 0) return true;
    const amOverflows =
      this.ghostHitRequest === req && this.am.bytes + this.requestSize[req] > this.amCapacity;
    return this.a1in.bytes > this.a1inCapacity && !amOverflows;
  }

  remove(obj: number): void {
    this.drop(obj, this.inAm[obj] === 1 ? this.am : this.a1in);
  }

  private push(obj: number, list: ObjList): void {
    list.pushHead(obj);
    list.bytes += this.sizes[obj];
    this.inAm[obj] = list === this.am ? 1 : 0;
  }

  private drop(obj: number, list: ObjList): number {
    list.unlink(obj);
    list.bytes -= this.sizes[obj];
    return obj;
  }
}

export const twoq: PolicySpec = {
  name: '2q',
  description: '2Q: FIFO for new objects, ghost of their ids, LRU for re-referenced ones (libCacheSim TwoQ)',
  create: (ctx) => new TwoQ(ctx),
};
