/** `smartcache dashboard`: the web page of a running deployment (cluster, hit ratios, models, loop). */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { startDashboard } from '../deploy/dashboard/server.js';
import { integer, listenArgument, positiveDurationArgument, valueOption } from './arguments.js';
import { closeOnSignals } from './run.js';

interface DashboardCliOptions {
  listen: { host: string; port: number };
  redirector: string;
  modelUrl?: string;
  modelTokenFile?: string;
  loopHistory?: string;
  interval: number;
  points: number;
  quiet?: boolean;
}

const EXAMPLES = `
Examples:
  $ smartcache dashboard --redirector http://127.0.0.1:8090
  $ smartcache dashboard --listen 0.0.0.0:8095 --redirector http://127.0.0.1:8090 \\
      --model-url http://127.0.0.1:8083 --loop-history stack/loop.jsonl --interval 5s

Every --interval it reads the redirector's GET /v1/cluster, each member's /metrics, the model
service's /models and /params/NAME, and the loop history, and pushes what changed to open pages
by server-sent events; the page updates without reload. Open http://HOST:PORT/ in a browser;
GET /api/state is the same state as JSON, GET /api/events the event stream. A source that does
not answer is shown as an error on the page, the rest keep updating. Details: docs/deploy.md.`;

export function register(program: Command): void {
  program
    .command('dashboard')
    .description(
      'serve a live web page of a deployment: cluster by site, hit ratios, WAN saved, models, loop',
    )
    .addOption(
      valueOption('-l, --listen <host:port>', 'address to listen on', listenArgument, '127.0.0.1:8095'),
    )
    .requiredOption('-r, --redirector <url>', 'the redirector whose /v1/cluster lists the cache nodes')
    .option('--model-url <url>', 'the model service (with its --base prefix): versions and their metrics')
    .option('--model-token-file <file>', "with --model-url: bearer token of the service's prediction routes")
    .option('--loop-history <file>', "the closed loop's history (JSON lines, one per finished step)")
    .addOption(valueOption('--interval <duration>', 'time between polls', positiveDurationArgument, '2s'))
    .addOption(valueOption('--points <n>', 'points kept per node for the plots', integer(2, 100_000), '300'))
    .option('-q, --quiet', 'no request logs')
    .addHelpText('after', EXAMPLES)
    .action(runDashboard);
}

async function runDashboard(opts: DashboardCliOptions): Promise<void> {
  if (opts.modelTokenFile !== undefined && opts.modelUrl === undefined)
    throw new Error('--model-token-file needs --model-url');
  const dashboard = await startDashboard({
    ...opts.listen,
    redirector: opts.redirector,
    modelUrl: opts.modelUrl,
    modelToken: opts.modelTokenFile ? (await readFile(opts.modelTokenFile, 'utf8')).trim() : undefined,
    loopHistory: opts.loopHistory,
    intervalMs: opts.interval * 1000,
    points: opts.points,
    logger: opts.quiet ? { level: 'warn' } : true,
  });
  process.stderr.write(`dashboard on ${dashboard.url}/\n`);
  closeOnSignals(() => dashboard.close());
}
