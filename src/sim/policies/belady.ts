import { nextRequestIndex } from '../../trace/model.js';
import { definePolicy, type Policy, type PolicyContext, traceOf } from '../policy.js';
import { IndexedMinHeap } from '../structs/heap.js';

/**
 * Belady's offline optimum (libCacheSim Belady.c): evict the resident object whose next
 * request is farthest in the future; objects never requested again go first.
 *
 * libCacheSim drops an object the moment it is inserted or hit with no next request;
 * here such an object is the next victim instead, which leaves the set of objects that can
 * still hit, and so every hit, the same. Those objects wait in a FIFO beside the heap
 * (oldest first, as equal ranks leave a heap): they are never requested again, so they leave
 * only by eviction, and the heap keeps only objects that can still hit.
 */
class Belady implements Policy {
  private readonly nextRequest: Int32Array;
  private readonly heap: IndexedMinHeap;
  /** objects with no next request, in the order they got there; each enters at most once */
  private readonly unrequested: Int32Array;
  private head = 0;
  private tail = 0;
  /** 1 while an object waits in `unrequested` (0 once removed by the host) */
  private readonly waiting: Uint8Array;

  constructor(ctx: PolicyContext) {
    this.nextRequest = nextRequestIndex(traceOf(ctx, 'belady'));
    this.heap = new IndexedMinHeap(ctx.objectCount);
    this.unrequested = new Int32Array(ctx.objectCount);
    this.waiting = new Uint8Array(ctx.objectCount);
  }

  hit(obj: number, req: number): void {
    this.place(obj, req);
  }

  insert(obj: number, _size: number, req: number): void {
    this.place(obj, req);
  }

  evict(): number {
    while (this.head < this.tail) {
      const obj = this.unrequested[this.head++];
      if (this.waiting[obj] === 1) {
        this.waiting[obj] = 0;
        return obj;
      }
    }
    return this.heap.pop();
  }

  remove(obj: number): void {
    this.waiting[obj] = 0;
    this.heap.remove(obj);
  }

  private place(obj: number, req: number): void {
    const next = this.nextRequest[req];
    if (next >= 0) {
      this.heap.set(obj, -next, req);
      return;
    }
    this.heap.remove(obj);
    this.waiting[obj] = 1;
    this.unrequested[this.tail++] = obj;
  }
}

export const belady = definePolicy({
  name: 'belady',
  params: {},
  description: 'offline optimum: evict the object requested farthest in the future',
  offline: true,
  create: (ctx) => new Belady(ctx),
});
