import type { Policy, PolicyContext, PolicySpec } from '../policy.js';
import { ListPool, ObjList } from '../structs/dlist.js';

/** Least recently used: evict the object whose last request is oldest. */
class Lru implements Policy {
  private readonly list: ObjList;

  constructor(ctx: PolicyContext) {
    this.list = new ObjList(new ListPool(ctx.trace.objectCount));
  }

  hit(obj: number): void {
    this.list.moveToHead(obj);
  }

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

export const lru: PolicySpec = {
  name: 'lru',
  description: 'least recently used',
  create: (ctx) => new Lru(ctx),
};
