/**
 * Intrusive doubly linked lists over dense object indices, stored in typed arrays.
 * One ListPool holds the links of every object; each object is in at most one of
 * the pool's lists at a time, so policies with several queues (ARC, 2Q, S3-FIFO)
 * share one pool and allocate nothing per request.
 */
const NIL = -1;

export class ListPool {
  readonly prev: Int32Array;
  readonly next: Int32Array;

  constructor(objectCount: number) {
    this.prev = new Int32Array(objectCount).fill(NIL);
    this.next = new Int32Array(objectCount).fill(NIL);
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
    const { prev, next } = this.pool;
    prev[obj] = NIL;
    next[obj] = this.head;
    if (this.head !== NIL) prev[this.head] = obj;
    else this.tail = obj;
    this.head = obj;
    this.length++;
  }

  unlink(obj: number): void {
    const { prev, next } = this.pool;
    const p = prev[obj];
    const n = next[obj];
    if (p !== NIL) next[p] = n;
    else this.head = n;
    if (n !== NIL) prev[n] = p;
    else this.tail = p;
    prev[obj] = NIL;
    next[obj] = NIL;
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
    return this.pool.next[obj];
  }

  /** The member before `obj` towards the head (NIL at the start). */
  towardHead(obj: number): number {
    return this.pool.prev[obj];
  }
}
