/** `smartcache up`: start a whole local deployment described by stack.yaml, and supervise it. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { readStackConfig } from '../deploy/stack/config.js';
import type { ComponentState } from '../deploy/stack/state.js';
import { Stack, startDetached } from '../deploy/stack/supervisor.js';
import { positiveDurationArgument, valueOption } from './arguments.js';
import { EXAMPLE_STACK, type StackFileOption, stackDir } from './stack-options.js';

interface UpCliOptions extends StackFileOption {
  readyTimeout: number;
  detach?: boolean;
}

const EXAMPLES = `
Examples:
  $ smartcache up                       # examples/stack.yaml: generated origin, 2 sites, 3 nodes, load, dashboard
  $ smartcache up -f stack.yaml         # your stack; its state goes to .smartcache/ beside the file
  $ smartcache up -f stack.yaml --detach   # returns once the stack runs; its log: .smartcache/logs/up.log
  $ smartcache status -f stack.yaml     # from another terminal: what runs where, healthy or not
  $ xdg-open "$(smartcache status -f stack.yaml --json | jq -r '.components[] | select(.kind=="dashboard").url')/"
  $ smartcache get "$(smartcache status -f stack.yaml --json | jq -r '.components[] | select(.name=="redirector").url')/store/..."
  $ smartcache down -f stack.yaml       # or Ctrl-C here

Starts on 127.0.0.1 (the dashboard on its listen address), each as a child process of this
command: the origin (origin.generated: a generated data-lake workload's files, served by
\`smartcache origin\`; origin.url: an existing one), the model service, the redirector, the
cache nodes of every site, which join the redirector, and then the dashboard (dashboard:
{listen: 127.0.0.1:8095, interval: 2s}: the web page of the stack's nodes, models and loop,
\`smartcache dashboard\`; up prints its URL). Each must answer /healthz within --ready-timeout. Pids, URLs and logs are in .smartcache/stack.json
and .smartcache/logs/. Then runs the synthetic load (load:) and the closed loop (loop::
retrain on the nodes' access logs, publish a better model; its history in
.smartcache/loop/history.jsonl) until SIGINT or SIGTERM (smartcache down), which stops the
dashboard, the nodes (they drain), the redirector, the model service and the origin. Schema
and example: docs/deploy.md, "Local stack", "Closed loop" and "Dashboard".`;

export function register(program: Command): void {
  program
    .command('up')
    .description(
      'start a local stack (origin, model service, redirector, cache nodes, dashboard, load, closed loop)',
    )
    .option('-f, --file <stack.yaml>', 'the stack description (default: examples/stack.yaml, state in .)')
    .addOption(
      valueOption(
        '--ready-timeout <duration>',
        'time for each component to listen and answer /healthz',
        positiveDurationArgument,
        '30s',
      ),
    )
    .option(
      '-d, --detach',
      'run the stack in the background: return once it runs (log in .smartcache/logs/up.log)',
    )
    .addHelpText('after', EXAMPLES)
    .action(runUp);
}

async function runUp(opts: UpCliOptions): Promise<void> {
  const config = await readStackConfig(opts.file ?? EXAMPLE_STACK, stackDir(opts));
  if (opts.detach) {
    const nodes = config.sites.reduce((n, site) => n + site.nodes.length, 0);
    const args = [
      'up',
      '--ready-timeout',
      `${opts.readyTimeout}s`,
      ...(opts.file ? ['-f', resolve(opts.file)] : []),
    ];
    const state = await startDetached(config.dir, args, opts.readyTimeout * 1000 * (nodes + 4));
    process.stderr.write(
      `stack up in the background (smartcache up, pid ${state.supervisor})${dashboardText(state.components)}; smartcache down to stop\n`,
    );
    return;
  }
  const say = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  const stack = new Stack(config, { readyTimeoutMs: opts.readyTimeout * 1000, log: say });
  let signalled = false;
  const stop = () => {
    if (signalled) return;
    signalled = true;
    say('stopping');
    stack.stop().then(
      () => process.exit(0),
      (err: Error) => {
        say(`stopping failed: ${err.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    await stack.up();
  } catch (err) {
    // stopped by a signal while starting: the handler exits once everything is stopped
    if (signalled) return;
    throw err;
  }
  say(
    `stack up: ${stack.components.length} components, state in ${stack.paths.state}${dashboardText(stack.components)}; smartcache down to stop`,
  );
}

/** Where to point a browser, when the stack runs a dashboard. */
function dashboardText(components: readonly ComponentState[]): string {
  const dashboard = components.find((c) => c.kind === 'dashboard');
  return dashboard ? `, dashboard on ${dashboard.url}/` : '';
}
