/**
 * Shared base of the single-queue policies: objects enter at the head, victims leave at
 * the tail. Subclasses only say what a hit does to the order.
 */
import type { Policy, PolicyContext } from '../policy.js';
import { ListPool, ObjList } from '../structs/dlist.js';

export abstract class QueuePolicy implements Policy {
  protected readonly list: ObjList;

  constructor(ctx: PolicyContext) {
    this.list = new ObjList(new ListPool(ctx.objectCount));
  }

  abstract hit(obj: number, req: number): void;

  insert(obj: number): void {
    this.list.pushHead(obj);
  }

  evict(): number {
    return this.list.popTail();
  }

  remove(obj: number): void {
    this.list.unlink(obj);
  }
}
