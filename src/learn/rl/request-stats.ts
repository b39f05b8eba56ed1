/**
 * Per-file statistics the original agents read (files/stats.go): requests so far and
 * requests (ticks) since the previous request, updated before the agents decide.
 */
import { REQUEST_COUNT, SINCE_LAST, SIZE_MB } from './buckets.js';
import { CATEGORY_SPACE } from './categories.js';

const BYTES_PER_MEGABYTE = 2 ** 20;

export class RequestStats {
  readonly count: Uint32Array;
  /** ticks since the previous request; Infinity on the first (the original's MaxInt64) */
  readonly sinceLast: Float64Array;
  private readonly last: Float64Array;

  constructor(objects: number) {
    this.count = new Uint32Array(objects);
    this.sinceLast = new Float64Array(objects);
    this.last = new Float64Array(objects).fill(-1);
  }

  observe(obj: number, req: number): void {
    this.count[obj]++;
    this.sinceLast[obj] = this.last[obj] < 0 ? Number.POSITIVE_INFINITY : req - this.last[obj];
    this.last[obj] = req;
  }

  /** `obj`'s id is about to name another object. */
  forget(obj: number): void {
    this.count[obj] = 0;
    this.sinceLast[obj] = 0;
    this.last[obj] = -1;
  }

  /** eviction category of `obj` as of its last request */
  category(obj: number, size: number): number {
    return CATEGORY_SPACE.encode([
      SIZE_MB.index(megabytes(size)),
      REQUEST_COUNT.index(this.count[obj]),
      SINCE_LAST.index(this.sinceLast[obj]),
    ]);
  }
}

export function megabytes(bytes: number): number {
  return bytes / BYTES_PER_MEGABYTE;
}
