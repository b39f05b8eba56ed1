/** `smartcache demo`: the main job on embedded defaults, end to end, with nothing to download. */
import type { Command } from 'commander';
import { generateWorkload } from '../trace/generate.js';
import { simulateTrace } from './simulate.js';

interface DemoOptions {
  requests: string;
  seed: string;
  policies: string;
  sizes: string;
  out: string;
  png?: string;
  jobs?: string;
}

export function register(program: Command): void {
  program
    .command('demo')
    .description(
      'generate a data-lake workload, simulate every policy at several cache sizes, write report.html',
    )
    .option('-n, --requests <n>', 'requests in the generated workload', '1000000')
    .option('--seed <n>', 'workload seed', '1')
    .option('-p, --policies <list>', 'policies to compare', 'all')
    .option('-s, --sizes <list>', 'cache sizes (fractions of unique bytes or 100TB)', '0.01,0.05,0.1,0.2')
    .option('-o, --out <file>', 'HTML report', 'report.html')
    .option('--png <dir>', 'also write the plots as PNG images')
    .option('-j, --jobs <n>', 'worker threads (default: cores)')
    .addHelpText(
      'after',
      '\nThe same as `smartcache generate` followed by `smartcache simulate --out report.html`.',
    )
    .action(async (opts: DemoOptions) => {
      const requests = Number(opts.requests);
      process.stderr.write(`generating a ${requests}-request data-lake workload (seed ${opts.seed})...\n`);
      const trace = generateWorkload({ preset: 'datalake', requests, seed: Number(opts.seed) });
      await simulateTrace(trace, `datalake, ${requests} requests, seed ${opts.seed}`, {
        ...opts,
        window: '1d',
        seed: '1',
      });
    });
}
