/** `smartcache train`: fit a learned cache policy on prepared features and write a model bundle. */
import path from 'node:path';
import { type Command, Option } from 'commander';
import type { TrainingStart } from '../learn/from-features.js';
import {
  DEFAULT_NETWORK,
  DEFAULT_TRAIN_SHARE,
  MODEL_KINDS,
  type ModelKind,
  modelKind,
  TRAIN_OPTIONS,
  type TrainOption,
} from '../learn/registry.js';
import { checkOutputDirectory } from '../prep/output-dir.js';
import { durationArgument, integer, listOf, positiveNumber, seedArgument, valueOption } from './arguments.js';
import { trainingBar } from './progress.js';
import { printJson } from './run.js';

interface TrainCliOptions {
  features: string;
  model: string;
  trainDays?: string;
  out: string;
  period: number;
  seed: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  hidden: number[];
  label: 'opt_admit' | 'reused';
  tuneSizes: string;
  tuneUnder: string;
  name?: string;
  overwrite?: boolean;
  json?: boolean;
}

const SHARE = `${DEFAULT_TRAIN_SHARE * 100} %`;

const EXAMPLES = `
Examples:
  $ smartcache prep --trace datalake.csv --out features/
  $ smartcache train --features features/ --model learned-admit --train-days 0..20 --out bundles/admit
  $ smartcache train --features features/ --model learned-evict --train-days 2025-01-01..2025-01-21 --out bundles/evict
  $ smartcache train --features cp/ --model learned-admit --period 20m --train-days 0..3 --out cp-admit

Days are UTC dates (YYYY-MM-DD) or indices from 0 (the day of the first request), both ends
included; --period changes the unit of indices (e.g. 20m for a two-hour trace). Without
--train-days, the first ${SHARE} of the feature set's days are trained on (the rest stay unseen
for evaluate). The last fifth of the training days (at least one) is held out for
validation and threshold tuning. Each model kind takes only the settings its trainer reads
(listed with --model above); giving another is an error.
docs/learn.md describes the models; docs/bundles.md the bundle.`;

export function register(program: Command): void {
  program
    .command('train')
    .description('train a learned cache policy (admission or eviction) and write a model bundle')
    .requiredOption('-f, --features <dir>', 'prepared feature set (smartcache prep --out)')
    .requiredOption('-m, --model <kind>', `model kind:\n${MODEL_KINDS.map(kindHelp).join('\n')}`)
    .option(
      '--train-days <A..B>',
      `training days: dates or indices from 0, inclusive (default: the first ${SHARE})`,
    )
    .requiredOption('-o, --out <dir>', 'bundle directory to write (atomically)')
    .addOption(
      valueOption(
        '--period <duration>',
        'length of a "day" for indices (1d, 6h, 20m)',
        durationArgument,
        '1d',
      ),
    )
    .addOption(valueOption('--seed <n>', 'seed of initialisation and shuffling', seedArgument, '1'))
    .addOption(
      valueOption(
        '--epochs <n>',
        'passes over the training rows (RL: over the training days)',
        integer(1, 10_000),
        '5',
      ),
    )
    .addOption(
      valueOption(
        '--batch-size <n>',
        'rows per gradient step',
        integer(1, 1 << 20),
        String(DEFAULT_NETWORK.batchSize),
      ),
    )
    .addOption(
      valueOption(
        '--learning-rate <x>',
        'Adam learning rate',
        positiveNumber(1),
        String(DEFAULT_NETWORK.learningRate),
      ),
    )
    .addOption(
      valueOption(
        '--hidden <list>',
        'hidden layer widths',
        listOf(integer(1, 4096)),
        DEFAULT_NETWORK.hidden.join(','),
      ),
    )
    .addOption(
      new Option('--label <name>', 'admission label').choices(['opt_admit', 'reused']).default('opt_admit'),
    )
    .option(
      '--tune-sizes <list>',
      'cache sizes to tune one admission threshold each at: fractions of the unique bytes or 10TB',
      '0.01,0.05,0.1',
    )
    .option(
      '--tune-under <list>',
      'eviction policies tried under the admission filter; per size the best is kept and used',
      'lru',
    )
    .option('--name <name>', 'model name in params.json (default: the model kind)')
    .option('--overwrite', 'replace an existing bundle')
    .option('--json', 'print params.json on stdout')
    .addHelpText('after', EXAMPLES)
    .action(runTrain);
}

function kindHelp(kind: ModelKind): string {
  return `  ${kind.kind}: ${kind.description}\n    takes ${kind.options.map((o) => `--${o}`).join(', ')}`;
}

/** The training settings given on the command line rather than left at their defaults. */
function givenSettings(cmd: Command): TrainOption[] {
  return TRAIN_OPTIONS.filter((option) => cmd.getOptionValueSource(camelCase(option)) === 'cli');
}

const camelCase = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

async function runTrain(opts: TrainCliOptions, cmd: Command): Promise<void> {
  const { trainFromFeatures } = await import('../learn/from-features.js');
  const { writeBundle } = await import('../learn/bundle.js');
  const kind = modelKind(opts.model);
  await checkOutputDirectory(opts.out, opts.overwrite ?? false);
  const bar = trainingBar(kind.kind, opts.epochs);
  const started = performance.now();
  const trained = await trainFromFeatures({
    features: path.resolve(opts.features),
    kind,
    trainDays: opts.trainDays,
    period: opts.period,
    settings: {
      seed: opts.seed,
      epochs: opts.epochs,
      batchSize: opts.batchSize,
      learningRate: opts.learningRate,
      hidden: opts.hidden,
      label: opts.label,
    },
    tuneSizes: opts.tuneSizes,
    tuneUnders: opts.tuneUnder.split(',').map((name) => name.trim()),
    given: givenSettings(cmd),
    name: opts.name,
    progress: bar,
    onStart: (start) => process.stderr.write(`${startLine(kind.kind, opts.features, start)}\n`),
  });
  bar.stop();
  const bundle = await writeBundle(opts.out, trained.params, trained.labels, trained.files, {
    overwrite: opts.overwrite ?? false,
  });
  const seconds = (performance.now() - started) / 1000;
  const threshold =
    trained.params.threshold === undefined ? '' : `, threshold ${trained.params.threshold.toPrecision(4)}`;
  process.stderr.write(`wrote ${bundle.dir} in ${seconds.toFixed(1)} s${threshold}\n`);
  if (opts.json) printJson(trained.params);
}

function startLine(kind: string, features: string, s: TrainingStart): string {
  const days = `days ${s.range.text.join('..')}${s.defaulted ? ` (the first ${SHARE} of ${s.days}; choose with --train-days)` : ''}`;
  return `training ${kind} on ${s.trainRows} rows (validation ${s.validationRows}) of ${features}, ${days}, tfjs backend ${s.backend}`;
}
