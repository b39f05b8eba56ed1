/** `smartcache serve`: the model service (TFaaS-compatible API, batch decisions, XCache hints). */
import type { Command } from 'commander';
import { parseBytes, parseDuration } from '../common/units.js';
import { closeOnSignals, startServer } from '../serve/server.js';

interface ServeOptions {
  models: string;
  listen: string;
  base?: string;
  adminToken?: string;
  predictToken?: string;
  maxUpload: string;
  maxBatch: string;
  reload: string;
  resolveFiles: string;
  quiet?: boolean;
}

const EXAMPLES = `
Examples:
  $ smartcache serve --models models/ --admin-token "$(cat token)"
  $ smartcache serve --models models/ --listen 0.0.0.0:8083 --base /tfaas --predict-token secret

Routes and curl examples: docs/serve.md. Logs are JSON lines on stdout.`;

/** "host:port", ":port" or "port". */
export function parseListen(text: string): { host: string; port: number } {
  const match = /^(?:(.*):)?(\d+)$/.exec(text);
  const port = Number(match?.[2]);
  if (!match || port > 65_535) throw new Error(`cannot read "${text}" as host:port, e.g. 127.0.0.1:8083`);
  return { host: match[1] || '127.0.0.1', port };
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('serve model bundles over HTTP: TFaaS-compatible API, /v1/decide batches, /resolve hints')
    .requiredOption('-m, --models <dir>', 'models directory (created if missing; uploads are stored here)')
    .option('-l, --listen <host:port>', 'address to listen on', '127.0.0.1:8083')
    .option('--base <path>', 'path prefix for every route, e.g. /tfaas')
    .option('--admin-token <token>', 'bearer token for upload/delete/default (or SMARTCACHE_ADMIN_TOKEN)')
    .option(
      '--predict-token <token>',
      'require this bearer token on prediction routes (or SMARTCACHE_PREDICT_TOKEN)',
    )
    .option('--max-upload <size>', 'largest upload and unpacked bundle', '100MB')
    .option('--max-batch <size>', 'largest /v1/decide body', '256MB')
    .option('--reload <duration>', 'rescan the models directory this often; 0 disables', '5s')
    .option('--resolve-files <n>', 'files whose request history /resolve keeps', '1000000')
    .option('-q, --quiet', 'no request logs')
    .addHelpText('after', EXAMPLES)
    .action(runServe);
}

async function runServe(opts: ServeOptions): Promise<void> {
  const { host, port } = parseListen(opts.listen);
  const server = await startServer({
    models: opts.models,
    host,
    port,
    base: opts.base,
    adminToken: opts.adminToken ?? process.env.SMARTCACHE_ADMIN_TOKEN,
    predictToken: opts.predictToken ?? process.env.SMARTCACHE_PREDICT_TOKEN,
    maxUploadBytes: parseBytes(opts.maxUpload),
    maxBatchBytes: parseBytes(opts.maxBatch),
    resolveCapacity: Number(opts.resolveFiles),
    reloadMs: parseDuration(opts.reload) * 1000,
    logger: opts.quiet ? { level: 'warn' } : true,
  });
  closeOnSignals(server);
}
