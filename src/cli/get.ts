/** `smartcache get`: download a file through the cluster, failing over and resuming. */
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { Command } from 'commander';
import { type GetResult, getFile } from '../cluster/client.js';
import { atomically } from '../common/atomic.js';
import { formatBytes } from '../common/units.js';

import { integer, valueOption } from './arguments.js';

interface GetCliOptions {
  output?: string;
  site?: string;
  attempts: number;
  json?: boolean;
}

const EXAMPLES = `
Examples:
  $ smartcache get http://redirector:8090/store/data/run1/file.root -o file.root --site T2_IT_Pisa
  $ smartcache get http://redirector:8090/store/mc/x.root > x.root

Follows the redirector's 302; when a copy fails mid-transfer it moves to the next Link
alternative and resumes with a Range request from the last byte received. -o writes
atomically: the file appears whole or not at all.`;

export function register(program: Command): void {
  program
    .command('get <url>')
    .description('download a file through a smartcache redirector, with failover and resume')
    .option('-o, --output <file>', 'write here (atomically) instead of stdout')
    .option('--site <site>', "the client's site, sent as X-Smartcache-Site")
    .addOption(valueOption('--attempts <n>', 'most attempts over all copies', integer(1, 1000), '8'))
    .option('--json', 'print bytes, copies used and attempts as JSON on stderr')
    .addHelpText('after', EXAMPLES)
    .action(runGet);
}

async function runGet(url: string, opts: GetCliOptions): Promise<void> {
  const options = {
    site: opts.site,
    attempts: opts.attempts,
    onRetry: (source: string, reason: string) =>
      process.stderr.write(`retrying after ${source}: ${reason}\n`),
  };
  let result: GetResult | undefined;
  if (opts.output) {
    await atomically(opts.output, async (temp) => {
      const out = createWriteStream(temp);
      result = await getFile(url, out, options);
      out.end();
      await finished(out);
    });
  } else {
    result = await getFile(url, process.stdout, options);
  }
  if (!result) return;
  if (opts.json) process.stderr.write(`${JSON.stringify(result)}\n`);
  else if (opts.output)
    process.stderr.write(`${formatBytes(result.bytes)} from ${result.servedBy.join(', ')}\n`);
}
