/**
 * An indexed binary min-heap over dense object ids, stored in typed arrays.
 *
 * Each member has a Float64 priority and a Float64 tie-break; the member with the
 * smallest priority, then the smallest tie-break, is on top. The position index
 * makes update and remove O(log n) for any member, which priority-based policies
 * (LFU, GDSF, Belady, size orders) need on every hit.
 */
const ABSENT = -1;

export class IndexedMinHeap {
  private readonly members: Int32Array;
  private readonly position: Int32Array;
  private readonly priority: Float64Array;
  private readonly tieBreak: Float64Array;
  size = 0;

  constructor(objectCount: number) {
    this.members = new Int32Array(objectCount);
    this.position = new Int32Array(objectCount).fill(ABSENT);
    this.priority = new Float64Array(objectCount);
    this.tieBreak = new Float64Array(objectCount);
  }

  has(obj: number): boolean {
    return this.position[obj] !== ABSENT;
  }

  priorityOf(obj: number): number {
    return this.priority[obj];
  }

  /** Adds `obj`, or moves it when it is already a member. */
  set(obj: number, priority: number, tieBreak: number): void {
    this.priority[obj] = priority;
    this.tieBreak[obj] = tieBreak;
    const at = this.position[obj];
    if (at === ABSENT) {
      this.place(obj, this.size++);
      this.siftUp(this.size - 1);
    } else {
      this.siftDown(this.siftUp(at));
    }
  }

  /** The member on top; the heap must not be empty. */
  peek(): number {
    return this.members[0];
  }

  /** Removes and returns the member on top; the heap must not be empty. */
  pop(): number {
    const top = this.members[0];
    this.remove(top);
    return top;
  }

  remove(obj: number): void {
    const at = this.position[obj];
    if (at === ABSENT) return;
    this.position[obj] = ABSENT;
    const last = this.members[--this.size];
    if (at === this.size) return;
    this.place(last, at);
    this.siftDown(this.siftUp(at));
  }

  private before(a: number, b: number): boolean {
    const pa = this.priority[a];
    const pb = this.priority[b];
    return pa < pb || (pa === pb && this.tieBreak[a] < this.tieBreak[b]);
  }

  private place(obj: number, at: number): void {
    this.members[at] = obj;
    this.position[obj] = at;
  }

  private siftUp(at: number): number {
    const obj = this.members[at];
    while (at > 0) {
      const parentAt = (at - 1) >> 1;
      const parent = this.members[parentAt];
      if (!this.before(obj, parent)) break;
      this.place(parent, at);
      at = parentAt;
    }
    this.place(obj, at);
    return at;
  }

  private siftDown(at: number): void {
    const obj = this.members[at];
    for (;;) {
      let childAt = 2 * at + 1;
      if (childAt >= this.size) break;
      const rightAt = childAt + 1;
      if (rightAt < this.size && this.before(this.members[rightAt], this.members[childAt])) childAt = rightAt;
      const child = this.members[childAt];
      if (!this.before(child, obj)) break;
      this.place(child, at);
      at = childAt;
    }
    this.place(obj, at);
  }
}
