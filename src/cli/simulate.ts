/** `smartcache simulate`: replay a trace through policies at several cache sizes. */
import path from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import type { LakeShardPart } from '../cluster/lake-shard.js';
import { fileIdentity } from '../common/file-identity.js';
import { resultsTable } from '../report/table.js';
import type { SimResult } from '../sim/metrics.js';
import { runSimulations } from '../sim/parallel.js';
import { paramLines } from '../sim/params.js';
import { expandPolicies, type SimulationPlan, simulationJobs } from '../sim/plan.js';
import { policies } from '../sim/policies/index.js';
import type { PolicySpec } from '../sim/policy.js';
import {
  parseShard,
  type Shard,
  type SimulationPart,
  simulateShard,
  traceIdentity,
  writePart,
} from '../sim/shard.js';
import type { Trace } from '../trace/model.js';
import { bandwidthArgument, durationArgument, jobsArgument, seedArgument, valueOption } from './arguments.js';
import {
  addReportOutputs,
  type ReportOutputs,
  traceSummary,
  writeLakeReports,
  writeReports,
} from './outputs.js';
import { loadPoliciesFor } from './policies.js';
import { progressBar } from './progress.js';
import { printJson } from './run.js';
import { addTraceInputOptions, loadTrace, type TraceInputOptions } from './trace-options.js';

interface SimulateOptions extends TraceInputOptions, ReportOutputs, SimulationPlan {
  trace: string;
  jobs?: number;
  json?: boolean;
  datalake?: string;
  shard?: Shard;
  part?: string;
}

const examples = () => `
Examples:
  $ smartcache simulate --trace datalake.csv --policies lru,arc,s3fifo,belady --sizes 0.01,0.1,10TB
  $ smartcache simulate --trace datalake.csv --datalake examples/lake.yaml --out lake.html  # sites, nodes, churn
  $ smartcache simulate --trace cloudPhysicsIO.oracleGeneral.bin --policies all --sizes 0.01 --json
  $ smartcache simulate --trace access.jsonl --format xrootd --sizes 500TB --watermarks 0.95,0.85 \\
      --bandwidth 10Gbit --out report.html --png plots/ --csv windows.csv
  $ for i in 0 1 2; do smartcache simulate --trace datalake.csv --policies all --sizes 0.01,0.1 \\
      --shard $i/3 --part parts/$i.json; done; smartcache merge parts/*.json --out merged/

Shards: --shard I/N runs the I-th (from 0, as a Kubernetes Indexed Job's JOB_COMPLETION_INDEX)
of N balanced shards of the sweep: the (policy, size) runs dealt out in turn, or with --datalake
the lake's sites by the requests their nodes serve (each shard routes the whole trace). It
writes only --part FILE: the trace's identity (path, bytes, mtime, sha256), the whole grid and
its runs' results; \`smartcache merge\` checks the parts and writes the reports of the whole sweep.

Sizes: a plain number up to 1 is a fraction of the trace's unique bytes; otherwise bytes
with an optional unit (100GB, 2TB, 1.5TiB). Policies take parameters in parentheses:
"s3fifo(fifo-size-ratio=0.2)", "learned-admit(bundle=b,under=s3fifo(fifo-size-ratio=0.2))";
an unknown parameter or a value out of range is refused. Known policies (parameters with
their defaults below each):
${policies().map(policyHelp).join('\n')}`;

function policyHelp(spec: PolicySpec): string {
  const params = paramLines(spec.params ?? {}).map((line) => `${' '.repeat(25)}${line}`);
  return [`  ${spec.name.padEnd(22)} ${spec.description}`, ...params].join('\n');
}

export function register(program: Command): void {
  const cmd = program
    .command('simulate')
    .description(
      'replay a trace through cache policies; report hit ratio, byte hit ratio, bytes written, WAN traffic',
    )
    .requiredOption('-t, --trace <file>', 'trace file (gzip/zstd compressed files are read transparently)');
  addTraceInputOptions(cmd)
    .option(
      '-p, --policies <list>',
      'comma-separated policy names, or "all"',
      'lru,fifo,lfu,arc,s3fifo,sieve,belady',
    )
    .option(
      '-s, --sizes <list>',
      'cache sizes: fractions (up to 1) of the unique bytes, whole byte counts, or sizes like 100GB',
      '0.01,0.05,0.1',
    )
    .addOption(
      valueOption(
        '--window <duration>',
        'length of a time-series window (1d, 6h, 3600)',
        durationArgument,
        '1d',
      ),
    )
    .option(
      '--watermarks <high,low>',
      'evict down to the low mark when occupancy passes the high mark, e.g. 0.95,0.85',
    )
    .addOption(
      valueOption(
        '--bandwidth <rate>',
        'WAN budget for cache fills per UTC day (e.g. 10Gbit); a miss whose fill exceeds what is left reads remotely',
        bandwidthArgument,
      ),
    )
    .addOption(valueOption('--seed <n>', 'seed for randomised policies', seedArgument, '1'))
    .addOption(valueOption('-j, --jobs <n>', 'worker threads (default: cores)', jobsArgument))
    .option('--json', 'print results as a JSON array on stdout instead of a table')
    .option(
      '--datalake <lake.yaml>',
      "replay over a lake's sites and nodes (their own policies and capacities) with its churn schedule",
    )
    .addOption(
      valueOption(
        '--shard <I/N>',
        'run only shard I (from 0) of N of the sweep; needs --part',
        shardArgument,
      ),
    )
    .option('--part <file>', "with --shard: write the shard's partial result here (JSON, for merge)");
  addReportOutputs(cmd).addHelpText('after', examples).action(runSimulate);
}

function shardArgument(text: string): Shard {
  try {
    return parseShard(text);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

async function runSimulate(opts: SimulateOptions): Promise<void> {
  if (opts.shard) checkShardOptions(opts);
  else if (opts.part) throw new InvalidArgumentError('--part goes with --shard');
  const { trace } = await loadTrace(opts.trace, opts);
  if (opts.shard) return simulateShardToPart(trace, opts.shard, opts);
  if (opts.datalake) return simulateDatalake(trace, opts.datalake, opts);
  await simulateTrace(trace, path.basename(opts.trace), opts);
}

function checkShardOptions(opts: SimulateOptions): void {
  if (!opts.part)
    throw new InvalidArgumentError('--shard needs --part FILE, where the shard writes its result');
  const reports = (['out', 'png', 'csv', 'json'] as const).filter((key) => opts[key] !== undefined);
  if (reports.length > 0) {
    throw new InvalidArgumentError(
      `--shard writes only its --part; the reports (${reports.map((key) => `--${key}`).join(', ')}) are written by \`smartcache merge\``,
    );
  }
}

/** The command line without --shard and --part, the same for every shard of a sweep. */
function sweepCommand(): string {
  const args = process.argv.slice(2);
  const kept = args.filter((arg, i) => {
    const flag = (a: string | undefined) => a === '--shard' || a === '--part';
    return !flag(arg) && !flag(args[i - 1]) && !/^--(shard|part)=/.test(arg);
  });
  return `smartcache ${kept.join(' ')}`;
}

async function simulateShardToPart(trace: Trace, shard: Shard, opts: SimulateOptions): Promise<void> {
  const input = {
    format: opts.format,
    map: opts.map,
    csvParams: opts.csvParams,
    skipBad: opts.skipBad,
    onlySuccessful: opts.onlySuccessful,
    recomputeNext: opts.recomputeNext,
  };
  const about = { trace: await traceIdentity(opts.trace, trace), command: sweepCommand() };
  let part: SimulationPart | LakeShardPart;
  if (opts.datalake) {
    const [{ lakePolicies, readLakeConfig }, { simulateLakeShard }] = await Promise.all([
      import('../cluster/config.js'),
      import('../cluster/lake-shard.js'),
    ]);
    const lake = await readLakeConfig(opts.datalake);
    await loadPoliciesFor(...lakePolicies(lake));
    const settings = { lake: await fileIdentity(opts.datalake), window: opts.window, seed: opts.seed, input };
    part = simulateLakeShard(
      trace,
      lake,
      shard,
      { ...about, settings },
      { window: opts.window, seed: opts.seed },
    );
  } else {
    await loadPoliciesFor(expandPolicies(opts.policies));
    const jobs = simulationJobs(trace, opts);
    const { sizes, window, watermarks, bandwidth, seed } = opts;
    const settings = {
      policies: expandPolicies(opts.policies),
      sizes,
      window,
      watermarks,
      bandwidth,
      seed,
      input,
    };
    part = await simulateShard(trace, jobs, shard, { ...about, settings }, { workers: opts.jobs });
  }
  await writePart(opts.part as string, part);
  process.stderr.write(
    `shard ${shard.index}/${shard.count}: ${part.cells.length} of ${part.grid.cells.length} ${opts.datalake ? 'sites' : 'runs'}, wrote ${opts.part}\n`,
  );
}

/** The lake modules (a YAML reader, a compiled config schema) load only for --datalake: a plain run starts faster. */
async function simulateDatalake(trace: Trace, lakeFile: string, opts: SimulateOptions): Promise<void> {
  const [{ lakePolicies, readLakeConfig }, { simulateLake }, { lakeTable }] = await Promise.all([
    import('../cluster/config.js'),
    import('../cluster/lake-sim.js'),
    import('../cluster/lake-table.js'),
  ]);
  const lake = await readLakeConfig(lakeFile);
  await loadPoliciesFor(...lakePolicies(lake));
  const result = simulateLake(trace, lake, { window: opts.window, seed: opts.seed });
  if (opts.json) printJson(result);
  else process.stdout.write(lakeTable(result));
  await writeLakeReports(result, opts, {
    title: `smartcache data lake: ${path.basename(lakeFile)}`,
    trace: path.basename(opts.trace),
    lake: lakeFile,
    generatedAt: new Date(),
    command: `smartcache ${process.argv.slice(2).join(' ')}`,
  });
}

export type SimulationSettings = Omit<SimulateOptions, keyof TraceInputOptions | 'trace'>;

/** Runs every (policy, size) on a loaded trace and writes table or JSON plus report files. */
export async function simulateTrace(
  trace: Trace,
  name: string,
  opts: SimulationSettings,
): Promise<SimResult[]> {
  await loadPoliciesFor(expandPolicies(opts.policies));
  const jobs = simulationJobs(trace, opts);
  const bar = progressBar('simulating', jobs.length * trace.length, 'requests');
  const results = await runSimulations(trace, jobs, {
    workers: opts.jobs,
    onProgress: (n) => bar.tick(n),
  });
  bar.stop();
  if (opts.json) printJson(results);
  else process.stdout.write(`${resultsTable(results)}\n`);
  await writeReports(results, traceSummary(trace, name), opts, {
    title: `smartcache: ${name}`,
    command: `smartcache ${process.argv.slice(2).join(' ')}`,
  });
  return results;
}
