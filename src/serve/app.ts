/** The model service as a fastify app: shared parsers, errors and metrics, one plugin per route group. */

import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { MINUTE } from '../common/time.js';
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
  requestTimeoutMs: 5 * MINUTE * 1000,
  idleTimeoutMs: 30_000,
};

/** Node's default for receiving a request's headers; a shorter request timeout lowers it. */
const HEADERS_TIMEOUT_MS = 60_000;
/** How often Node checks requests against the request timeout, at most. */
const TIMEOUT_CHECK_MS = 1000;

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
  const { requestTimeoutMs, idleTimeoutMs } = settings;
  const app = Fastify({
    logger,
    bodyLimit: settings.maxBatchBytes,
    return503OnClosing: true,
    requestTimeout: requestTimeoutMs,
    connectionTimeout: idleTimeoutMs,
    http: {
      requestTimeout: requestTimeoutMs,
      headersTimeout: Math.min(HEADERS_TIMEOUT_MS, requestTimeoutMs),
      connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_MS, requestTimeoutMs),
    },
  });
  const openapi = new OpenApiCollector();
  app.addHook('onRoute', openapi.onRoute);

  guardBodies(app);
  app.addContentTypeParser(BINARY_TYPES, { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.setErrorHandler((err, request, reply) => {
    const status = statusOf(err);
    // a request refused before its body was read (a missing token, a wrong type) is not read
    // to its end: the connection closes after the answer
    if (!request.raw.complete) reply.header('connection', 'close');
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
