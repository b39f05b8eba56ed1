/** Running the service: open the models directory, listen, and shut down gracefully on SIGINT/SIGTERM. */
import type { FastifyInstance } from 'fastify';
import { type AppOptions, buildApp } from './app.js';
import type { ServiceContext } from './context.js';
import { ModelRegistry } from './registry.js';

export interface ServerOptions extends Omit<AppOptions, 'registry'> {
  models: string;
  host: string;
  port: number;
  /** rescan the models directory this often (ms); 0 disables hot reload */
  reloadMs: number;
  /** versions of a model an upload keeps, besides pinned and serving ones (default 5) */
  keepVersions?: number;
}

export interface RunningServer {
  app: FastifyInstance;
  ctx: ServiceContext;
  /** the bound address, e.g. http://127.0.0.1:8083 */
  url: string;
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { models, host, port, reloadMs, keepVersions, ...appOptions } = options;
  let log: FastifyInstance['log'] | undefined;
  const registry = await ModelRegistry.create(
    models,
    (level, message, details) => log?.[level](details ?? {}, message),
    { keepVersions },
  );
  const { app, ctx } = await buildApp({ ...appOptions, registry });
  log = app.log;
  await registry.rescan();
  if (reloadMs > 0) registry.watch(reloadMs);
  const url = await app.listen({ host, port });
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      ctx.accepting = false;
      await app.close();
      await registry.close();
    })();
    return closing;
  };
  return { app, ctx, url, close };
}

/** Closes the server on the first SIGINT or SIGTERM; a second signal exits at once. */
export function closeOnSignals(server: RunningServer): void {
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) process.exit(1);
    signalled = true;
    server.app.log.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (err) => {
        server.app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
