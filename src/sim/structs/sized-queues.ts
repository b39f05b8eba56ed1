/**
 * Several intrusive lists over one pool, with each object's queue and size remembered
 * and bytes kept per queue: the bookkeeping multi-queue policies (ARC, 2Q, S3-FIFO) share.
 * An object is in at most one queue; its size is the one it was added with.
 */
import { ListPool, ObjList } from './dlist.js';

export const NO_QUEUE = -1;

export class SizedQueues {
  private readonly lists: ObjList[];
  private readonly membership: Int8Array;
  private readonly sizes: Float64Array;

  constructor(objectCount: number, queueCount: number) {
    const pool = new ListPool(objectCount);
    this.lists = Array.from({ length: queueCount }, () => new ObjList(pool));
    this.membership = new Int8Array(objectCount).fill(NO_QUEUE);
    this.sizes = new Float64Array(objectCount);
  }

  queue(id: number): ObjList {
    return this.lists[id];
  }

  /** The queue holding `obj`, or NO_QUEUE. */
  queueOf(obj: number): number {
    return this.membership[obj];
  }

  sizeOf(obj: number): number {
    return this.sizes[obj];
  }

  /** Puts `obj` at the head of queue `id` with its size. */
  add(obj: number, size: number, id: number): void {
    this.sizes[obj] = size;
    this.pushHead(obj, id);
  }

  /** Takes `obj` out of its queue; returns it. */
  drop(obj: number): number {
    const list = this.lists[this.membership[obj]];
    list.unlink(obj);
    list.bytes -= this.sizes[obj];
    this.membership[obj] = NO_QUEUE;
    return obj;
  }

  /** Moves `obj` to the head of queue `id`; returns it. */
  move(obj: number, id: number): number {
    this.drop(obj);
    this.pushHead(obj, id);
    return obj;
  }

  private pushHead(obj: number, id: number): void {
    const list = this.lists[id];
    list.pushHead(obj);
    list.bytes += this.sizes[obj];
    this.membership[obj] = id;
  }
}
