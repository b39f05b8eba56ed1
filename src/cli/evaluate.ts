/**
 * `smartcache evaluate`: replay held-out days with learned policies, every classic policy and
 * Belady; the simulate table and report files for the test days, plus the gap table.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { formatBytes, formatPercent, parseDuration } from '../common/units.js';
import type { EvaluationPlan } from '../learn/evaluate.js';
import type { TunedChoice } from '../learn/tune-online.js';
import { gapTable } from '../report/gap.js';
import { resultsTable } from '../report/table.js';
import {
  durationArgument,
  durationText,
  integer,
  jobsArgument,
  seedArgument,
  valueOption,
} from './arguments.js';
import { addReportOutputs, type ReportOutputs, traceSummary, writeReports } from './outputs.js';
import { type Progress, progressBar, trainingBar } from './progress.js';
import { printJson } from './run.js';
import { addTraceInputOptions, loadTrace, type TraceInputOptions } from './trace-options.js';

interface EvaluateOptions extends TraceInputOptions, ReportOutputs {
  trace: string;
  bundle: string[];
  sizes: string;
  testDays: string;
  period: number;
  policies: string;
  online?: string;
  onlineTune?: string;
  under?: string;
  candidates: number;
  retrainEvery?: string;
  retrainWindow: string;
  retrainModel?: string;
  epochs?: number;
  seed: number;
  jobs?: number;
  json?: boolean;
}

const EXAMPLES = `
Examples:
  $ smartcache evaluate --trace datalake.csv --bundle bundles/admit --bundle bundles/evict \\
      --test-days 21..29 --sizes 0.01,0.05,0.1 --out eval.html
  $ smartcache evaluate --trace datalake.csv --bundle bundles/admit --test-days 21..29 --retrain-every 1d
  $ smartcache evaluate --trace cloudPhysicsIO.oracleGeneral.bin --period 20m --test-days 4..6 \\
      --bundle cp-admit --bundle cp-evict
  $ smartcache evaluate --trace datalake.csv --online lrb --test-days 21..29   # no prep, no train
  $ smartcache evaluate --trace datalake.csv --online lrb --online-tune window-factor=1,0.5,2 \\
      --test-days 21..29   # lrb's memory window chosen per size on days 0..20 alone
  $ smartcache evaluate --trace datalake.csv --online select --test-days 21..29   # lrb or a classic
      # policy per cache, whichever miniature simulations rank best

The replay covers the history before the test days (state warms up) and the test days;
only the test days are counted, in the table, the report files and the gap table. Sizes
are fractions of the whole trace's unique bytes (the base of prep --opt-size and train
--tune-sizes, so learned-admit runs at the sizes it was tuned for) or sizes. "gap closed" is
(learned - best classic) / (Belady - best classic) on byte hit ratio. --online policies (lrb, select)
need no bundle: they learn from the history and keep learning on the test days, as a
deployed cache would. --online-tune first replays the history alone once per value and
keeps, per size, the value with the best byte hit ratio on the history's last third of
periods (the first value wins ties). docs/learn.md.`;

const collect = (value: string, previous: string[]) => [...previous, value];

export function register(program: Command): void {
  const cmd = program
    .command('evaluate')
    .description('evaluate learned policies on held-out days against every classic policy and Belady')
    .requiredOption('-t, --trace <file>', 'trace file (gzip/zstd compressed files are read transparently)');
  addTraceInputOptions(cmd)
    .option('-b, --bundle <dir>', 'a model bundle (repeatable)', collect, [])
    .requiredOption('--test-days <C..D>', 'held-out days: dates or indices from 0, inclusive')
    .addOption(
      valueOption(
        '--period <duration>',
        'length of a "day" for indices and metric windows (1d, 6h, 20m)',
        durationArgument,
        '1d',
      ),
    )
    .option(
      '-s, --sizes <list>',
      "cache sizes: fractions of the whole trace's unique bytes or sizes",
      '0.01,0.05,0.1',
    )
    .option('-p, --policies <list>', 'classic policies to compare, or "all"', 'all')
    .option(
      '--online <list>',
      'learned policies that train while they replay, no bundle needed, e.g. "lrb,lrb(window-factor=4)"',
    )
    .option(
      '--online-tune <param=values>',
      'tune one parameter of the --online policies per size on the history alone, e.g. "window-factor=1,0.5,2"',
    )
    .option(
      '--under <policy>',
      'eviction policy under learned-admit, a list runs each (default: the one its thresholds were tuned under)',
    )
    .addOption(
      valueOption(
        '--candidates <n>',
        'learned-evict: candidates sampled per eviction',
        integer(1, 4096),
        '64',
      ),
    )
    .addOption(
      valueOption(
        '--retrain-every <duration>',
        'also replay models retrained every so often on a sliding window',
        durationText,
      ),
    )
    .addOption(
      valueOption('--retrain-window <duration>', 'length of the sliding training window', durationText, '7d'),
    )
    .option('--retrain-model <list>', 'kinds to retrain (default: the kinds of the bundles, else both)')
    .addOption(valueOption('--epochs <n>', "retraining epochs (default: the bundle's, else 5)", integer(1)))
    .addOption(valueOption('--seed <n>', 'seed for randomised policies and retraining', seedArgument, '1'))
    .addOption(valueOption('-j, --jobs <n>', 'worker threads (default: cores)', jobsArgument))
    .option('--json', 'print {results, gap} as JSON on stdout instead of tables');
  addReportOutputs(cmd).addHelpText('after', EXAMPLES).action(runEvaluate);
}

async function runEvaluate(opts: EvaluateOptions): Promise<void> {
  const { BUNDLE_KINDS, readBundle } = await import('../learn/bundle.js');
  const { parseOnlineTuning } = await import('../learn/tune-online.js');
  const loaded = await loadTrace(opts.trace, opts);
  const bundles = await Promise.all(opts.bundle.map((dir) => readBundle(dir, { kind: BUNDLE_KINDS })));
  const plan: Omit<EvaluationPlan, 'onProgress'> = {
    trace: loaded.trace,
    testDays: opts.testDays,
    period: opts.period,
    sizes: opts.sizes,
    bundles,
    policies: opts.policies,
    online: opts.online,
    onlineTune: opts.onlineTune === undefined ? undefined : parseOnlineTuning(opts.onlineTune),
    unders: opts.under === undefined ? [] : opts.under.split(',').map((u) => u.trim()),
    candidates: String(opts.candidates),
    retrain: opts.retrainEvery
      ? {
          every: parseDuration(opts.retrainEvery),
          window: parseDuration(opts.retrainWindow),
          label: `${opts.retrainEvery}/${opts.retrainWindow}`,
          kinds: opts.retrainModel?.split(',').map((k) => k.trim()),
          epochs: opts.epochs,
          bar: trainingBar,
        }
      : undefined,
    seed: opts.seed,
    workers: opts.jobs,
  };
  await evaluateAndReport(plan, opts, path.basename(opts.trace), 'smartcache evaluate');
}

/**
 * Replays a held-out evaluation with a progress bar, prints its results and gap tables (JSON
 * with `json`) and writes its report files, named `name` and the test days it resolved to.
 */
export async function evaluateAndReport(
  plan: Omit<EvaluationPlan, 'onProgress'>,
  outputs: ReportOutputs & { json?: boolean },
  name: string,
  title: string,
): Promise<void> {
  const { evaluateHeldOut } = await import('../learn/evaluate.js');
  let bar: Progress | undefined;
  const evaluation = await evaluateHeldOut({
    ...plan,
    onProgress: (total, step) => {
      bar?.stop();
      bar = progressBar(step, total, 'requests');
      return (n) => bar?.tick(n);
    },
  });
  bar?.stop();
  const { results, gap, testDays, tuning } = evaluation;
  if (outputs.json) printJson({ testDays, period: evaluation.period, results, gap, tuning });
  else process.stdout.write(`${resultsTable(results)}\n\n${gapTable(gap)}\n${tuningLines(tuning)}`);
  const named = `${name}, test days ${testDays.join('..')}`;
  await writeReports(results, traceSummary(evaluation.testTrace, named), outputs, {
    title: `${title}: ${named}`,
    command: `smartcache ${process.argv.slice(2).join(' ')}`,
    gap,
  });
}

/** One line per tuned online policy and size: the value kept and what each value scored on the history. */
function tuningLines(tuning: readonly TunedChoice[]): string {
  return tuning
    .map(
      (c) =>
        `\n${c.policy} at ${formatBytes(c.cacheSize)}: ${c.param}=${c.value} (history byte hit ratio ${c.scores
          .map((s) => `${s.value}: ${formatPercent(s.byteHitRatio)}`)
          .join(', ')})`,
    )
    .join('')
    .concat(tuning.length > 0 ? '\n' : '');
}
