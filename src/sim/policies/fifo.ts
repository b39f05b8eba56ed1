import type { Policy, PolicyContext, PolicySpec } from '../policy.js';
import { ListPool, ObjList } from '../structs/dlist.js';

/** First in, first out: evict the object inserted longest ago; hits change nothing. */
class Fifo implements Policy {
  private readonly list: ObjList;

  constructor(ctx: PolicyContext) {
    this.list = new ObjList(new ListPool(ctx.trace.objectCount));
  }

  hit(): void {}

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

export const fifo: PolicySpec = {
  name: 'fifo',
  description: 'first in, first out',
  create: (ctx) => new Fifo(ctx),
};
