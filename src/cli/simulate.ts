/** `smartcache simulate`: replay a trace through policies at several cache sizes. */
import path from 'node:path';
import type { Command } from 'commander';
import { resultsTable } from '../report/table.js';
import type { SimResult } from '../sim/metrics.js';
import { runSimulations } from '../sim/parallel.js';
import { paramLines } from '../sim/params.js';
import { expandPolicies, type SimulationPlan, simulationJobs } from '../sim/plan.js';
import { policies } from '../sim/policies/index.js';
import type { PolicySpec } from '../sim/policy.js';
import type { Trace } from '../trace/model.js';
import { bandwidthArgument, durationArgument, jobsArgument, seedArgument, valueOption } from './arguments.js';
import { addReportOutputs, type ReportOutputs, writeLakeReports, writeReports } from './outputs.js';
import { loadPoliciesFor } from './policies.js';
import { progressBar } from './progress.js';
import { printJson } from './run.js';
import { addTraceInputOptions, loadTrace, type TraceInputOptions } from './trace-options.js';

interface SimulateOptions extends TraceInputOptions, ReportOutputs, SimulationPlan {
  trace: string;
  jobs?: number;
  json?: boolean;
  datalake?: string;
}

const examples = () => `
Examples:
  $ smartcache simulate --trace datalake.csv --policies lru,arc,s3fifo,belady --sizes 0.01,0.1,10TB
  $ smartcache simulate --trace datalake.csv --datalake examples/lake.yaml --out lake.html  # sites, nodes, churn
  $ smartcache simulate --trace cloudPhysicsIO.oracleGeneral.bin --policies all --sizes 0.01 --json
  $ smartcache simulate --trace access.jsonl --format xrootd --sizes 500TB --watermarks 0.95,0.85 \\
      --bandwidth 10Gbit --out report.html --png plots/ --csv windows.csv

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
    );
  addReportOutputs(cmd).addHelpText('after', examples).action(runSimulate);
}

async function runSimulate(opts: SimulateOptions): Promise<void> {
  const { trace } = await loadTrace(opts.trace, opts);
  if (opts.datalake) return simulateDatalake(trace, opts.datalake, opts);
  await simulateTrace(trace, path.basename(opts.trace), opts);
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
  await writeReports(results, trace, opts, {
    title: `smartcache: ${name}`,
    name,
    command: `smartcache ${process.argv.slice(2).join(' ')}`,
  });
  return results;
}
