/** The model service as a fastify app: shared parsers, errors and metrics, one plugin per route group. */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { guardBodies } from './body.js';
import type { ServiceContext, ServiceSettings } from './context.js';
import { clientMessage, statusOf } from './errors.js';
import { RequestStats } from './file-stats.js';
import { ServiceMetrics } from './metrics.js';
import { OpenApiCollector } from './openapi.js';
import type { ModelRegistry } from './registry.js';
import { adminRoutes } from './routes/admin.js';
import { decideRoutes } from './routes/decide.js';
import { opsRoutes } from './routes/ops.js';
import { resolveRoutes } from './routes/resolve.js';
import { tfaasRoutes } from './routes/tfaas.js';

export const DEFAULT_SETTINGS: ServiceSettings = {
  maxUploadBytes: 100e6,
  maxBatchBytes: 256e6,
  resolveCapacity: 1_000_000,
};

export interface AppOptions extends Partial<ServiceSettings> {
  registry: ModelRegistry;
  /** path prefix for every route, e.g. /tfaas */
  base?: string;
  /** fastify's logger option: false in tests, true for JSON logs on stdout */
  logger?: FastifyServerOptions['logger'];
}

/** Binary bodies (protobuf rows, bundle archives, decide matrices) arrive as Buffers. */
export const BINARY_TYPES = ['application/octet-stream', 'application/protobuf', 'application/x-protobuf'];

export interface ServiceApp {
  app: FastifyInstance;
  ctx: ServiceContext;
}

export async function buildApp(options: AppOptions): Promise<ServiceApp> {
  const { registry, base = '', logger = false, ...overrides } = options;
  const settings: ServiceSettings = { ...DEFAULT_SETTINGS, ...overrides };
  const ctx: ServiceContext = {
    registry,
    metrics: new ServiceMetrics(),
    stats: new RequestStats(settings.resolveCapacity),
    settings,
    startedAt: Date.now(),
    accepting: true,
  };
  const app = Fastify({ logger, bodyLimit: settings.maxBatchBytes, return503OnClosing: true });
  const openapi = new OpenApiCollector();
  app.addHook('onRoute', openapi.onRoute);

  guardBodies(app);
  app.addContentTypeParser(BINARY_TYPES, { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.setErrorHandler((err, request, reply) => {
    const status = statusOf(err);
    if (status >= 500) request.log.error({ err }, 'request failed');
    else if (err instanceof Error && err.cause)
      request.log.info({ err, cause: err.cause }, 'request refused');
    reply.code(status).send({ error: clientMessage(err, status, request.id) });
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ error: `no route ${request.method} ${request.url}` });
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    ctx.metrics.observe(route, request.method, reply.statusCode, reply.elapsedTime / 1000);
  });

  const prefix = base.replace(/\/+$/, '');
  for (const plugin of [tfaasRoutes, decideRoutes, resolveRoutes, adminRoutes]) {
    await app.register(plugin, { prefix, ctx });
  }
  await app.register(opsRoutes, { prefix, ctx, openapi });
  return { app, ctx };
}
