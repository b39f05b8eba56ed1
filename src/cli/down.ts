/** `smartcache down`: stop the local stack started by `smartcache up`. */
import type { Command } from 'commander';
import { stopStack } from '../deploy/stack/supervisor.js';
import { printJson } from './run.js';
import { type StackFileOption, stackDir } from './stack-options.js';

interface DownCliOptions extends StackFileOption {
  json?: boolean;
}

const EXAMPLES = `
Examples:
  $ smartcache down                     # the stack of the current folder (smartcache up)
  $ smartcache down -f stack.yaml       # the stack of stack.yaml's folder

Sends SIGTERM to the supervising \`smartcache up\`, which stops the load and the loop, then the
cache nodes (they drain: running transfers finish), the redirector, the model service and the
origin; then stops by pid any component still running (its supervisor was killed), SIGKILL
after the stack's stopTimeout. Removes .smartcache/stack.json; logs, caches and models stay.`;

export function register(program: Command): void {
  program
    .command('down')
    .description('stop the local stack (smartcache up) cleanly, by pid')
    .option('-f, --file <stack.yaml>', 'the stack description whose folder holds the state (default: .)')
    .option('--json', 'print what was stopped as JSON')
    .addHelpText('after', EXAMPLES)
    .action(runDown);
}

async function runDown(opts: DownCliOptions): Promise<void> {
  const dir = stackDir(opts);
  const stopped = await stopStack(dir);
  if (stopped === undefined) throw new Error(`no stack runs in ${dir} (no .smartcache/stack.json)`);
  if (opts.json) return printJson(stopped);
  const leftovers = stopped.filter((s) => s.how !== 'gone');
  process.stderr.write(
    leftovers.length === 0
      ? `stack in ${dir} stopped\n`
      : `stack in ${dir} stopped; ${leftovers.map((s) => `${s.name} (pid ${s.pid}) ${s.how}`).join(', ')} by pid\n`,
  );
}
