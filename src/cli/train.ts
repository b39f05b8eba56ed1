/** `smartcache train`: fit a learned cache policy on prepared features and write a model bundle. */
import path from 'node:path';
import type { Command } from 'commander';
import { parseDuration } from '../common/units.js';
import { MODEL_KINDS } from '../learn/registry.js';
import { checkOutputDirectory } from '../prep/output-dir.js';
import { resolveSizes } from '../sim/plan.js';
import { policySpec } from '../sim/policies/index.js';
import { trainingBar } from './progress.js';
import { printJson } from './run.js';

interface TrainCliOptions {
  features: string;
  model: string;
  trainDays: string;
  out: string;
  period: string;
  seed: string;
  epochs: string;
  batchSize: string;
  learningRate: string;
  hidden: string;
  label: string;
  tuneSizes: string;
  tuneUnder: string;
  name?: string;
  overwrite?: boolean;
  json?: boolean;
}

const EXAMPLES = `
Examples:
  $ smartcache prep --trace datalake.csv --out features/
  $ smartcache train --features features/ --model learned-admit --train-days 0..20 --out bundles/admit
  $ smartcache train --features features/ --model learned-evict --train-days 2025-01-01..2025-01-21 --out bundles/evict
  $ smartcache train --features cp/ --model learned-admit --period 20m --train-days 0..3 --out cp-admit

Days are UTC dates (YYYY-MM-DD) or indices from 0 (the day of the first request), both ends
included; --period changes the unit of indices (e.g. 20m for a two-hour trace). The last
fifth of the training days (at least one) is held out for validation and threshold tuning.
docs/learn.md describes the models; docs/bundles.md the bundle.`;

export function register(program: Command): void {
  program
    .command('train')
    .description('train a learned cache policy (admission or eviction) and write a model bundle')
    .requiredOption('-f, --features <dir>', 'prepared feature set (smartcache prep --out)')
    .requiredOption(
      '-m, --model <kind>',
      `model kind:\n${MODEL_KINDS.map((k) => `  ${k.kind}: ${k.description}`).join('\n')}`,
    )
    .requiredOption('--train-days <A..B>', 'training days: dates or indices from 0, inclusive')
    .requiredOption('-o, --out <dir>', 'bundle directory to write (atomically)')
    .option('--period <duration>', 'length of a "day" for indices (1d, 6h, 20m)', '1d')
    .option('--seed <n>', 'seed of initialisation and shuffling', '1')
    .option('--epochs <n>', 'passes over the training rows', '5')
    .option('--batch-size <n>', 'rows per gradient step', '512')
    .option('--learning-rate <x>', 'Adam learning rate', '0.001')
    .option('--hidden <list>', 'hidden layer widths', '32,32')
    .option('--label <name>', 'admission label: opt_admit or reused', 'opt_admit')
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

function positive(name: string, text: string, integer = true): number {
  const v = Number(text);
  if (!(v > 0) || (integer && !Number.isInteger(v))) {
    throw new RangeError(`${name} must be a positive ${integer ? 'integer' : 'number'}, got ${text}`);
  }
  return v;
}

async function runTrain(opts: TrainCliOptions): Promise<void> {
  const { modelKind } = await import('../learn/registry.js');
  const kind = modelKind(opts.model);
  await checkOutputDirectory(opts.out, opts.overwrite ?? false);
  const { featureSetStart, parseDayRange, periodOrigin, readFeatureRows, readFeatureSet } = await import(
    '../learn/dataset.js'
  );
  const { validationStart } = await import('../learn/train.js');
  const { writeBundle } = await import('../learn/bundle.js');
  const { tfReady } = await import('../learn/tf.js');

  const period = parseDuration(opts.period);
  const featureSet = await readFeatureSet(opts.features);
  const origin = periodOrigin(await featureSetStart(opts.features), period);
  const range = parseDayRange(opts.trainDays, origin, period, '--train-days');
  const data = await readFeatureRows(opts.features, range);
  if (data.time.length === 0)
    throw new RangeError(`--train-days ${opts.trainDays}: no requests in those days`);
  const validationFrom = validationStart(data, range.from, range.to, period);
  const backend = await tfReady();
  const epochs = positive('--epochs', opts.epochs);
  process.stderr.write(
    `training ${kind.kind} on ${validationFrom} rows (validation ${data.time.length - validationFrom}) ` +
      `of ${opts.features}, days ${range.text.join('..')}, tfjs backend ${backend}\n`,
  );
  const trainer = await kind.load();
  const bar = trainingBar(kind.kind, epochs);
  const started = performance.now();
  const trained = await trainer({
    data,
    validationFrom,
    range,
    name: opts.name ?? kind.kind,
    featureSet: path.resolve(opts.features),
    settings: {
      seed: Number(opts.seed),
      epochs,
      batchSize: positive('--batch-size', opts.batchSize),
      learningRate: positive('--learning-rate', opts.learningRate, false),
      hidden: opts.hidden.split(',').map((h) => positive('--hidden', h.trim())),
      label: opts.label,
      tuneSize: featureSet.settings.optSize,
      tuneSizes: resolveSizes(opts.tuneSizes, featureSet.settings.uniqueBytes),
      tuneUnders: opts.tuneUnder.split(',').map((name) => policySpec(name.trim()).name),
    },
    progress: bar,
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
