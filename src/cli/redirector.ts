/** `smartcache redirector`: the cluster's redirector (membership by heartbeats, rendezvous placement). */
import type { Command } from 'commander';
import { readLakeConfig } from '../cluster/config.js';
import { startRedirector } from '../cluster/server.js';
import { listenArgument, positiveDurationArgument, valueOption } from './arguments.js';
import { closeOnSignals } from './run.js';

interface RedirectorCliOptions {
  listen: { host: string; port: number };
  config?: string;
  heartbeatTimeout?: number;
  origin?: string;
  defaultSite?: string;
  proxy?: boolean;
  quiet?: boolean;
}

const EXAMPLES = `
Examples:
  $ smartcache redirector --listen 127.0.0.1:8090 --config examples/lake.yaml
  $ smartcache redirector --origin http://origin:8080 --default-site T2_IT_Pisa --proxy

Cache nodes join by heartbeating POST /v1/nodes; GET /v1/cluster shows membership and, with
?file=PATH&site=S, where a file goes. A client names its site with the X-Smartcache-Site header
or ?site=, else the config's client address blocks, else --default-site. Every file request
answers 302 to the node that holds the file for the client's site, with the next choices in
Link: <url>; rel="duplicate"; pri=N (the origin last); --proxy streams the file instead.
Details: docs/cluster.md.`;

export function register(program: Command): void {
  program
    .command('redirector')
    .description('route file requests over a cluster of cache nodes across sites')
    .addOption(
      valueOption('-l, --listen <host:port>', 'address to listen on', listenArgument, '127.0.0.1:8090'),
    )
    .option('-c, --config <lake.yaml>', 'sites, distances, client address blocks, replicas, origin')
    .addOption(
      valueOption(
        '--heartbeat-timeout <duration>',
        'a node silent this long leaves (default 3s, or the config)',
        positiveDurationArgument,
      ),
    )
    .option('--origin <url>', 'where files go when no node can take them (overrides the config)')
    .option('--default-site <site>', 'site of clients that name none and match no address block')
    .option('--proxy', 'stream files through the redirector instead of redirecting')
    .option('-q, --quiet', 'no request logs')
    .addHelpText('after', EXAMPLES)
    .action(runRedirector);
}

async function runRedirector(opts: RedirectorCliOptions): Promise<void> {
  const { host, port } = opts.listen;
  const lake = opts.config ? await readLakeConfig(opts.config) : undefined;
  const timeout = opts.heartbeatTimeout ?? lake?.heartbeatTimeout ?? 3;
  const server = await startRedirector({
    host,
    port,
    heartbeatTimeoutMs: timeout * 1000,
    origin: opts.origin ?? lake?.origin,
    sites: lake?.sites.map((site) => site.name),
    clients: lake?.clients,
    distances: lake?.distances,
    replicas: lake?.replicas,
    hotThreshold: lake?.hotThreshold,
    hotHalfLife: lake?.hotHalfLife,
    defaultSite: opts.defaultSite,
    proxy: opts.proxy,
    logger: opts.quiet ? { level: 'warn' } : true,
  });
  process.stderr.write(`redirector listening on ${server.url}\n`);
  closeOnSignals(() => server.close());
}
