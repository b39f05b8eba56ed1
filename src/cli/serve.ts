/** `smartcache serve`: the model service (TFaaS-compatible API, batch decisions, XCache hints). */
import type { Command } from 'commander';
import { closeOnSignals, startServer } from '../serve/server.js';
import {
  durationArgument,
  integer,
  listenArgument,
  positiveBytesArgument,
  positiveDurationArgument,
  valueOption,
} from './arguments.js';

interface ServeOptions {
  models: string;
  listen: { host: string; port: number };
  base?: string;
  adminToken?: string;
  predictToken?: string;
  maxUpload: number;
  maxBatch: number;
  reload: number;
  resolveFiles: number;
  keepVersions: number;
  requestTimeout: number;
  idleTimeout: number;
  quiet?: boolean;
}

const EXAMPLES = `
Examples:
  $ smartcache serve --models models/ --admin-token "$(cat token)"
  $ smartcache serve --models models/ --listen 0.0.0.0:8083 --base /tfaas --predict-token secret

Routes and curl examples: docs/serve.md. Logs are JSON lines on stdout.`;

export function register(program: Command): void {
  program
    .command('serve')
    .description('serve model bundles over HTTP: TFaaS-compatible API, /v1/decide batches, /resolve hints')
    .requiredOption('-m, --models <dir>', 'models directory (created if missing; uploads are stored here)')
    .addOption(
      valueOption('-l, --listen <host:port>', 'address to listen on', listenArgument, '127.0.0.1:8083'),
    )
    .option('--base <path>', 'path prefix for every route, e.g. /tfaas')
    .option('--admin-token <token>', 'bearer token for upload/delete/default (or SMARTCACHE_ADMIN_TOKEN)')
    .option(
      '--predict-token <token>',
      'require this bearer token on prediction routes (or SMARTCACHE_PREDICT_TOKEN)',
    )
    .addOption(
      valueOption(
        '--max-upload <size>',
        'largest upload and unpacked bundle',
        positiveBytesArgument,
        '100MB',
      ),
    )
    .addOption(
      valueOption(
        '--max-batch <size>',
        'largest /v1/decide body (and other bodies)',
        positiveBytesArgument,
        '256MB',
      ),
    )
    .addOption(
      valueOption(
        '--request-timeout <duration>',
        'longest time to receive a whole request, headers and body; later is a 408',
        positiveDurationArgument,
        '5m',
      ),
    )
    .addOption(
      valueOption(
        '--idle-timeout <duration>',
        'close a connection that sends nothing for this long',
        positiveDurationArgument,
        '30s',
      ),
    )
    .addOption(
      valueOption(
        '--reload <duration>',
        'rescan the models directory this often; 0 disables',
        durationArgument,
        '5s',
      ),
    )
    .addOption(
      valueOption(
        '--keep-versions <n>',
        'versions of a model an upload keeps, besides pinned (made default by number) and serving ones',
        integer(1),
        '5',
      ),
    )
    .addOption(
      valueOption('--resolve-files <n>', 'files whose request history /resolve keeps', integer(1), '1000000'),
    )
    .option('-q, --quiet', 'no request logs')
    .addHelpText('after', EXAMPLES)
    .action(runServe);
}

async function runServe(opts: ServeOptions): Promise<void> {
  const { host, port } = opts.listen;
  const server = await startServer({
    models: opts.models,
    host,
    port,
    base: opts.base,
    adminToken: opts.adminToken ?? process.env.SMARTCACHE_ADMIN_TOKEN,
    predictToken: opts.predictToken ?? process.env.SMARTCACHE_PREDICT_TOKEN,
    maxUploadBytes: opts.maxUpload,
    maxBatchBytes: opts.maxBatch,
    resolveCapacity: opts.resolveFiles,
    requestTimeoutMs: opts.requestTimeout * 1000,
    idleTimeoutMs: opts.idleTimeout * 1000,
    keepVersions: opts.keepVersions,
    reloadMs: opts.reload * 1000,
    logger: opts.quiet ? { level: 'warn' } : true,
  });
  process.stderr.write(`model service listening on ${server.url}\n`);
  closeOnSignals(server);
}
