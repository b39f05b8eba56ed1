/** `smartcache status`: what the local stack runs where, and whether it is healthy. */
import type { Command } from 'commander';
import { type StackStatus, stackStatus } from '../deploy/stack/supervisor.js';
import { printJson } from './run.js';
import { type StackFileOption, stackDir } from './stack-options.js';

interface StatusCliOptions extends StackFileOption {
  json?: boolean;
}

const EXAMPLES = `
Examples:
  $ smartcache status
  $ smartcache status -f stack.yaml --json

One line per component: name, kind, site, pid, URL and health (ok: /healthz answers 200;
failing: it answers otherwise; down: no answer or the pid is gone), then the page to open in a
browser when the stack runs the dashboard, the load's counts and the closed loop's last round.
Exits 1 when a component is not healthy.`;

export function register(program: Command): void {
  program
    .command('status')
    .description('show what the local stack runs where (component, pid, url, health)')
    .option('-f, --file <stack.yaml>', 'the stack description whose folder holds the state (default: .)')
    .option('--json', 'print the status as JSON')
    .addHelpText('after', EXAMPLES)
    .action(runStatus);
}

async function runStatus(opts: StatusCliOptions): Promise<void> {
  const dir = stackDir(opts);
  const status = await stackStatus(dir);
  if (status === undefined) throw new Error(`no stack runs in ${dir} (no .smartcache/stack.json)`);
  if (opts.json) printJson(status);
  else process.stdout.write(statusText(status));
  if (status.components.some((c) => c.health !== 'ok')) process.exitCode = 1;
}

function statusText(s: StackStatus): string {
  const rows = [
    ['component', 'kind', 'site', 'pid', 'url', 'health'],
    ...s.components.map((c) => [
      c.name,
      c.kind,
      c.site ?? '',
      c.pid === 0 ? 'external' : String(c.pid),
      c.url,
      c.health,
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const lines = [
    `stack ${s.file}, ${s.phase} since ${s.started}, supervisor pid ${s.supervisor.pid}${s.supervisor.running ? '' : ' (not running)'}`,
    ...rows.map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    ),
  ];
  const dashboard = s.components.find((c) => c.kind === 'dashboard');
  if (dashboard?.url) lines.push(`dashboard: open ${dashboard.url}/ in a browser`);
  if (s.load) {
    const l = s.load;
    lines.push(
      `load: ${l.sent} of ${l.requests} requests sent, ${l.ok} downloaded, ${l.failed} failed${l.done ? ', done' : ''}`,
    );
  }
  if (s.loop) {
    const serving =
      s.loop.servingVersion === undefined
        ? 'no model published yet'
        : `serving version ${s.loop.servingVersion}`;
    lines.push(`loop: ${s.loop.rounds} rounds, ${serving} (history: ${s.loop.history})`);
    for (const e of s.loop.lastRound) {
      lines.push(`  round ${e.round} ${e.step}${e.ok ? '' : ' FAILED'} (${e.seconds} s): ${e.detail}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
