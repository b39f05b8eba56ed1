/**
 * A set of dense object ids with O(1) add, remove and access by position, so that a
 * uniformly random member can be drawn without scanning (random eviction). A member's
 * position is also a dense slot a policy may keep per-member state in (LHD): `remove` says
 * which member moved into the freed slot.
 */
import { grown } from '../../common/typed-arrays.js';

const ABSENT = -1;
const INITIAL_ROOM = 1024;

export class IndexedSet {
  /** by position; grown as members come, as a cache holds few of all objects */
  private members: Int32Array;
  private readonly position: Int32Array;
  size = 0;

  constructor(objectCount: number) {
    this.members = new Int32Array(Math.min(objectCount, INITIAL_ROOM));
    this.position = new Int32Array(objectCount).fill(ABSENT);
  }

  /** Adds `obj` (nothing when it is a member) and returns its position. */
  add(obj: number): number {
    const at = this.position[obj];
    if (at !== ABSENT) return at;
    if (this.size === this.members.length) {
      this.members = grown(this.members, Math.min(this.position.length, this.members.length * 2));
    }
    this.members[this.size] = obj;
    this.position[obj] = this.size;
    return this.size++;
  }

  /**
   * Removes `obj` by moving the last member into its slot; returns that slot when a member
   * moved (its state belongs there now, from slot `size`), else -1.
   */
  remove(obj: number): number {
    const at = this.position[obj];
    if (at === ABSENT) return -1;
    this.position[obj] = ABSENT;
    const lastAt = --this.size;
    if (at === lastAt) return -1;
    const last = this.members[lastAt];
    this.members[at] = last;
    this.position[last] = at;
    return at;
  }

  has(obj: number): boolean {
    return this.position[obj] !== ABSENT;
  }

  /** The position of a member. */
  positionOf(obj: number): number {
    return this.position[obj];
  }

  at(index: number): number {
    return this.members[index];
  }
}
