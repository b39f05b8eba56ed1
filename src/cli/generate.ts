/** `smartcache generate`: a deterministic synthetic workload written in any trace format. */
import { type Command, Option } from 'commander';
import { generateWorkload, WORKLOAD_PRESETS, type WorkloadPreset } from '../trace/generate.js';
import type { FormatName } from '../trace/read.js';
import { writeTrace } from '../trace/write.js';
import { bytesArgument, integer, seedArgument, valueOption } from './arguments.js';
import { formatArgument } from './trace-options.js';

const EXAMPLES = `
Examples:
  $ smartcache generate --requests 1000000 --seed 7 --out datalake.csv
  $ smartcache generate --requests 10000000 --max-file-size 4GB --out datalake.oracleGeneral.bin
  $ smartcache generate --requests 200000 --days 14 --format cms --out jobs.csv.gz
  $ smartcache generate --preset campaigns --requests 300000 --seed 2 --out drift.csv

The datalake preset models CMS analysis traffic: sites, users, datasets of many 1-4 GB
files released in campaigns, Zipf-like drifting dataset popularity and jobs that read runs
of files of one dataset. The campaigns preset is the same model under strong campaign drift:
85 % of the datasets are released during the span (40 % in datalake) and a task returns to
one of its user's recent datasets with probability 0.25 (0.5), so popularity follows new
releases. docs/workload.md describes every parameter.`;

interface GenerateOptions {
  preset: WorkloadPreset;
  requests: number;
  seed: number;
  days?: number;
  maxFileSize?: number;
  out: string;
  format?: FormatName;
}

export function register(program: Command): void {
  program
    .command('generate')
    .description('generate a realistic, deterministic data-lake workload (CMS-like analysis traffic)')
    .addOption(new Option('--preset <name>', 'workload model').choices(WORKLOAD_PRESETS).default('datalake'))
    .addOption(valueOption('-n, --requests <n>', 'number of requests', integer(1), '1000000'))
    .addOption(valueOption('--seed <n>', 'random seed: the same seed gives the same file', seedArgument, '1'))
    .addOption(valueOption('--days <n>', 'time span in days (default 30)', integer(1, 36_500)))
    .addOption(
      valueOption(
        '--max-file-size <size>',
        "largest file (default 20GB; 4GB fits oracleGeneral's 32-bit sizes)",
        bytesArgument,
      ),
    )
    .requiredOption('-o, --out <file>', 'output file; format from --format or the extension')
    .addOption(
      new Option('-f, --format <name>', 'output format (default: from the extension)').argParser(
        formatArgument,
      ),
    )
    .addHelpText('after', EXAMPLES)
    .action(async (opts: GenerateOptions) => {
      const trace = generateWorkload({
        preset: opts.preset,
        requests: opts.requests,
        seed: opts.seed,
        days: opts.days,
        maxFileSize: opts.maxFileSize,
      });
      const format = await writeTrace(trace, opts.out, opts.format);
      process.stderr.write(
        `wrote ${trace.length} requests (${trace.objectCount} files) to ${opts.out} as ${format}\n`,
      );
    });
}
