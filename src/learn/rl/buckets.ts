/**
 * Bucketed features of the original CMS smart-cache Q-learning agents
 * (Cloud-PG/smart-cache, featureMaps/rlAdditionFeatureMap.json, rlEvictionFeatureMap.json;
 * SmartCache/sim/cache/ai/featuremap/featuremap.go `Index`).
 *
 * A value falls in the first bucket whose edge it does not exceed (value <= edge), so a value
 * equal to an edge belongs to that edge's bucket; every map is open to the right, so values
 * above the last edge share one more bucket.
 */
export class Buckets {
  constructor(readonly edges: readonly number[]) {}

  /** number of buckets: one per edge plus the open one */
  get size(): number {
    return this.edges.length + 1;
  }

  index(value: number): number {
    const edges = this.edges;
    for (let i = 0; i < edges.length; i++) if (value <= edges[i]) return i;
    return edges.length;
  }
}

/** file size in megabytes */
export const SIZE_MB = new Buckets([2301, 2716, 3256, 3665, 3942, 5371]);
/** requests of the file so far, this one included */
export const REQUEST_COUNT = new Buckets([1, 2, 6]);
/** requests (ticks) since the file's previous request; the first request is above every edge */
export const SINCE_LAST = new Buckets([41, 200, 937, 6318, 32899, 122540]);
/** cache occupancy, % of capacity */
export const OCCUPANCY = new Buckets([50, 75, 90, 95]);
/** hit rate of the current day so far, % */
export const HIT_RATE = new Buckets([5, 10, 25, 50, 75]);
/** bytes of one eviction category, % of capacity */
export const CATEGORY_SHARE = new Buckets([5, 10, 25, 50, 75]);
/** the addition map's boolean `hit` feature: false, true */
export const HIT_FLAG = new Buckets([0]);

/** Buckets that keep bucket indices 0..n-1 as they are: for states whose components are already bucketed. */
export function indexBuckets(n: number): Buckets {
  return new Buckets(Array.from({ length: n - 1 }, (_, i) => i));
}

/** Mixed-radix state index over several bucketed features, first feature most significant. */
export class StateSpace {
  readonly size: number;
  private readonly radix: number[];

  constructor(readonly features: readonly Buckets[]) {
    this.radix = features.map((f) => f.size);
    this.size = this.radix.reduce((a, b) => a * b, 1);
  }

  /** state index of bucket indices, one per feature */
  encode(indices: ArrayLike<number>): number {
    let state = 0;
    for (let f = 0; f < this.radix.length; f++) state = state * this.radix[f] + indices[f];
    return state;
  }

  /** state of raw feature values (from `offset`), each bucketed by its feature's edges */
  stateOf(values: ArrayLike<number>, offset = 0): number {
    let state = 0;
    for (let f = 0; f < this.radix.length; f++)
      state = state * this.radix[f] + this.features[f].index(values[offset + f]);
    return state;
  }

  /** bucket index of feature `f` in `state` */
  component(state: number, f: number): number {
    let s = state;
    for (let g = this.radix.length - 1; g > f; g--) s = Math.floor(s / this.radix[g]);
    return s % this.radix[f];
  }
}
