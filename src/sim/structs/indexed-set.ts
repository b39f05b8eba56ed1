/**
 * A set of dense object ids with O(1) add, remove and access by position, so that a
 * uniformly random member can be drawn without scanning (random eviction).
 */
const ABSENT = -1;

export class IndexedSet {
  private readonly members: Int32Array;
  private readonly position: Int32Array;
  size = 0;

  constructor(objectCount: number) {
    this.members = new Int32Array(objectCount);
    this.position = new Int32Array(objectCount).fill(ABSENT);
  }

  add(obj: number): void {
    if (this.position[obj] !== ABSENT) return;
    this.members[this.size] = obj;
    this.position[obj] = this.size++;
  }

  /** Removes `obj` by moving the last member into its slot. */
  remove(obj: number): void {
    const at = this.position[obj];
    if (at === ABSENT) return;
    const last = this.members[--this.size];
    this.members[at] = last;
    this.position[last] = at;
    this.position[obj] = ABSENT;
  }

  has(obj: number): boolean {
    return this.position[obj] !== ABSENT;
  }

  at(index: number): number {
    return this.members[index];
  }
}
