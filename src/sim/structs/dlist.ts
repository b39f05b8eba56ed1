/**
 * Intrusive doubly linked lists over dense object indices, stored in typed arrays.
 * One ListPool holds the links of every object; each object is in at most one of
 * the pool's lists at a time, so policies with several queues (ARC, 2Q, S3-FIFO)
 * share one pool and allocate nothing per request.
 */
const NIL = -1;

export class ListPool {
  /** prev of object o at 2o, next at 2o+1: both links share a cache line */
  readonly links: Int32Array;

  constructor(objectCount: number) {
    this.links = new Int32Array(objectCount * 2).fill(NIL);
  }
}

/** A list whose head is the most recently inserted end and tail the oldest. */
export class ObjList {
  head = NIL;
  tail = NIL;
  length = 0;
  /** sum of the sizes of members, maintained by callers that pass sizes */
  bytes = 0;

  constructor(private readonly pool: ListPool) {}

  static readonly NIL = NIL;

  pushHead(obj: number): void {
    const links = this.pool.links;
    links[2 * obj] = NIL;
    links[2 * obj + 1] = this.head;
    if (this.head !== NIL) links[2 * this.head] = obj;
    else this.tail = obj;
    this.head = obj;
    this.length++;
  }

  unlink(obj: number): void {
    const links = this.pool.links;
    const p = links[2 * obj];
    const n = links[2 * obj + 1];
    if (p !== NIL) links[2 * p + 1] = n;
    else this.head = n;
    if (n !== NIL) links[2 * n] = p;
    else this.tail = p;
    links[2 * obj] = NIL;
    links[2 * obj + 1] = NIL;
    this.length--;
  }

  moveToHead(obj: number): void {
    if (this.head === obj) return;
    this.unlink(obj);
    this.pushHead(obj);
  }

  /** Removes and returns the tail (oldest) member; the list must not be empty. */
  popTail(): number {
    const obj = this.tail;
    this.unlink(obj);
    return obj;
  }

  /** The member after `obj` towards the tail (NIL at the end). */
  towardTail(obj: number): number {
    return this.pool.links[2 * obj + 1];
  }

  /** The member before `obj` towards the head (NIL at the start). */
  towardHead(obj: number): number {
    return this.pool.links[2 * obj];
  }
}
