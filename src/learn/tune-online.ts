/**
 * Tuning one parameter of the online learned policies (lrb's `window-factor`) per cache size
 * on the history alone, as LRB tunes its memory window: the history before the test days is
 * replayed once per value, and the value with the best byte hit ratio on the history's last
 * third of periods (at least one) is kept; the first value listed wins ties. No test-day
 * request is replayed, so the choice reads no test data.
 */
import { ratio } from '../sim/metrics.js';
import { runSimulations, type SimJob } from '../sim/parallel.js';
import { readParams } from '../sim/params.js';
import { PlanError, type PolicyChoice } from '../sim/plan.js';
import type { Trace } from '../trace/model.js';

/** `--online-tune param=v1,v2,...`: the parameter and its values, as text. */
export interface OnlineTuning {
  param: string;
  values: readonly string[];
}

/** The value kept for one online policy at one size, and what each value scored. */
export interface TunedChoice {
  /** the online policy as given to `--online` */
  policy: string;
  cacheSize: number;
  param: string;
  value: string;
  /** byte hit ratio of each value on the validation periods, in the order given */
  scores: { value: string; byteHitRatio: number }[];
}

export function parseOnlineTuning(text: string): OnlineTuning {
  const eq = text.indexOf('=');
  const param = text.slice(0, Math.max(0, eq)).trim();
  const values = text
    .slice(eq + 1)
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
  if (eq <= 0 || param === '' || values.length < 2) {
    throw new PlanError(
      `--online-tune "${text}": expected param=value,value[,...], e.g. window-factor=1,0.5,2`,
    );
  }
  return { param, values };
}

/** The label of an online policy whose parameter was tuned: `lrb(window-factor=tuned)`. */
export function tunedLabel(choice: PolicyChoice, param: string): string {
  const given = Object.entries(choice.params).map(([k, v]) => `${k}=${v}`);
  return `${choice.spec.name}(${[...given, `${param}=tuned`].join(',')})`;
}

/** Checks that every online policy takes the parameter, does not set it already, and accepts each value. */
export function checkOnlineTuning(online: readonly PolicyChoice[], tuning: OnlineTuning): void {
  for (const o of online) {
    if (Object.hasOwn(o.params, tuning.param)) {
      throw new PlanError(`--online-tune ${tuning.param}: ${o.label} already sets it`);
    }
    for (const value of tuning.values)
      readParams(o.spec.name, o.spec.params ?? {}, { ...o.params, [tuning.param]: value });
  }
}

export interface TuneRequest {
  /** the history alone: every request before the test days */
  history: Trace;
  online: readonly PolicyChoice[];
  tuning: OnlineTuning;
  sizes: readonly number[];
  /** seconds: the start of the history's first period, of the test days, and a period's length */
  origin: number;
  testFrom: number;
  period: number;
  seed: number;
  workers?: number;
  onProgress?: (total: number) => (requests: number) => void;
}

/** The start of the first period the tuning counts: the last third of the history's periods, at least one. */
function tuningStart(origin: number, testFrom: number, period: number): number {
  const periods = Math.round((testFrom - origin) / period);
  return Math.max(origin, testFrom - Math.max(1, Math.round(periods / 3)) * period);
}

/** Replays the history with each value per online policy and size; returns the values kept, by policy, then size. */
export async function tuneOnline(request: TuneRequest): Promise<TunedChoice[]> {
  const { history, online, tuning, sizes } = request;
  if (history.length === 0) throw new PlanError('--online-tune: no history before the test days to tune on');
  const from = tuningStart(request.origin, request.testFrom, request.period);
  const jobs: SimJob[] = [];
  for (const o of online) {
    for (const capacity of sizes) {
      for (const value of tuning.values) {
        const params = { ...o.params, [tuning.param]: value };
        jobs.push({
          policy: o.spec.name,
          label: `${o.label} ${tuning.param}=${value}`,
          options: { capacity, seed: request.seed, window: request.period, params },
        });
      }
    }
  }
  const results = await runSimulations(history, jobs, {
    workers: request.workers,
    onProgress: request.onProgress?.(jobs.length * history.length),
  });
  const choices: TunedChoice[] = [];
  let at = 0;
  for (const o of online) {
    for (const capacity of sizes) {
      const scores = tuning.values.map((value) => {
        const counted = results[at++].windows.filter((w) => w.start >= from);
        const requested = counted.reduce((sum, w) => sum + w.bytesRequested, 0);
        const hit = counted.reduce((sum, w) => sum + w.bytesHit, 0);
        return { value, byteHitRatio: ratio(hit, requested) };
      });
      const best = scores.reduce((b, s) => (s.byteHitRatio > b.byteHitRatio ? s : b));
      choices.push({ policy: o.label, cacheSize: capacity, param: tuning.param, value: best.value, scores });
    }
  }
  return choices;
}
