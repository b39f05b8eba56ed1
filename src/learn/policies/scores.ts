/**
 * Where a learned policy's per-request scores come from. Replaying a trace, every request
 * is scored up front in batches (the features are causal, so this reads no future); in a
 * cache node there is no trace, and each request is scored as it arrives, from the same
 * incremental feature state and the same forward pass. Either way the policy asks once per
 * request, hits and misses alike, in request order.
 */
import { FEATURE_NAMES } from '../../prep/schema.js';
import type { CurrentRequest, RequestLabelling } from '../../sim/policy.js';
import type { Bundle } from '../bundle.js';
import { RowEncoder } from '../encode.js';
import { FeatureState } from '../feature-state.js';
import { loadMlp, type Mlp } from '../infer.js';

export interface RequestScores {
  /** The model's score of request `req`, for `obj`; asked once per request, in order. */
  scoreOf(obj: number, req: number): number;
  /** `obj`'s id is about to name another object. */
  forget(obj: number): void;
}

/** Scores computed for every request of the replayed trace beforehand. */
export class PrecomputedScores implements RequestScores {
  constructor(private readonly scores: Float32Array) {}

  scoreOf(_obj: number, req: number): number {
    return this.scores[req];
  }

  forget(): void {}
}

/** Scores the host provides with each request: a cache node asking a model service (for admission, its decision: 1 admits, 0 does not). */
export class ProvidedScores implements RequestScores {
  constructor(private readonly request: Readonly<CurrentRequest>) {}

  scoreOf(): number {
    return this.request.score;
  }

  forget(): void {}
}

/** Scores computed request by request: the feature state advances, then the model runs on the row. */
export class LiveScores implements RequestScores {
  private readonly state: FeatureState;
  private readonly row = new Float64Array(FEATURE_NAMES.length);
  private readonly encoder: RowEncoder;
  private readonly input: Float32Array;
  private readonly mlp: Mlp;

  constructor(
    bundle: Bundle,
    private readonly request: Readonly<CurrentRequest>,
    carries: RequestLabelling,
  ) {
    this.state = new FeatureState(carries);
    const { features, normalization } = bundle.params;
    this.encoder = new RowEncoder(FEATURE_NAMES, features, normalization);
    this.input = new Float32Array(features.length);
    this.mlp = loadMlp(bundle);
  }

  scoreOf(obj: number): number {
    const { time, size, user, dataset } = this.request;
    this.state.advance(obj, time, size, user, dataset, this.row, 0);
    this.encoder.encode(this.row, 0, this.input, 0);
    return this.mlp.predictRow(this.input, 0)[0];
  }

  forget(obj: number): void {
    this.state.forgetFile(obj);
  }
}
