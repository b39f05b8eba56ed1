/**
 * Per-request features for the DQN: the prep features (FEATURE_NAMES), computed causally by
 * the same incremental feature state the supervised policies, the model service and cache
 * nodes use: for a whole replayed trace at once, or request by request where there is none.
 */
import { FEATURE_NAMES } from '../../prep/schema.js';
import type { CurrentRequest, PolicyContext, RequestLabelling } from '../../sim/policy.js';
import type { Trace } from '../../trace/model.js';
import { FeatureState } from '../feature-state.js';
import { type FeatureMatrix, traceFeatures } from '../online-features.js';

export interface FeatureSource {
  /** feature names, in the order `features` writes them */
  readonly names: readonly string[];
  /** Writes the features of request `req` (for `obj`) at out[offset...]; NaN marks a missing value. Asked once per request, in order. */
  features(obj: number, req: number, out: Float32Array, offset: number): void;
  /** `obj`'s id is about to name another object. */
  forget(obj: number): void;
}

class TraceFeatureSource implements FeatureSource {
  readonly names: readonly string[];
  private readonly matrix: FeatureMatrix;

  constructor(trace: Trace) {
    this.matrix = traceFeatures(trace);
    this.names = this.matrix.names;
  }

  features(_obj: number, req: number, out: Float32Array, offset: number): void {
    const width = this.names.length;
    out.set(this.matrix.values.subarray(req * width, (req + 1) * width), offset);
  }

  forget(): void {}
}

class LiveFeatureSource implements FeatureSource {
  readonly names = FEATURE_NAMES;
  private readonly state: FeatureState;
  private readonly row = new Float64Array(FEATURE_NAMES.length);

  constructor(
    private readonly request: Readonly<CurrentRequest>,
    carries: RequestLabelling,
  ) {
    this.state = new FeatureState(carries);
  }

  features(obj: number, _req: number, out: Float32Array, offset: number): void {
    const { time, size, user, dataset } = this.request;
    this.state.advance(obj, time, size, user, dataset, this.row, 0);
    out.set(this.row, offset);
  }

  forget(obj: number): void {
    this.state.forgetFile(obj);
  }
}

/** The features of the replayed trace when there is one, else of each request as it comes. */
export function featureSource(ctx: Pick<PolicyContext, 'trace' | 'request' | 'carries'>): FeatureSource {
  return ctx.trace ? new TraceFeatureSource(ctx.trace) : new LiveFeatureSource(ctx.request, ctx.carries);
}
