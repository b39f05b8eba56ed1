/** `smartcache prep`: per-request features and labels as day-partitioned Parquet. */
import path from 'node:path';
import { type Command, Option } from 'commander';
import { formatCount, parseDuration } from '../common/units.js';
import { DEFAULT_ENGINE, ENGINES, engineFactory } from '../prep/engines.js';
import { checkOutputDirectory } from '../prep/output-dir.js';
import { DEFAULT_OPT_SIZE, type PrepStage, prepare, type StageProgress } from '../prep/pipeline.js';
import { DEFAULT_SPARK_REMOTE } from '../prep/spark.js';
import { progressBar } from './progress.js';
import { printJson } from './run.js';
import { addTraceInputOptions, loadTrace, type TraceInputOptions } from './trace-options.js';

interface PrepCliOptions extends TraceInputOptions {
  trace: string;
  out: string;
  engine: string;
  sparkRemote?: string;
  sparkStage?: string;
  horizon: string;
  optSize: string;
  overwrite?: boolean;
  json?: boolean;
}

const EXAMPLES = `
Examples:
  $ smartcache prep --trace datalake.csv --out features/
  $ smartcache prep --trace cloudPhysicsIO.oracleGeneral.bin --out cp/ --horizon 6h --opt-size 0.05
  $ smartcache prep --trace access.jsonl --format xrootd --out features/ --overwrite --json
  $ smartcache spark start && smartcache prep --trace datalake.csv --out features/ --engine spark
  $ smartcache prep --trace datalake.csv --out /shared/features --engine spark \\
      --spark-remote sc://spark.example.org:15002 --spark-stage /shared/tmp

Writes OUT/day=YYYY-MM-DD/*.parquet, one row per request, and OUT/_featureset.json.
docs/prep.md defines every column.`;

const STAGE_LABELS: Record<PrepStage, string> = {
  labelling: 'labelling with Belady',
  staging: 'staging',
  features: 'features and writing',
};

export function register(program: Command): void {
  const cmd = program
    .command('prep')
    .description('prepare per-request features and labels (Parquet, partitioned by day) for learning')
    .requiredOption('-t, --trace <file>', 'trace file (gzip/zstd compressed files are read transparently)');
  addTraceInputOptions(cmd)
    .requiredOption('-o, --out <dir>', 'output directory (written atomically)')
    .addOption(
      new Option('--engine <name>', 'SQL engine').choices(Object.keys(ENGINES)).default(DEFAULT_ENGINE),
    )
    .option(
      '--spark-remote <url>',
      `Spark Connect server for --engine spark (default ${DEFAULT_SPARK_REMOTE})`,
    )
    .option(
      '--spark-stage <dir>',
      "where --engine spark stages its input as Parquet; Spark's executors must see it (default: beside --out)",
    )
    .option('--horizon <duration>', '`reused` label: next request within this time (1d, 6h, 3600)', '1d')
    .option(
      '--opt-size <size>',
      'Belady cache size for opt_admit: fraction of unique bytes or 10TB',
      DEFAULT_OPT_SIZE,
    )
    .option('--overwrite', 'replace a non-empty output directory')
    .option('--json', 'print the FeatureSet manifest as JSON on stdout')
    .addHelpText('after', EXAMPLES)
    .action(runPrep);
}

async function runPrep(opts: PrepCliOptions): Promise<void> {
  const horizon = parseDuration(opts.horizon);
  const engine = engineFactory(opts.engine);
  await checkOutputDirectory(opts.out, opts.overwrite ?? false);
  const { trace, format } = await loadTrace(opts.trace, opts);
  const started = performance.now();
  const featureSet = await prepare(
    { trace, file: path.resolve(opts.trace), format },
    {
      out: opts.out,
      engine,
      sparkRemote: opts.sparkRemote,
      stageDir: opts.sparkStage,
      horizon,
      optSize: opts.optSize,
      overwrite: opts.overwrite,
      onStage: reportStage,
    },
  );
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write(
    `wrote ${formatCount(featureSet.rows)} rows over ${featureSet.days.all.length} days to ${opts.out} ` +
      `with ${featureSet.engine} in ${seconds.toFixed(1)} s (${formatCount(Math.round(featureSet.rows / seconds))} records/s)\n`,
  );
  if (opts.json) printJson(featureSet);
}

/** One stderr line per stage with its row count and time, and a bar on terminals. */
export function reportStage(stage: PrepStage, total: number): StageProgress {
  const label = STAGE_LABELS[stage];
  const bar = progressBar(stage, total, 'requests');
  const started = performance.now();
  let reported = 0;
  return {
    advance: (done) => {
      bar.tick(done - reported);
      reported = done;
    },
    end: () => {
      bar.stop();
      const seconds = (performance.now() - started) / 1000;
      process.stderr.write(`prep: ${label}: ${formatCount(total)} requests in ${seconds.toFixed(2)} s\n`);
    },
  };
}
