/**
 * An indexed binary min-heap over dense object ids, stored in typed arrays.
 *
 * Each member has a Float64 priority and a Float64 tie-break; the member with the
 * smallest priority, then the smallest tie-break, is on top. The position index
 * makes update and remove O(log n) for any member, which priority-based policies
 * (GDSF, LFUDA, Belady, size orders) need on every hit.
 *
 * Keys are stored by heap position, beside the members: a sift compares keys that sit
 * next to each other (both children in one cache line, the top levels always cached)
 * instead of reading each member's key from a table indexed by object id.
 */
import { grown } from '../../common/typed-arrays.js';

const ABSENT = -1;
const INITIAL_ROOM = 1024;

export class IndexedMinHeap {
  /** by heap position: the member, its priority and its tie-break; grown as members come, as a cache holds few of all objects */
  private members: Int32Array;
  private priorities: Float64Array;
  private tieBreaks: Float64Array;
  /** by object id: its heap position, or ABSENT */
  private readonly position: Int32Array;
  size = 0;

  constructor(objectCount: number) {
    const room = Math.min(objectCount, INITIAL_ROOM);
    this.members = new Int32Array(room);
    this.priorities = new Float64Array(room);
    this.tieBreaks = new Float64Array(room);
    this.position = new Int32Array(objectCount).fill(ABSENT);
  }

  has(obj: number): boolean {
    return this.position[obj] !== ABSENT;
  }

  /** The priority of a member. */
  priorityOf(obj: number): number {
    return this.priorities[this.position[obj]];
  }

  /** Adds `obj`, or moves it when it is already a member. */
  set(obj: number, priority: number, tieBreak: number): void {
    const at = this.position[obj];
    if (at === ABSENT) {
      if (this.size === this.members.length) this.grow();
      this.siftUp(this.size++, obj, priority, tieBreak);
      return;
    }
    const oldPriority = this.priorities[at];
    const up = priority < oldPriority || (priority === oldPriority && tieBreak < this.tieBreaks[at]);
    if (up) this.siftUp(at, obj, priority, tieBreak);
    else this.siftDown(at, obj, priority, tieBreak);
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
    const last = --this.size;
    if (at === last) return;
    const moved = this.members[last];
    const priority = this.priorities[last];
    const tieBreak = this.tieBreaks[last];
    const parentAt = (at - 1) >> 1;
    if (at > 0 && this.before(priority, tieBreak, parentAt)) this.siftUp(at, moved, priority, tieBreak);
    else this.siftDown(at, moved, priority, tieBreak);
  }

  private grow(): void {
    const room = Math.min(this.position.length, Math.max(INITIAL_ROOM, this.members.length * 2));
    this.members = grown(this.members, room);
    this.priorities = grown(this.priorities, room);
    this.tieBreaks = grown(this.tieBreaks, room);
  }

  /** Whether the key (priority, tieBreak) goes above the member at position `at`. */
  private before(priority: number, tieBreak: number, at: number): boolean {
    const other = this.priorities[at];
    return priority < other || (priority === other && tieBreak < this.tieBreaks[at]);
  }

  private place(at: number, obj: number, priority: number, tieBreak: number): void {
    this.members[at] = obj;
    this.priorities[at] = priority;
    this.tieBreaks[at] = tieBreak;
    this.position[obj] = at;
  }

  /** Places the key at `at` or above it, moving the members it passes down. */
  private siftUp(at: number, obj: number, priority: number, tieBreak: number): void {
    while (at > 0) {
      const parentAt = (at - 1) >> 1;
      if (!this.before(priority, tieBreak, parentAt)) break;
      this.place(at, this.members[parentAt], this.priorities[parentAt], this.tieBreaks[parentAt]);
      at = parentAt;
    }
    this.place(at, obj, priority, tieBreak);
  }

  /** Places the key at `at` or below it, moving the members it passes up. */
  private siftDown(at: number, obj: number, priority: number, tieBreak: number): void {
    const { priorities, tieBreaks } = this;
    for (;;) {
      let childAt = 2 * at + 1;
      if (childAt >= this.size) break;
      const rightAt = childAt + 1;
      if (rightAt < this.size) {
        const left = priorities[childAt];
        const right = priorities[rightAt];
        if (right < left || (right === left && tieBreaks[rightAt] < tieBreaks[childAt])) childAt = rightAt;
      }
      const childPriority = priorities[childAt];
      const childTie = tieBreaks[childAt];
      if (!(childPriority < priority || (childPriority === priority && childTie < tieBreak))) break;
      this.place(at, this.members[childAt], childPriority, childTie);
      at = childAt;
    }
    this.place(at, obj, priority, tieBreak);
  }
}
