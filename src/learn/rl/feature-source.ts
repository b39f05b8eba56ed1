/**
 * Per-request features for the DQN. The model-ready source at merge is the online prep
 * features (src/learn/online-features.ts, FEATURE_NAMES); until then `LocalFeatures`
 * computes the SCDL2 request features under their prep names, causally.
 */
import type { Trace } from '../../trace/model.js';

export interface FeatureSource {
  /** feature names, in the order `features` writes them */
  readonly names: readonly string[];
  /** Writes request `req`'s features at out[offset...]; called once per request, in request order. */
  features(req: number, out: Float32Array, offset: number): void;
}

/** log_size, count_ever, since_last (seconds; NaN on a first request), as in src/prep/schema.ts */
export class LocalFeatures implements FeatureSource {
  readonly names = ['log_size', 'count_ever', 'since_last'] as const;
  private readonly count: Uint32Array;
  private readonly last: Float64Array;

  constructor(private readonly trace: Trace) {
    this.count = new Uint32Array(trace.objectCount);
    this.last = new Float64Array(trace.objectCount).fill(Number.NaN);
  }

  features(req: number, out: Float32Array, offset: number): void {
    const obj = this.trace.obj[req];
    const t = this.trace.time[req];
    out[offset] = Math.log1p(this.trace.size[req]);
    out[offset + 1] = this.count[obj];
    out[offset + 2] = t - this.last[obj];
    this.count[obj]++;
    this.last[obj] = t;
  }
}

/** The source the `rl` policy uses. */
export function featureSource(trace: Trace): FeatureSource {
  return new LocalFeatures(trace);
}
