/**
 * The learned policies as simulator policies.
 *
 * Batching: replaying a trace, a learned policy scores every request when it is created
 * (online features are causal, so this reads no future), with batched forward passes, and
 * the replay then reads the score of each request: no model call per request. Workers
 * receive only the policy name and its parameters, so scores come from `bundle=DIR`
 * (loaded and run here) or from `scores=FILE` (float32 little-endian, one per request of
 * the replayed trace, written by `smartcache evaluate --retrain-every`). Without a trace (a
 * cache node) each request is scored as it arrives (scores.ts).
 *
 * - learned-admit: on a miss, admit when score >= threshold (the bundle's, or `threshold=`);
 *   order and eviction by a classic policy underneath (`under=lru`).
 * - learned-evict: the score is the predicted log(1 + seconds to the next request); each
 *   request sets the object's predicted next access time t + expm1(score); eviction samples
 *   `candidates=64` resident objects (seeded) and evicts the one predicted farthest.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Random } from '../../common/random.js';
import { FEATURE_NAMES } from '../../prep/schema.js';
import { type CurrentRequest, type Policy, type PolicyContext, traceOf } from '../../sim/policy.js';
import { IndexedSet } from '../../sim/structs/indexed-set.js';
import type { Trace } from '../../trace/model.js';
import { type Bundle, type BundleKind, type BundleParams, readBundleSync } from '../bundle.js';
import { encode } from '../encode.js';
import { loadMlp } from '../infer.js';
import { type FeatureMatrix, traceFeatures } from '../online-features.js';
import { LiveScores, PrecomputedScores, ProvidedScores, type RequestScores } from './scores.js';

export class LearnedPolicyError extends Error {
  constructor(policy: string, reason: string) {
    super(`policy ${policy}: ${reason}`);
    this.name = 'LearnedPolicyError';
  }
}

const scoreCache = new WeakMap<Trace, Map<string, Float32Array>>();

const CHUNK = 8192;

/** The bundle's model output for every row of a feature matrix, in batches. */
export function scoreRows(bundle: Bundle, features: FeatureMatrix): Float32Array {
  const mlp = loadMlp(bundle);
  const { features: names, normalization } = bundle.params;
  const out = new Float32Array(features.rows);
  const cols = features.names.length;
  for (let start = 0; start < features.rows; start += CHUNK) {
    const end = Math.min(features.rows, start + CHUNK);
    const view = {
      names: features.names,
      rows: end - start,
      values: features.values.subarray(start * cols, end * cols),
    };
    const y = mlp.predict(encode(view, names, normalization), end - start);
    for (let r = 0; r < end - start; r++) out[start + r] = y[r * mlp.outputs];
  }
  return out;
}

/** Scores of every request of the trace under a bundle, cached per (trace, bundle). */
export function traceScores(trace: Trace, bundle: Bundle): Float32Array {
  let byBundle = scoreCache.get(trace);
  if (!byBundle) {
    byBundle = new Map();
    scoreCache.set(trace, byBundle);
  }
  const key = `${bundle.dir}\n${bundle.params.createdAt}`;
  let scores = byBundle.get(key);
  if (!scores) {
    scores = scoreRows(bundle, traceFeatures(trace));
    byBundle.set(key, scores);
  }
  return scores;
}

/** Reads a scores file written for this trace. */
export function readScores(file: string, trace: Trace, policy: string): Float32Array {
  const buf = readFileSync(resolve(file));
  if (buf.byteLength !== trace.length * 4) {
    throw new LearnedPolicyError(
      policy,
      `scores file ${file} holds ${buf.byteLength / 4} scores for ${trace.length} requests`,
    );
  }
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

/** The parameters `scoreSource` reads, declared by both learned policies. */
export function scoreSourceParams(policy: BundleKind) {
  return {
    bundle: { type: 'string', placeholder: 'DIR', doc: `${policy} model bundle` },
    scores: {
      type: 'string',
      placeholder: 'FILE',
      doc: 'precomputed scores instead of a bundle (float32 per request)',
    },
  } as const;
}

export interface ScoreSource {
  scores: RequestScores;
  bundle?: Bundle;
  /** the score at which the source's own decision turns (a model service's scores are its decisions, 1 or 0) */
  threshold?: number;
}

/**
 * The policy's scores: from `scores=FILE`, or computed by the model of `bundle=DIR` (for
 * the whole replayed trace, or request by request where there is none).
 */
export function scoreSource(
  ctx: PolicyContext,
  policy: BundleKind,
  { bundle: dir, scores: file }: { bundle?: string; scores?: string },
): ScoreSource {
  if (file !== undefined)
    return { scores: new PrecomputedScores(readScores(file, traceOf(ctx, policy), policy)) };
  if (!ctx.trace && ctx.carries.scores) return { scores: new ProvidedScores(ctx.request), threshold: 0.5 };
  if (dir === undefined) throw new LearnedPolicyError(policy, 'needs bundle=DIR (or scores=FILE)');
  const bundle = readBundleSync(dir, { kind: policy, format: 'tfjs-layers', features: FEATURE_NAMES });
  const scores = ctx.trace
    ? new PrecomputedScores(traceScores(ctx.trace, bundle))
    : new LiveScores(bundle, ctx.request, ctx.carries);
  return { scores, bundle };
}

/** Admission by score over any policy underneath. */
export class LearnedAdmit implements Policy {
  private missScore = 0;

  constructor(
    private readonly under: Policy,
    private readonly scores: RequestScores,
    private readonly threshold: number,
  ) {}

  hit(obj: number, req: number): void {
    this.scores.scoreOf(obj, req);
    this.under.hit(obj, req);
  }
  miss(obj: number, size: number, req: number): void {
    this.missScore = this.scores.scoreOf(obj, req);
    this.under.miss?.(obj, size, req);
  }
  admit(obj: number, size: number, req: number): boolean {
    if (this.missScore < this.threshold) return false;
    return this.under.admit ? this.under.admit(obj, size, req) : true;
  }
  forget(obj: number): void {
    this.scores.forget(obj);
    this.under.forget?.(obj);
  }
  insert(obj: number, size: number, req: number): void {
    this.under.insert(obj, size, req);
  }
  evict(req: number): number {
    return this.under.evict(req);
  }
  remove(obj: number): void {
    this.under.remove(obj);
  }
}

/** LRB-style eviction of the sampled object predicted to be requested farthest away. */
export class LearnedEvict implements Policy {
  /**
   * Predicted time of the next request of each resident, at its position in `resident`: a
   * sampled candidate costs one load, not a lookup of its object and then of its prediction.
   */
  private readonly predicted: Float64Array;
  private readonly resident: IndexedSet;
  private readonly random: Random;

  private readonly request: Readonly<CurrentRequest>;
  private missPrediction = 0;

  constructor(
    ctx: PolicyContext,
    private readonly logGap: RequestScores,
    private readonly candidates: number,
  ) {
    this.predicted = new Float64Array(ctx.objectCount);
    this.resident = new IndexedSet(ctx.objectCount);
    this.random = new Random(ctx.seed);
    this.request = ctx.request;
  }

  /** The predicted time of the next request to `obj`. */
  private predict(obj: number, req: number): number {
    return this.request.time + Math.expm1(this.logGap.scoreOf(obj, req));
  }
  hit(obj: number, req: number): void {
    this.predicted[this.resident.positionOf(obj)] = this.predict(obj, req);
  }
  miss(obj: number, _size: number, req: number): void {
    this.missPrediction = this.predict(obj, req);
  }
  insert(obj: number): void {
    this.predicted[this.resident.add(obj)] = this.missPrediction;
  }
  forget(obj: number): void {
    this.logGap.forget(obj);
  }
  evict(): number {
    const set = this.resident;
    const predicted = this.predicted;
    let victimAt = -1;
    let farthest = Number.NEGATIVE_INFINITY;
    const sampled = set.size > this.candidates;
    const draws = sampled ? this.candidates : set.size;
    for (let k = 0; k < draws; k++) {
      const at = sampled ? this.random.int(set.size) : k;
      if (predicted[at] > farthest) {
        farthest = predicted[at];
        victimAt = at;
      }
    }
    const victim = set.at(victimAt);
    this.leave(victim);
    return victim;
  }
  remove(obj: number): void {
    this.leave(obj);
  }

  private leave(obj: number): void {
    const refilled = this.resident.remove(obj);
    if (refilled >= 0) this.predicted[refilled] = this.predicted[this.resident.size];
  }
}

/** The bundle's threshold (and base policy) tuned at the cache size nearest `capacity`, by ratio. */
export function bundleThreshold(
  params: BundleParams,
  capacity: number,
): { threshold: number; under?: string } {
  let best: { threshold: number; under?: string } = { threshold: params.threshold ?? 0.5 };
  let distance = Number.POSITIVE_INFINITY;
  for (const t of params.thresholds ?? []) {
    const d = Math.abs(Math.log(t.cacheSize / capacity));
    if (d < distance) {
      distance = d;
      best = t;
    }
  }
  return best;
}
