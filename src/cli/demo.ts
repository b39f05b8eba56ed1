/**
 * `smartcache demo`: the whole loop on embedded defaults, end to end, with nothing to download:
 * a generated data-lake workload, features, two trained models and an online learner,
 * evaluated on held-out days against every classic policy and Belady.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { DAY } from '../common/time.js';
import { formatCount } from '../common/units.js';
import type { Bundle } from '../learn/bundle.js';
import { generateWorkload } from '../trace/generate.js';
import type { Trace } from '../trace/model.js';
import { integer, jobsArgument, seedArgument, valueOption } from './arguments.js';
import { evaluateAndReport } from './evaluate.js';
import { reportStage } from './prep.js';
import { trainingBar } from './progress.js';

interface DemoOptions {
  requests: number;
  seed: number;
  sizes: string;
  epochs: number;
  out: string;
  png?: string;
  jobs?: number;
}

/** The generated workload spans 30 days: the models train on the first 21, the last 9 are held out. */
const TRAIN_DAYS = '0..20';
const TEST_DAYS = '21..29';

export function register(program: Command): void {
  program
    .command('demo')
    .description(
      'the whole loop on a generated data lake: prep, train, evaluate learned policies against every classic one and Belady, write report.html',
    )
    .addOption(
      valueOption('-n, --requests <n>', 'requests in the generated workload', integer(1000), '500000'),
    )
    .addOption(valueOption('--seed <n>', 'workload seed', seedArgument, '1'))
    .option('-s, --sizes <list>', 'cache sizes (fractions of unique bytes or 100TB)', '0.01,0.05,0.1')
    .addOption(valueOption('--epochs <n>', 'training epochs of each model', integer(1, 1000), '5'))
    .option('-o, --out <file>', 'HTML report', 'report.html')
    .option('--png <dir>', 'also write the plots as PNG images')
    .addOption(valueOption('-j, --jobs <n>', 'worker threads (default: cores)', jobsArgument))
    .addHelpText(
      'after',
      `
Steps, each usable alone (docs/learn.md):
  1. generate  a 30-day data-lake workload                    smartcache generate
  2. prep      features and labels of every request (DuckDB)  smartcache prep
  3. train     learned-admit and learned-evict on days ${TRAIN_DAYS}  smartcache train
  4. evaluate  days ${TEST_DAYS} with the learned policies, lrb (which
               learns while it replays), every classic policy and Belady
                                                              smartcache evaluate --online lrb
The report's first plot is the learned policies against the best classic policy and Belady
per cache size; the terminal table ends with the share of that gap each one closes.`,
    )
    .action(runDemo);
}

async function runDemo(opts: DemoOptions): Promise<void> {
  const work = await mkdtemp(path.join(tmpdir(), 'smartcache-demo-'));
  try {
    const name = `datalake, ${formatCount(opts.requests)} requests, seed ${opts.seed}`;
    step(1, `generating a ${formatCount(opts.requests)}-request data-lake workload (seed ${opts.seed})`);
    const trace = generateWorkload({ preset: 'datalake', requests: opts.requests, seed: opts.seed });
    step(2, 'preparing features and labels');
    const features = await prepFeatures(trace, name, path.join(work, 'features'));
    step(3, `training learned-admit and learned-evict on days ${TRAIN_DAYS}`);
    const bundles = [
      await trainBundle(features, 'learned-admit', opts, path.join(work, 'admit')),
      await trainBundle(features, 'learned-evict', opts, path.join(work, 'evict')),
    ];
    step(4, `evaluating days ${TEST_DAYS}: learned policies, lrb, every classic policy and Belady`);
    const plan = {
      trace,
      testDays: TEST_DAYS,
      period: DAY,
      sizes: opts.sizes,
      bundles,
      policies: 'all',
      online: 'lrb',
      unders: [],
      candidates: '64',
      seed: 1,
      workers: opts.jobs,
    };
    await evaluateAndReport(plan, opts, name, 'smartcache demo');
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function step(n: number, text: string): void {
  process.stderr.write(`[${n}/4] ${text}\n`);
}

async function prepFeatures(trace: Trace, name: string, out: string): Promise<string> {
  const [{ prepare }, { ENGINES }] = await Promise.all([
    import('../prep/pipeline.js'),
    import('../prep/engines.js'),
  ]);
  await prepare(
    { trace, file: name, format: 'generated' },
    { out, engine: ENGINES.duckdb, onStage: reportStage },
  );
  return out;
}

async function trainBundle(features: string, model: string, opts: DemoOptions, out: string): Promise<Bundle> {
  const [{ trainFromFeatures }, { writeBundle }, { DEFAULT_NETWORK, modelKind }] = await Promise.all([
    import('../learn/from-features.js'),
    import('../learn/bundle.js'),
    import('../learn/registry.js'),
  ]);
  const kind = modelKind(model);
  const bar = trainingBar(kind.kind, opts.epochs);
  const trained = await trainFromFeatures({
    features,
    kind,
    trainDays: TRAIN_DAYS,
    period: DAY,
    settings: { seed: 1, epochs: opts.epochs, ...DEFAULT_NETWORK, hidden: [...DEFAULT_NETWORK.hidden] },
    tuneSizes: opts.sizes,
    tuneUnders: ['lru'],
    given: [],
    progress: bar,
  });
  bar.stop();
  return writeBundle(out, trained.params, trained.labels, trained.files);
}
