/**
 * Held-out evaluation: the replay runs over the history and the test days (state warms up
 * on the history, like a cache that has been running), and only the test days are counted:
 * results are cut to their metric windows, which are the evaluation periods.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type GapRow, gapRows } from '../report/gap.js';
import { type Counters, perCacheByte, ratio, type SimResult, zeroCounters } from '../sim/metrics.js';
import { runSimulations, type SimJob } from '../sim/parallel.js';
import { parsePolicies, resolveSizes } from '../sim/plan.js';
import { classicPolicyNames, policySpec } from '../sim/policies/index.js';
import './policies/index.js';
import { lowerBound } from '../common/typed-arrays.js';
import { type Trace, traceHead, uniqueBytes } from '../trace/model.js';
import type { Bundle } from './bundle.js';
import { parseDayRange, periodOrigin, traceSlice } from './dataset.js';
import type { StoppableProgress } from './train.js';
import {
  checkOnlineTuning,
  type OnlineTuning,
  type TunedChoice,
  tunedLabel,
  tuneOnline,
} from './tune-online.js';

const COUNTER_KEYS = Object.keys(zeroCounters()) as (keyof Counters)[];

/** The result restricted to the windows starting at or after `from` (seconds). */
export function restrictResult(result: SimResult, from: number): SimResult {
  const windows = result.windows.filter((w) => w.start >= from);
  const total = zeroCounters();
  for (const w of windows) for (const k of COUNTER_KEYS) total[k] += w[k];
  const size = result.cacheSize;
  return {
    ...result,
    ...total,
    hitRatio: ratio(total.hits, total.requests),
    byteHitRatio: ratio(total.bytesHit, total.bytesRequested),
    missRatio: total.requests === 0 ? 0 : 1 - total.hits / total.requests,
    byteMissRatio: total.bytesRequested === 0 ? 0 : 1 - total.bytesHit / total.bytesRequested,
    throughputScore: perCacheByte(total.bytesHit - total.bytesWritten, size),
    costScore: perCacheByte(total.bytesWritten + total.bytesEvicted, size),
    windows,
  };
}

/** What `smartcache evaluate` replays, already parsed from the command line. */
export interface EvaluationPlan {
  /** the whole trace, sorted by time */
  trace: Trace;
  testDays: string;
  /** length of a "day" for indices and metric windows, seconds */
  period: number;
  sizes: string;
  bundles: readonly Bundle[];
  /** classic policies as given to `--policies` ("all" for every classic one) */
  policies: string;
  /** learned policies that train while they replay (`lrb`), as given to `--online`; empty: none */
  online?: string;
  /** one parameter of the online policies to tune per size on the history alone (tune-online.ts) */
  onlineTune?: OnlineTuning;
  /** eviction policies under learned-admit; empty: the one its thresholds were tuned under */
  unders: readonly string[];
  candidates: string;
  retrain?: {
    every: number;
    window: number;
    /** text of every/window for labels, e.g. `1d/7d` */
    label: string;
    /** kinds to retrain (default: the bundles' retrainable kinds, else both) */
    kinds?: readonly string[];
    epochs?: number;
    bar?: (label: string, epochs: number) => StoppableProgress;
  };
  seed: number;
  workers?: number;
  /** a progress callback per replay: the tuning replays of the history (`step` 'tuning'), then the evaluation */
  onProgress?: (total: number, step: 'tuning' | 'evaluating') => (requests: number) => void;
}

export interface Evaluation {
  testDays: [string, string];
  period: number;
  /** results counted on the test days only */
  results: SimResult[];
  gap: GapRow[];
  /** the values `onlineTune` kept, per online policy and size (empty without it) */
  tuning: TunedChoice[];
  /** the test days' requests, for report summaries */
  testTrace: Trace;
}

/** model kinds that `retrain` can retrain while replaying (the RL agents learn online instead) */
export const RETRAINABLE: readonly string[] = ['learned-admit', 'learned-evict'];

function learnedLabel(kind: string, name: string, params: Record<string, string>): string {
  const extra = Object.entries(params)
    .filter(([k]) => k !== 'bundle' && k !== 'scores')
    .map(([k, v]) => `${k}=${v}`);
  return `${kind}(${[name, ...extra].join(',')})`;
}

/** A classic policy for "best classic": online, bounded and caching (not Belady, infinite, nocache). */
export function isClassic(r: SimResult): boolean {
  if (r.policy === 'nocache') return false;
  const spec = policySpec(r.policy);
  return !spec.learned && !spec.offline && !spec.unbounded;
}

/**
 * Replays the history and the test days with the bundles' policies (and retrained ones), the
 * online learned policies, every classic policy of the plan and Belady, and counts the test
 * days only (an online policy learns from the history and keeps learning on the test days).
 */
export async function evaluateHeldOut(plan: EvaluationPlan): Promise<Evaluation> {
  const full = plan.trace;
  if (full.length === 0) throw new RangeError('the trace has no requests');
  const origin = periodOrigin(full.time[0], plan.period);
  const test = parseDayRange(plan.testDays, origin, plan.period, '--test-days');
  const start = lowerBound(full.time, test.from);
  const end = lowerBound(full.time, test.to);
  if (end <= start) throw new RangeError(`--test-days ${plan.testDays}: no requests in those days`);
  const trace = traceHead(full, end);
  // the whole trace's unique bytes are the base of prep --opt-size and train --tune-sizes, so the
  // fractions here are the sizes the learned-admit thresholds were tuned at
  const sizes = resolveSizes(plan.sizes, uniqueBytes(full));
  const options = { window: plan.period, seed: plan.seed };
  for (const u of plan.unders) policySpec(u);

  /** one parameter set per policy underneath for admission, one for eviction, none for the RL agents */
  const learnedParams = (kind: string): Record<string, string>[] => {
    if (kind === 'learned-admit')
      return plan.unders.length > 0 ? plan.unders.map((under) => ({ under })) : [{}];
    if (kind === 'learned-evict') return [{ candidates: plan.candidates }];
    return [{}];
  };
  const learnedJobs = (kind: string, label: string, params: Record<string, string>, at: readonly number[]) =>
    at.map((capacity): SimJob => ({ policy: kind, label, options: { ...options, capacity, params } }));

  const jobs: SimJob[] = [];
  const classic = parsePolicies(plan.policies === 'all' ? classicPolicyNames().join(',') : plan.policies);
  for (const c of classic.filter((c) => !c.spec.learned)) {
    for (const capacity of c.spec.unbounded ? sizes.slice(0, 1) : sizes) {
      jobs.push({ policy: c.spec.name, label: c.label, options: { ...options, capacity, params: c.params } });
    }
  }
  const online = plan.online ? parsePolicies(plan.online) : [];
  for (const o of online) {
    if (!o.spec.learned)
      throw new RangeError(`--online ${o.label}: not a learned policy; give it to --policies`);
  }
  const tuneWith = plan.onlineTune;
  const progress = plan.onProgress;
  let tuning: TunedChoice[] = [];
  if (tuneWith && online.length === 0)
    throw new RangeError('--online-tune: give the policies to tune with --online');
  if (tuneWith) {
    checkOnlineTuning(online, tuneWith);
    tuning = await tuneOnline({
      history: traceHead(full, start),
      online,
      tuning: tuneWith,
      sizes,
      origin,
      testFrom: test.from,
      period: plan.period,
      seed: plan.seed,
      workers: plan.workers,
      onProgress: progress && ((total) => progress(total, 'tuning')),
    });
    tuning.forEach((choice, i) => {
      const o = online[Math.floor(i / sizes.length)];
      const params = { ...o.params, [choice.param]: choice.value };
      jobs.push(...learnedJobs(o.spec.name, tunedLabel(o, choice.param), params, [choice.cacheSize]));
    });
  } else {
    for (const o of online) jobs.push(...learnedJobs(o.spec.name, o.label, o.params, sizes));
  }
  for (const b of plan.bundles) {
    for (const extra of learnedParams(b.params.kind)) {
      const label = learnedLabel(b.params.kind, b.params.name, extra);
      jobs.push(...learnedJobs(b.params.kind, label, { bundle: b.dir, ...extra }, sizes));
    }
  }

  const scratch = await mkdtemp(path.join(tmpdir(), 'smartcache-evaluate-'));
  try {
    const retrain = plan.retrain;
    if (retrain) {
      const kinds = retrain.kinds
        ? [...retrain.kinds]
        : [...new Set(plan.bundles.map((b) => b.params.kind))].filter((k) => RETRAINABLE.includes(k));
      if (kinds.length === 0) kinds.push(...RETRAINABLE);
      const { retrainScores } = await import('./retrain.js');
      for (const kind of kinds) {
        policySpec(kind);
        const fromBundle = plan.bundles.find((b) => b.params.kind === kind)?.params.training;
        const epochs = retrain.epochs ?? Number(fromBundle?.epochs ?? 5);
        const runs = await retrainScores({
          trace,
          kind,
          testFrom: test.from,
          testTo: test.to,
          every: retrain.every,
          window: retrain.window,
          period: plan.period,
          sizes,
          seed: plan.seed,
          epochs,
          hidden: (fromBundle?.hidden as number[] | undefined) ?? [32, 32],
          bar: retrain.bar && ((label) => retrain.bar!(label, epochs)),
        });
        for (const run of runs) {
          const file = path.join(scratch, `${kind}-${run.capacity ?? 'all'}.f32`);
          await writeFile(
            file,
            new Uint8Array(run.scores.buffer, run.scores.byteOffset, run.scores.byteLength),
          );
          for (const extra of learnedParams(kind)) {
            const label = learnedLabel(kind, `retrain ${retrain.label}`, extra);
            const at = run.capacity === undefined ? sizes : [run.capacity];
            jobs.push(...learnedJobs(kind, label, { scores: file, ...extra }, at));
          }
        }
      }
    }
    const raw = await runSimulations(trace, jobs, {
      workers: plan.workers,
      onProgress: plan.onProgress?.(jobs.length * trace.length, 'evaluating'),
    });
    const results = raw.map((r) => restrictResult(r, test.from));
    const gap = gapRows(results, { isLearned: (r) => policySpec(r.policy).learned === true, isClassic });
    return {
      testDays: test.text,
      period: plan.period,
      results,
      gap,
      tuning,
      testTrace: traceSlice(trace, start, end),
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
