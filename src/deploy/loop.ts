/**
 * The closed learning loop of a stack. Every `interval` a round takes the cache nodes' access
 * logs (XCache file_close lines), holds out the newest window that has ended and trains on the
 * windows before it: prep (DuckDB), train a learned-admit model, evaluate it and the serving
 * model on the held-out window (the same replay as `smartcache evaluate`), and publishes the
 * candidate to the model service only when its byte hit ratio is higher (or no model serves
 * yet). Cache nodes ask the service's default model, so they use a published version from their
 * next batch on. Every step ends with one line in the loop history (loop-history.ts).
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../common/atomic.js';
import { lowerBound } from '../common/typed-arrays.js';
import { formatCount, formatPercent, isoTime } from '../common/units.js';
import { type Bundle, readBundle, writeBundle } from '../learn/bundle.js';
import { periodOrigin } from '../learn/dataset.js';
import { evaluateHeldOut } from '../learn/evaluate.js';
import { trainFromFeatures } from '../learn/from-features.js';
import { DEFAULT_NETWORK, modelKind } from '../learn/registry.js';
import { engineFactory } from '../prep/engines.js';
import { prepare } from '../prep/pipeline.js';
import { policySpec } from '../sim/policies/index.js';
import { type Trace, traceHead } from '../trace/model.js';
import { readTrace } from '../trace/read.js';
import {
  appendLoopEvent,
  type LoopEvent,
  type LoopScore,
  type LoopStep,
  readLoopHistory,
} from './loop-history.js';
import { publishBundle } from './publish.js';
import type { StackLoop } from './stack/config.js';

export interface LoopOptions extends StackLoop {
  /** the access logs of the cache nodes */
  logs: readonly string[];
  /** the loop's folder: rounds' work, the serving model's bundle, serving.json */
  dir: string;
  history: string;
  /** the model service's base URL and admin token */
  modelUrl: string;
  token: string;
  /** told of every step once it is in the history */
  onEvent?: (event: LoopEvent) => void;
  /** told of a failure outside the steps (the round's folder could not be cleaned up) */
  onError?: (err: Error) => void;
  /** now, in seconds since the epoch (default: the system clock); windows end by it */
  clock?: () => number;
}

/** The model the loop last published, kept in DIR/serving.json across restarts of the stack. */
interface Serving {
  bundle: string;
  model: string;
  version: number;
}

/** A round that ends early without a failure: not enough data yet, or the loop is stopping. */
class RoundOver extends Error {}

export class ClosedLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopping = false;
  private round = 0;
  private serving: Serving | undefined;

  private constructor(private readonly options: LoopOptions) {}

  /** Reads what earlier runs left (round count, serving model) and schedules the first round. */
  static async start(options: LoopOptions): Promise<ClosedLoop> {
    const loop = new ClosedLoop(options);
    await mkdir(options.dir, { recursive: true });
    const history = await readLoopHistory(options.history);
    loop.round = history.events.reduce((max, e) => Math.max(max, e.round), 0);
    loop.serving = await readServing(join(options.dir, 'serving.json'));
    loop.schedule(options.interval);
    return loop;
  }

  /** Runs no further round; resolves once the running one is over (it ends after its current step). */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(seconds: number): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      const started = performance.now();
      this.running = this.runRound()
        .catch((err: Error) => this.options.onError?.(err))
        .finally(() => {
          this.running = undefined;
          this.schedule(Math.max(0, this.options.interval - (performance.now() - started) / 1000));
        });
    }, seconds * 1000);
  }

  private async runRound(): Promise<void> {
    const round = ++this.round;
    const work = join(this.options.dir, 'rounds', String(round));
    let promoted = false;
    try {
      const collected = await this.step(round, 'collect', () => this.collect(work));
      const features = join(work, 'features');
      await this.step(round, 'prep', async () => {
        const set = await prepare(
          { trace: collected.trace, file: collected.file, format: 'xrootd' },
          { out: features, engine: engineFactory('duckdb'), optSize: this.options.sizes.split(',')[0] },
        );
        return { value: set, detail: `${formatCount(set.rows)} feature rows` };
      });
      const candidate = await this.step(round, 'train', () => this.train(features, collected, work));
      const scores = await this.step(round, 'evaluate', () => this.evaluate(collected, candidate));
      promoted = await this.decide(round, candidate, scores);
    } catch (err) {
      if (!(err instanceof RoundOver)) throw err;
    } finally {
      await rm(join(work, 'access.jsonl'), { force: true });
      await rm(join(work, 'features'), { recursive: true, force: true });
      if (!promoted) await rm(work, { recursive: true, force: true });
    }
  }

  /**
   * Runs one step and appends its event: ok with the detail it gives, or failed with the
   * error's message (which ends the round). `RoundOver` ends the round with an ok event.
   */
  private async step<T>(
    round: number,
    step: LoopStep,
    run: () => Promise<{ value: T; detail: string; scores?: Pick<LoopEvent, 'candidate' | 'serving'> }>,
  ): Promise<T> {
    if (this.stopping) throw new RoundOver('the loop is stopping');
    const started = performance.now();
    const event = (ok: boolean, detail: string, extra: Partial<LoopEvent> = {}): LoopEvent => ({
      time: new Date().toISOString(),
      round,
      step,
      ok,
      seconds: Math.round((performance.now() - started) / 10) / 100,
      detail,
      ...extra,
    });
    let result: Awaited<ReturnType<typeof run>>;
    try {
      result = await run();
    } catch (err) {
      const over = err instanceof RoundOver;
      await this.record(event(over, (err as Error).message));
      throw over ? err : new RoundOver((err as Error).message);
    }
    await this.record(event(true, result.detail, result.scores));
    return result.value;
  }

  private async record(event: LoopEvent): Promise<void> {
    await appendLoopEvent(this.options.history, event);
    this.options.onEvent?.(event);
  }

  /** The whole lines of every access log, cut at the end of the newest window that has ended. */
  private async collect(work: string) {
    const { window } = this.options;
    await mkdir(work, { recursive: true });
    const parts: string[] = [];
    for (const log of this.options.logs) {
      const text = await readFile(log, 'utf8').catch(() => '');
      parts.push(text.slice(0, text.lastIndexOf('\n') + 1));
    }
    const file = join(work, 'access.jsonl');
    await writeFile(file, parts.join(''));
    if (parts.every((p) => p === '')) throw new RoundOver('no requests in the access logs yet');
    const { trace: all } = await readTrace(file, { format: 'xrootd' });
    const origin = periodOrigin(all.time[0], window);
    const now = this.options.clock?.() ?? Date.now() / 1000;
    const test = Math.floor((now - origin) / window) - 1;
    const testFrom = origin + test * window;
    const trace = traceHead(all, lowerBound(all.time, testFrom + window));
    const trainRows = lowerBound(trace.time, testFrom);
    if (test < 1 || trainRows === 0 || trainRows === trace.length) {
      throw new RoundOver(
        `${formatCount(all.length)} requests: a round needs requests in an ended window to evaluate on and in one before it to train on; waiting`,
      );
    }
    return {
      value: { trace, file, test, trainRows },
      detail: `${formatCount(trace.length)} requests from ${this.options.logs.length} access logs: windows 0..${test - 1} train, window ${test} (from ${isoTime(testFrom)}) is held out`,
    };
  }

  private async train(features: string, collected: Collected, work: string) {
    const trained = await trainFromFeatures({
      features,
      kind: modelKind('learned-admit'),
      trainDays: `0..${collected.test - 1}`,
      period: this.options.window,
      settings: {
        seed: 1,
        epochs: this.options.epochs,
        ...DEFAULT_NETWORK,
        hidden: [...DEFAULT_NETWORK.hidden],
      },
      tuneSizes: this.options.sizes,
      tuneUnders: [this.options.under],
      given: ['epochs', 'tune-sizes', 'tune-under'],
      name: this.options.model,
    });
    const bundle = await writeBundle(join(work, 'bundle'), trained.params, trained.labels, trained.files);
    return {
      value: bundle,
      detail: `${this.options.model} (learned-admit under ${this.options.under}) on ${formatCount(collected.trainRows)} requests`,
    };
  }

  /** Byte hit ratio and hit ratio of a bundle on the held-out window, averaged over the sizes. */
  private async score(collected: Collected, bundle: Bundle, version: number) {
    const evaluation = await evaluateHeldOut({
      trace: collected.trace,
      testDays: String(collected.test),
      period: this.options.window,
      sizes: this.options.sizes,
      bundles: [bundle],
      policies: this.options.under,
      unders: [this.options.under],
      candidates: '64',
      seed: 1,
      workers: 1,
    });
    const mean = (results: typeof evaluation.results, key: 'byteHitRatio' | 'hitRatio') =>
      results.reduce((sum, r) => sum + r[key], 0) / results.length;
    const learned = evaluation.results.filter((r) => policySpec(r.policy).learned);
    const classic = evaluation.results.filter((r) => !policySpec(r.policy).learned);
    const score: LoopScore = {
      model: this.options.model,
      version,
      byteHitRatio: mean(learned, 'byteHitRatio'),
      hitRatio: mean(learned, 'hitRatio'),
    };
    return { score, classic: mean(classic, 'byteHitRatio') };
  }

  private async evaluate(collected: Collected, candidate: Bundle) {
    const { score, classic } = await this.score(collected, candidate, 0);
    const serving =
      this.serving &&
      (await this.score(collected, await readBundle(this.serving.bundle), this.serving.version));
    const servingText = serving
      ? `serving version ${serving.score.version} ${formatPercent(serving.score.byteHitRatio)}`
      : 'no model serving';
    return {
      value: { candidate: score, serving: serving?.score },
      detail: `byte hit ratio on the held-out window: candidate ${formatPercent(score.byteHitRatio)}, ${servingText}, ${this.options.under} alone ${formatPercent(classic)}`,
      scores: { candidate: score, serving: serving?.score },
    };
  }

  /** Publishes the candidate when it beats the serving model (or none serves); answers whether it did. */
  private async decide(
    round: number,
    bundle: Bundle,
    scores: { candidate: LoopScore; serving?: LoopScore },
  ): Promise<boolean> {
    const { candidate, serving } = scores;
    if (serving && !(candidate.byteHitRatio > serving.byteHitRatio)) {
      await this.step(round, 'keep', async () => ({
        value: undefined,
        detail: `the candidate's ${formatPercent(candidate.byteHitRatio)} does not beat version ${serving.version}'s ${formatPercent(serving.byteHitRatio)}: version ${serving.version} keeps serving`,
        scores: { candidate, serving },
      }));
      return false;
    }
    await this.step(round, 'promote', async () => {
      const published = await publishBundle({
        bundle: bundle.dir,
        url: this.options.modelUrl,
        token: this.options.token,
      });
      const previous = this.serving;
      const next: Serving = { bundle: bundle.dir, model: published.model, version: published.version };
      await writeFileAtomic(join(this.options.dir, 'serving.json'), `${JSON.stringify(next, null, 2)}\n`);
      this.serving = next;
      if (previous) await rm(join(previous.bundle, '..'), { recursive: true, force: true });
      return {
        value: undefined,
        detail: `published ${published.model} version ${published.version} to ${this.options.modelUrl}${serving ? ` (replaces version ${serving.version})` : ''}`,
        scores: { candidate: { ...candidate, version: published.version }, serving },
      };
    });
    return true;
  }
}

interface Collected {
  trace: Trace;
  file: string;
  /** index of the held-out window */
  test: number;
  /** requests before it */
  trainRows: number;
}

async function readServing(file: string): Promise<Serving | undefined> {
  try {
    const serving = JSON.parse(await readFile(file, 'utf8')) as Serving;
    await readBundle(serving.bundle);
    return serving;
  } catch {
    return undefined;
  }
}
