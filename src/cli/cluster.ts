/** `smartcache cluster status`: membership and placement as a redirector sees them. */
import type { Command } from 'commander';
import type { ClusterView } from '../cluster/redirector.js';
import { formatBytes } from '../common/units.js';
import { printJson } from './run.js';

interface StatusOptions {
  redirector: string;
  file?: string;
  site?: string;
  json?: boolean;
}

export function register(program: Command): void {
  const cluster = program.command('cluster').description('inspect a running cache cluster');
  cluster
    .command('status')
    .description("print a redirector's nodes by site and, with --file, where a file goes")
    .option('-r, --redirector <url>', 'the redirector', 'http://127.0.0.1:8090')
    .option('--file <path>', 'also show the route of this file')
    .option('--site <site>', 'client site for --file')
    .option('--json', 'print the redirector answer as JSON')
    .addHelpText(
      'after',
      '\nExample:\n  $ smartcache cluster status -r http://127.0.0.1:8090 --file /store/x.root --site T2_IT_Pisa',
    )
    .action(runStatus);
}

async function runStatus(opts: StatusOptions): Promise<void> {
  const query = new URLSearchParams();
  if (opts.file) query.set('file', opts.file);
  if (opts.site) query.set('site', opts.site);
  const url = `${opts.redirector.replace(/\/+$/, '')}/v1/cluster${query.size > 0 ? `?${query}` : ''}`;
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) }).catch((err: Error) => {
    throw new Error(`cannot reach the redirector at ${opts.redirector}: ${err.message}`);
  });
  const view = (await response.json()) as ClusterView & { error?: string };
  if (!response.ok) throw new Error(`redirector answered ${response.status}: ${view.error ?? ''}`);
  if (opts.json) return printJson(view);
  const now = Date.now();
  const lines = [`${view.nodes.length} node(s), heartbeat timeout ${view.timeoutMs / 1000} s`];
  for (const n of view.nodes) {
    lines.push(
      `  ${n.site.padEnd(16)} ${n.id.padEnd(16)} ${n.state.padEnd(9)} ${formatBytes(n.capacity).padStart(8)}  weight ${n.weight}  seen ${((now - n.lastSeen) / 1000).toFixed(1)} s ago  ${n.url}`,
    );
  }
  if (view.route)
    lines.push(
      `${view.route.file} from ${view.route.site || '(no site)'}: ${view.route.level} -> ${view.route.order.join(', ') || 'origin'}`,
    );
  process.stdout.write(`${lines.join('\n')}\n`);
}
