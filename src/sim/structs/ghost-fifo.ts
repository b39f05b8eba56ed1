/**
 * A FIFO of recently evicted object ids bounded in bytes: the "ghost" queues of
 * S3-FIFO and 2Q, which remember ids (not data) to recognise objects that return soon.
 * It behaves like libCacheSim's FIFO cache used as a ghost: adding an id that is already
 * present changes nothing; an id larger than the whole ghost is not remembered.
 */
import { ListPool, ObjList } from './dlist.js';

export class GhostFifo {
  private readonly list: ObjList;
  private readonly member: Uint8Array;
  private readonly sizes: Float64Array;

  constructor(
    objectCount: number,
    readonly capacity: number,
  ) {
    this.list = new ObjList(new ListPool(objectCount));
    this.member = new Uint8Array(objectCount);
    this.sizes = new Float64Array(objectCount);
  }

  add(obj: number, size: number): void {
    if (this.member[obj] === 1 || size > this.capacity) return;
    while (this.list.bytes + size > this.capacity) this.forget(this.list.tail);
    this.list.pushHead(obj);
    this.list.bytes += size;
    this.member[obj] = 1;
    this.sizes[obj] = size;
  }

  /** Forgets `obj`; true when it was remembered (a ghost hit). */
  remove(obj: number): boolean {
    if (this.member[obj] === 0) return false;
    this.forget(obj);
    return true;
  }

  private forget(obj: number): void {
    this.list.unlink(obj);
    this.list.bytes -= this.sizes[obj];
    this.member[obj] = 0;
  }
}
