/** `smartcache inspect`: what is in a trace, before simulating it. */
import type { Command } from 'commander';
import { formatTraceStats } from '../report/stats-text.js';
import { inspectTrace } from '../trace/inspect.js';
import { printJson } from './run.js';
import { addTraceInputOptions, loadTrace, type TraceInputOptions } from './trace-options.js';

const EXAMPLES = `
Examples:
  $ smartcache inspect datalake.csv
  $ smartcache inspect cloudPhysicsIO.oracleGeneral.bin --json | jq .oneHitWonderRatio

Reports requests, unique objects, total and unique bytes, time span, the one-hit-wonder
ratio, a Zipf fit of object popularity (alpha, R^2), the LRU stack (reuse) distance
histogram in powers of two, object size percentiles and the busiest sites/users/datasets.`;

export function register(program: Command): void {
  const cmd = program
    .command('inspect')
    .description('summarise a trace: volume, popularity (Zipf alpha), one-hit wonders, reuse distances')
    .argument('<trace>', 'trace file');
  addTraceInputOptions(cmd)
    .option('--json', 'print the statistics as JSON')
    .addHelpText('after', EXAMPLES)
    .action(async (file: string, opts: TraceInputOptions & { json?: boolean }) => {
      const { trace, format } = await loadTrace(file, opts);
      const stats = { file, format, ...inspectTrace(trace) };
      if (opts.json) printJson(stats);
      else process.stdout.write(`${formatTraceStats(stats)}\n`);
    });
}
