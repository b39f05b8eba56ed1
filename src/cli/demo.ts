/** `smartcache demo`: the main job on embedded defaults, end to end, with nothing to download. */
import type { Command } from 'commander';
import { DAY } from '../common/time.js';
import { generateWorkload } from '../trace/generate.js';
import { integer, jobsArgument, seedArgument, valueOption } from './arguments.js';
import { simulateTrace } from './simulate.js';

interface DemoOptions {
  requests: number;
  seed: number;
  policies: string;
  sizes: string;
  out: string;
  png?: string;
  jobs?: number;
}

export function register(program: Command): void {
  program
    .command('demo')
    .description(
      'generate a data-lake workload, simulate every policy at several cache sizes, write report.html',
    )
    .addOption(valueOption('-n, --requests <n>', 'requests in the generated workload', integer(1), '1000000'))
    .addOption(valueOption('--seed <n>', 'workload seed', seedArgument, '1'))
    .option('-p, --policies <list>', 'policies to compare', 'all')
    .option('-s, --sizes <list>', 'cache sizes (fractions of unique bytes or 100TB)', '0.01,0.05,0.1,0.2')
    .option('-o, --out <file>', 'HTML report', 'report.html')
    .option('--png <dir>', 'also write the plots as PNG images')
    .addOption(valueOption('-j, --jobs <n>', 'worker threads (default: cores)', jobsArgument))
    .addHelpText(
      'after',
      '\nThe same as `smartcache generate` followed by `smartcache simulate --out report.html`.',
    )
    .action(async (opts: DemoOptions) => {
      const { requests, seed } = opts;
      process.stderr.write(`generating a ${requests}-request data-lake workload (seed ${seed})...\n`);
      const trace = generateWorkload({ preset: 'datalake', requests, seed });
      await simulateTrace(trace, `datalake, ${requests} requests, seed ${seed}`, {
        ...opts,
        window: DAY,
        seed: 1,
      });
    });
}
