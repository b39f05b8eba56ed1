/**
 * Per-request features for the DQN: the prep features (FEATURE_NAMES), computed causally by
 * the same online extractor the supervised policies, the model service and cache nodes use.
 */
import type { Trace } from '../../trace/model.js';
import { type FeatureMatrix, onlineFeatures } from '../online-features.js';

export interface FeatureSource {
  /** feature names, in the order `features` writes them */
  readonly names: readonly string[];
  /** Writes request `req`'s features at out[offset...]; NaN marks a missing value. */
  features(req: number, out: Float32Array, offset: number): void;
}

class OnlineFeatureSource implements FeatureSource {
  readonly names: readonly string[];
  private readonly matrix: FeatureMatrix;

  constructor(trace: Trace) {
    this.matrix = onlineFeatures(trace);
    this.names = this.matrix.names;
  }

  features(req: number, out: Float32Array, offset: number): void {
    const width = this.names.length;
    const row = this.matrix.values.subarray(req * width, (req + 1) * width);
    out.set(row, offset);
  }
}

/** The source the `rl` policy uses. */
export function featureSource(trace: Trace): FeatureSource {
  return new OnlineFeatureSource(trace);
}
