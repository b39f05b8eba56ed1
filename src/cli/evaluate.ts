/**
 * `smartcache evaluate`: replay held-out days with learned policies, every classic policy and
 * Belady; the simulate table and report files for the test days, plus the gap table.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { gapRows, gapTable } from '../report/gap.js';
import { resultsTable } from '../report/table.js';
import { parseDuration } from '../report/units.js';
import type { SimResult } from '../sim/metrics.js';
import { runSimulations, type SimJob } from '../sim/parallel.js';
import { parsePolicies, resolveSizes } from '../sim/plan.js';
import { LEARNED_POLICIES, policySpec } from '../sim/policies/index.js';
import { traceHead, uniqueBytes } from '../trace/model.js';
import { sortByTime } from '../trace/sort.js';
import { addReportOutputs, type ReportOutputs, writeReports } from './outputs.js';
import { progressBar, trainingBar } from './progress.js';
import { printJson } from './run.js';
import { allPolicyNames } from './simulate.js';
import { addTraceInputOptions, loadTrace, type TraceInputOptions } from './trace-options.js';

interface EvaluateOptions extends TraceInputOptions, ReportOutputs {
  trace: string;
  bundle: string[];
  sizes: string;
  testDays: string;
  period: string;
  policies: string;
  under?: string;
  candidates: string;
  retrainEvery?: string;
  retrainWindow: string;
  retrainModel?: string;
  epochs?: string;
  seed: string;
  jobs?: string;
  json?: boolean;
}

const EXAMPLES = `
Examples:
  $ smartcache evaluate --trace datalake.csv --bundle bundles/admit --bundle bundles/evict \\
      --test-days 21..29 --sizes 0.01,0.05,0.1 --out eval.html
  $ smartcache evaluate --trace datalake.csv --bundle bundles/admit --test-days 21..29 --retrain-every 1d
  $ smartcache evaluate --trace cloudPhysicsIO.oracleGeneral.bin --period 20m --test-days 4..6 \\
      --bundle cp-admit --bundle cp-evict

The replay covers the history before the test days (state warms up) and the test days;
only the test days are counted, in the table, the report files and the gap table. Sizes
are fractions of the whole trace's unique bytes (as in simulate and prep --opt-size) or sizes. "gap closed" is
(learned - best classic) / (Belady - best classic) on byte hit ratio. docs/learn.md.`;

const collect = (value: string, previous: string[]) => [...previous, value];
/** model kinds `--retrain-every` can retrain while replaying (the RL agents learn online instead) */
const RETRAINABLE = ['learned-admit', 'learned-evict'];

export function register(program: Command): void {
  const cmd = program
    .command('evaluate')
    .description('evaluate learned policies on held-out days against every classic policy and Belady')
    .requiredOption('-t, --trace <file>', 'trace file (gzip/zstd compressed files are read transparently)');
  addTraceInputOptions(cmd)
    .option('-b, --bundle <dir>', 'a model bundle (repeatable)', collect, [])
    .requiredOption('--test-days <C..D>', 'held-out days: dates or indices from 0, inclusive')
    .option('--period <duration>', 'length of a "day" for indices and metric windows (1d, 6h, 20m)', '1d')
    .option(
      '-s, --sizes <list>',
      "cache sizes: fractions of the test days' unique bytes or sizes",
      '0.01,0.05,0.1',
    )
    .option('-p, --policies <list>', 'classic policies to compare, or "all"', 'all')
    .option(
      '--under <policy>',
      'eviction policy under learned-admit, a list runs each (default: the one its thresholds were tuned under)',
    )
    .option('--candidates <n>', 'learned-evict: candidates sampled per eviction', '64')
    .option('--retrain-every <duration>', 'also replay models retrained every so often on a sliding window')
    .option('--retrain-window <duration>', 'length of the sliding training window', '7d')
    .option('--retrain-model <list>', 'kinds to retrain (default: the kinds of the bundles, else both)')
    .option('--epochs <n>', "retraining epochs (default: the bundle's, else 5)")
    .option('--seed <n>', 'seed for randomised policies and retraining', '1')
    .option('-j, --jobs <n>', 'worker threads (default: cores)')
    .option('--json', 'print {results, gap} as JSON on stdout instead of tables');
  addReportOutputs(cmd).addHelpText('after', EXAMPLES).action(runEvaluate);
}

function learnedLabel(kind: string, name: string, params: Record<string, string>): string {
  const extra = Object.entries(params)
    .filter(([k]) => k !== 'bundle' && k !== 'scores')
    .map(([k, v]) => `${k}=${v}`);
  return `${kind}(${[name, ...extra].join(',')})`;
}

async function runEvaluate(opts: EvaluateOptions): Promise<void> {
  const { parseDayRange, periodOrigin, lowerBound, traceSlice } = await import('../learn/dataset.js');
  const { BUNDLE_KINDS, readBundle } = await import('../learn/bundle.js');
  const { restrictResult } = await import('../learn/evaluate.js');
  const period = parseDuration(opts.period);
  const loaded = await loadTrace(opts.trace, opts);
  const full = sortByTime(loaded.trace);
  if (full.length === 0) throw new RangeError(`${opts.trace} has no requests`);
  const origin = periodOrigin(full.time[0], period);
  const test = parseDayRange(opts.testDays, origin, period, '--test-days');
  const start = lowerBound(full.time, test.from);
  const end = lowerBound(full.time, test.to);
  if (end <= start) throw new RangeError(`--test-days ${opts.testDays}: no requests in those days`);
  const trace = traceHead(full, end);
  const testTrace = traceSlice(trace, start, end);
  // fractions of the whole trace's unique bytes, as in simulate and prep --opt-size
  const sizes = resolveSizes(opts.sizes, uniqueBytes(full));
  const seed = Number(opts.seed);
  const options = { window: period, seed };

  const bundles = await Promise.all(opts.bundle.map((dir) => readBundle(dir, { kind: BUNDLE_KINDS })));
  const classic = parsePolicies(opts.policies === 'all' ? allPolicyNames().join(',') : opts.policies).filter(
    (c) => !LEARNED_POLICIES.includes(c.spec.name),
  );
  const jobs: SimJob[] = [];
  for (const c of classic) {
    for (const capacity of c.spec.unbounded ? sizes.slice(0, 1) : sizes) {
      jobs.push({ policy: c.spec.name, label: c.label, options: { ...options, capacity, params: c.params } });
    }
  }
  const unders = opts.under === undefined ? [] : opts.under.split(',').map((u) => u.trim());
  for (const u of unders) policySpec(u);
  /** one parameter set per policy underneath for admission, one for eviction, none for the RL agents */
  const learnedParams = (kind: string): Record<string, string>[] => {
    if (kind === 'learned-admit') return unders.length > 0 ? unders.map((under) => ({ under })) : [{}];
    if (kind === 'learned-evict') return [{ candidates: opts.candidates }];
    return [{}];
  };
  for (const b of bundles) {
    for (const extra of learnedParams(b.params.kind)) {
      const params = { bundle: b.dir, ...extra };
      const label = learnedLabel(b.params.kind, b.params.name, extra);
      for (const capacity of sizes) {
        jobs.push({ policy: b.params.kind, label, options: { ...options, capacity, params } });
      }
    }
  }

  const scratch = await mkdtemp(path.join(tmpdir(), 'smartcache-evaluate-'));
  try {
    if (opts.retrainEvery) {
      const kinds = opts.retrainModel
        ? opts.retrainModel.split(',').map((k) => k.trim())
        : [...new Set(bundles.map((b) => b.params.kind))].filter((k) => RETRAINABLE.includes(k));
      if (kinds.length === 0) kinds.push(...RETRAINABLE);
      const { retrainScores } = await import('../learn/retrain.js');
      for (const kind of kinds) {
        policySpec(kind);
        const fromBundle = bundles.find((b) => b.params.kind === kind)?.params.training;
        const every = parseDuration(opts.retrainEvery);
        const window = parseDuration(opts.retrainWindow);
        const runs = await retrainScores({
          trace,
          kind,
          testFrom: test.from,
          testTo: test.to,
          every,
          window,
          period,
          sizes,
          seed,
          epochs: opts.epochs ? Number(opts.epochs) : Number(fromBundle?.epochs ?? 5),
          hidden: (fromBundle?.hidden as number[] | undefined) ?? [32, 32],
          bar: (label) =>
            trainingBar(label, opts.epochs ? Number(opts.epochs) : Number(fromBundle?.epochs ?? 5)),
        });
        for (const run of runs) {
          const file = path.join(scratch, `${kind}-${run.capacity ?? 'all'}.f32`);
          await writeFile(
            file,
            new Uint8Array(run.scores.buffer, run.scores.byteOffset, run.scores.byteLength),
          );
          for (const extra of learnedParams(kind)) {
            const label = learnedLabel(kind, `retrain ${opts.retrainEvery}/${opts.retrainWindow}`, extra);
            for (const capacity of run.capacity === undefined ? sizes : [run.capacity]) {
              jobs.push({
                policy: kind,
                label,
                options: { ...options, capacity, params: { scores: file, ...extra } },
              });
            }
          }
        }
      }
    }

    const bar = progressBar('evaluating', jobs.length * trace.length, 'requests');
    const raw = await runSimulations(trace, jobs, {
      workers: opts.jobs === undefined ? undefined : Number(opts.jobs),
      onProgress: (n) => bar.tick(n),
    });
    bar.stop();
    const results = raw.map((r) => restrictResult(r, test.from));
    const gap = gapRows(results, {
      isLearned: (r) => LEARNED_POLICIES.includes(r.policy),
      isClassic: (r) => isClassic(r),
    });
    if (opts.json) printJson({ testDays: test.text, period, results, gap });
    else process.stdout.write(`${resultsTable(results)}\n\n${gapTable(gap)}\n`);
    const name = `${path.basename(opts.trace)}, test days ${test.text.join('..')}`;
    await writeReports(results, testTrace, opts, {
      title: `smartcache evaluate: ${name}`,
      name,
      command: `smartcache ${process.argv.slice(2).join(' ')}`,
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** A classic policy for "best classic": online, bounded and caching (not Belady, infinite, nocache). */
export function isClassic(r: SimResult): boolean {
  if (LEARNED_POLICIES.includes(r.policy) || r.policy === 'nocache') return false;
  const spec = policySpec(r.policy);
  return !spec.offline && !spec.unbounded;
}
