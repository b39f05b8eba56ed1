import type { CurrentRequest, Policy, PolicyContext } from '../policy.js';
import { definePolicy } from '../policy.js';
import type { ObjList } from '../structs/dlist.js';
import { SizedQueues } from '../structs/sized-queues.js';

const T1 = 0;
const T2 = 1;
const B1 = 2;
const B2 = 3;
const NO_REQUEST = -1;

/**
 * Adaptive Replacement Cache (Megiddo & Modha 2003) with byte sizes, as libCacheSim
 * ARC.c: T1 holds objects seen once recently, T2 objects seen at least twice; B1 and
 * B2 remember ids evicted from T1 and T2. The target size p of T1 (bytes) grows by
 * max(|B2|/|B1|, 1) on a B1 ghost hit and shrinks by max(|B1|/|B2|, 1) on a B2 ghost
 * hit (byte ratios, so p moves by about one byte per ghost hit, as in libCacheSim).
 *
 * libCacheSim sees ghost hits in its lookup, before evicting; here that is `miss`.
 */
class Arc implements Policy {
  private readonly queues: SizedQueues;
  private readonly t1: ObjList;
  private readonly t2: ObjList;
  private readonly b1: ObjList;
  private readonly b2: ObjList;
  private readonly request: Readonly<CurrentRequest>;
  private readonly capacity: number;
  private target = 0;
  private ghostHitRequest = NO_REQUEST;
  private ghostHitInB2 = false;

  constructor(ctx: PolicyContext) {
    this.queues = new SizedQueues(ctx.objectCount, 4);
    this.t1 = this.queues.queue(T1);
    this.t2 = this.queues.queue(T2);
    this.b1 = this.queues.queue(B1);
    this.b2 = this.queues.queue(B2);
    this.request = ctx.request;
    this.capacity = ctx.capacity;
  }

  miss(obj: number, _size: number, req: number): void {
    const list = this.queues.queueOf(obj);
    if (list === B1) {
      this.target = Math.min(this.target + Math.max(this.b2.bytes / this.b1.bytes, 1), this.capacity);
      this.ghostHit(obj, req, false);
    } else if (list === B2) {
      this.target = Math.max(this.target - Math.max(this.b1.bytes / this.b2.bytes, 1), 0);
      this.ghostHit(obj, req, true);
    }
  }

  hit(obj: number): void {
    if (this.queues.queueOf(obj) === T1) this.queues.move(obj, T2);
    else this.t2.moveToHead(obj);
  }

  insert(obj: number, size: number, req: number): void {
    const fromGhost = this.ghostHitRequest === req;
    this.ghostHitRequest = NO_REQUEST;
    this.queues.add(obj, size, fromGhost ? T2 : T1);
  }

  evict(req: number): number {
    if (this.ghostHitRequest === req) return this.replace(req);
    return this.evictOnFullMiss(req);
  }

  remove(obj: number): void {
    this.queues.drop(obj);
  }

  forget(obj: number): void {
    const list = this.queues.queueOf(obj);
    if (list === B1 || list === B2) this.queues.drop(obj);
  }

  /** Case IV of the paper: the request was in none of the four lists. */
  private evictOnFullMiss(req: number): number {
    const incoming = this.request.size;
    if (this.t1.bytes + this.b1.bytes + incoming > this.capacity) {
      if (this.b1.bytes === 0) return this.queues.drop(this.t1.tail);
      this.queues.drop(this.b1.tail);
    } else if (
      this.t1.bytes + this.b1.bytes + this.t2.bytes + this.b2.bytes >= 2 * this.capacity &&
      this.b2.bytes > 0
    ) {
      this.queues.drop(this.b2.tail);
    }
    return this.replace(req);
  }

  /** REPLACE of the paper: demote the LRU end of T1 or T2 to its ghost list. */
  private replace(req: number): number {
    const t1Bytes = this.t1.bytes;
    const tieFavoursT1 = t1Bytes === this.target && this.ghostHitInB2 && this.ghostHitRequest === req;
    if ((t1Bytes > 0 && (t1Bytes > this.target || tieFavoursT1)) || this.t2.bytes === 0) {
      return this.queues.move(this.t1.tail, B1);
    }
    return this.queues.move(this.t2.tail, B2);
  }

  private ghostHit(obj: number, req: number, inB2: boolean): void {
    this.queues.drop(obj);
    this.ghostHitRequest = req;
    this.ghostHitInB2 = inB2;
  }
}

export const arc = definePolicy({
  name: 'arc',
  params: {},
  description: 'Adaptive Replacement Cache with byte sizes (libCacheSim ARC)',
  create: (ctx) => new Arc(ctx),
});
