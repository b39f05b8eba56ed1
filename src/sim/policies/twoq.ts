import type { ParamValues } from '../params.js';
import { type CurrentRequest, definePolicy, type Policy, type PolicyContext } from '../policy.js';
import type { ObjList } from '../structs/dlist.js';
import { GhostFifo } from '../structs/ghost-fifo.js';
import { SizedQueues } from '../structs/sized-queues.js';

const A1IN = 0;
const AM = 1;
const NO_REQUEST = -1;

const PARAMS = {
  'Ain-size-ratio': {
    type: 'number',
    default: 0.25,
    min: 0,
    max: 1,
    exclusiveMin: true,
    exclusiveMax: true,
    doc: 'share of the bytes for the A1in FIFO of new objects',
  },
  'Aout-size-ratio': {
    type: 'number',
    default: 0.5,
    min: 0,
    doc: 'A1out ghost size, as a share of the bytes',
  },
} as const;

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
  private readonly queues: SizedQueues;
  private readonly a1in: ObjList;
  private readonly am: ObjList;
  private readonly a1out: GhostFifo;
  private readonly request: Readonly<CurrentRequest>;
  private readonly a1inCapacity: number;
  private readonly amCapacity: number;
  private ghostHitRequest = NO_REQUEST;

  constructor(ctx: PolicyContext, params: ParamValues<typeof PARAMS>) {
    const n = ctx.objectCount;
    this.queues = new SizedQueues(n, 2);
    this.a1in = this.queues.queue(A1IN);
    this.am = this.queues.queue(AM);
    this.request = ctx.request;
    this.a1inCapacity = Math.trunc(ctx.capacity * params['Ain-size-ratio']);
    this.amCapacity = ctx.capacity - this.a1inCapacity;
    this.a1out = new GhostFifo(n, Math.trunc(ctx.capacity * params['Aout-size-ratio']));
  }

  miss(obj: number, _size: number, req: number): void {
    this.ghostHitRequest = this.a1out.remove(obj) ? req : NO_REQUEST;
  }

  admit(_obj: number, size: number): boolean {
    return size <= this.a1inCapacity;
  }

  hit(obj: number): void {
    if (this.queues.queueOf(obj) === AM) this.am.moveToHead(obj);
  }

  insert(obj: number, size: number, req: number): void {
    this.queues.add(obj, size, this.ghostHitRequest === req ? AM : A1IN);
  }

  evict(req: number): number {
    if (this.evictsFromA1in(req)) {
      const victim = this.a1in.tail;
      this.a1out.add(victim, this.queues.sizeOf(victim));
      return this.queues.drop(victim);
    }
    return this.queues.drop(this.am.tail);
  }

  private evictsFromA1in(req: number): boolean {
    if (this.a1in.length === 0) return false;
    if (this.am.length === 0) return true;
    const amOverflows = this.ghostHitRequest === req && this.am.bytes + this.request.size > this.amCapacity;
    return this.a1in.bytes > this.a1inCapacity && !amOverflows;
  }

  remove(obj: number): void {
    this.queues.drop(obj);
  }

  forget(obj: number): void {
    this.a1out.remove(obj);
  }
}

export const twoq = definePolicy({
  name: '2q',
  description: '2Q: FIFO for new objects, ghost of their ids, LRU for re-referenced ones (libCacheSim TwoQ)',
  params: PARAMS,
  create: (ctx, params) => new TwoQ(ctx, params),
});
