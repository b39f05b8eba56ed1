/**
 * The learned policies as simulator policies.
 *
 * Batching: a learned policy scores every request of the replay when it is created (online
 * features are causal, so this reads no future), with batched forward passes, and the
 * replay then reads `scores[req]`: no model call per request. Workers receive only the
 * policy name and its parameters, so scores come from `bundle=DIR` (loaded and run here)
 * or from `scores=FILE` (float32 little-endian, one per request of the replayed trace,
 * written by `smartcache evaluate --retrain-every`).
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
import { type Policy, type PolicyContext, traceOf } from '../../sim/policy.js';
import { IndexedSet } from '../../sim/structs/indexed-set.js';
import type { Trace } from '../../trace/model.js';
import { type Bundle, type BundleKind, type BundleParams, readBundleSync } from '../bundle.js';
import { encode } from '../encode.js';
import { loadMlp } from '../infer.js';
import { type FeatureMatrix, onlineFeatures } from '../online-features.js';

export class LearnedPolicyError extends Error {
  constructor(policy: string, reason: string) {
    super(`policy ${policy}: ${reason}`);
    this.name = 'LearnedPolicyError';
  }
}

const featureCache = new WeakMap<Trace, FeatureMatrix>();
const scoreCache = new WeakMap<Trace, Map<string, Float32Array>>();

/** Online features of a trace, computed once per trace object (per worker thread). */
export function traceFeatures(trace: Trace): FeatureMatrix {
  let m = featureCache.get(trace);
  if (!m) {
    m = onlineFeatures(trace);
    featureCache.set(trace, m);
  }
  return m;
}

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
  scores: Float32Array;
  bundle?: Bundle;
}

/** The policy's scores: from `scores=FILE`, or computed by the model of `bundle=DIR`. */
export function scoreSource(
  ctx: PolicyContext,
  policy: BundleKind,
  { bundle: dir, scores: file }: { bundle?: string; scores?: string },
): ScoreSource {
  if (file !== undefined) return { scores: readScores(file, traceOf(ctx, policy), policy) };
  if (dir === undefined) throw new LearnedPolicyError(policy, 'needs bundle=DIR (or scores=FILE)');
  const bundle = readBundleSync(dir, { kind: policy, format: 'tfjs-layers', features: FEATURE_NAMES });
  return { scores: traceScores(traceOf(ctx, policy), bundle), bundle };
}

/** Admission by score over any policy underneath. */
export class LearnedAdmit implements Policy {
  constructor(
    private readonly under: Policy,
    private readonly scores: Float32Array,
    private readonly threshold: number,
  ) {}

  hit(obj: number, req: number): void {
    this.under.hit(obj, req);
  }
  miss(obj: number, size: number, req: number): void {
    this.under.miss?.(obj, size, req);
  }
  admit(obj: number, size: number, req: number): boolean {
    if (this.scores[req] < this.threshold) return false;
    return this.under.admit ? this.under.admit(obj, size, req) : true;
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
  private readonly predicted: Float64Array;
  private readonly resident: IndexedSet;
  private readonly random: Random;

  constructor(
    private readonly trace: Trace,
    private readonly logGap: Float32Array,
    private readonly candidates: number,
    seed: number,
  ) {
    this.predicted = new Float64Array(trace.objectCount);
    this.resident = new IndexedSet(trace.objectCount);
    this.random = new Random(seed);
  }

  private predict(obj: number, req: number): void {
    this.predicted[obj] = this.trace.time[req] + Math.expm1(this.logGap[req]);
  }
  hit(obj: number, req: number): void {
    this.predict(obj, req);
  }
  insert(obj: number, _size: number, req: number): void {
    this.resident.add(obj);
    this.predict(obj, req);
  }
  evict(): number {
    const set = this.resident;
    let victim = -1;
    let farthest = Number.NEGATIVE_INFINITY;
    if (set.size <= this.candidates) {
      for (let k = 0; k < set.size; k++) {
        const o = set.at(k);
        if (this.predicted[o] > farthest) {
          farthest = this.predicted[o];
          victim = o;
        }
      }
    } else {
      for (let k = 0; k < this.candidates; k++) {
        const o = set.at(this.random.uint32() % set.size);
        if (this.predicted[o] > farthest) {
          farthest = this.predicted[o];
          victim = o;
        }
      }
    }
    set.remove(victim);
    return victim;
  }
  remove(obj: number): void {
    this.resident.remove(obj);
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
