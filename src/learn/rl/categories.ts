/**
 * The eviction agent's categories (the original's CategoryManager, aiRLCatStateManager.go):
 * cached files grouped by their bucketed size, request count and requests since the previous
 * request, as of their last request. The agent decides one action per category.
 */
import { REQUEST_COUNT, SINCE_LAST, SIZE_MB, StateSpace } from './buckets.js';

export const CATEGORY_SPACE = new StateSpace([SIZE_MB, REQUEST_COUNT, SINCE_LAST]);
const NONE = -1;

export class Categories {
  readonly members: number[][];
  /** cached bytes per category */
  readonly bytes: Float64Array;
  private readonly categoryOf: Int32Array;
  private readonly position: Int32Array;
  private readonly sizeOf: Float64Array;

  constructor(objects: number) {
    this.members = Array.from({ length: CATEGORY_SPACE.size }, () => []);
    this.bytes = new Float64Array(CATEGORY_SPACE.size);
    this.categoryOf = new Int32Array(objects).fill(NONE);
    this.position = new Int32Array(objects);
    this.sizeOf = new Float64Array(objects);
  }

  /** Files a cached object under `category` (moving it if it was filed elsewhere). */
  place(obj: number, category: number, size: number): void {
    if (this.categoryOf[obj] === category) return;
    this.remove(obj);
    const list = this.members[category];
    this.position[obj] = list.length;
    list.push(obj);
    this.categoryOf[obj] = category;
    this.sizeOf[obj] = size;
    this.bytes[category] += size;
  }

  has(obj: number): boolean {
    return this.categoryOf[obj] !== NONE;
  }

  remove(obj: number): void {
    const category = this.categoryOf[obj];
    if (category === NONE) return;
    const list = this.members[category];
    const last = list.pop() as number;
    if (last !== obj) {
      list[this.position[obj]] = last;
      this.position[last] = this.position[obj];
    }
    this.bytes[category] -= this.sizeOf[obj];
    this.categoryOf[obj] = NONE;
  }
}
