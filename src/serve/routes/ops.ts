/** Operations routes: /status (TFaaS), /healthz, /readyz, /metrics and /openapi.json. */
import { loadavg } from 'node:os';
import type { FastifyPluginAsync } from 'fastify';
import type { RouteSchema, RoutesOptions } from '../context.js';
import type { OpenApiCollector } from '../openapi.js';

export interface OpsOptions extends RoutesOptions {
  openapi: OpenApiCollector;
}

const statusSchema: RouteSchema = {
  summary: 'TFaaS: uptime, request counts, memory and load',
  response: {
    200: {
      type: 'object',
      properties: {
        uptime: { type: 'number', description: 'seconds' },
        requests: { type: 'object', additionalProperties: { type: 'integer' } },
        memory: { type: 'object', additionalProperties: { type: 'number' } },
        load: { type: 'array', items: { type: 'number' } },
        models: { type: 'integer' },
        defaultModel: { type: 'string' },
        trackedFiles: { type: 'integer' },
      },
    },
  },
};

const probeSchema = (summary: string): RouteSchema => ({
  summary,
  response: { 200: { type: 'object', properties: { status: { type: 'string' } } } },
});

export const opsRoutes: FastifyPluginAsync<OpsOptions> = async (app, { ctx, openapi }) => {
  const { registry, metrics } = ctx;

  app.get('/status', { schema: statusSchema }, async () => ({
    uptime: (Date.now() - ctx.startedAt) / 1000,
    requests: Object.fromEntries(metrics.counts),
    memory: { ...process.memoryUsage() },
    load: loadavg(),
    models: registry.entries().length,
    defaultModel: registry.defaultModelName() ?? '',
    trackedFiles: ctx.stats.trackedFiles,
  }));

  app.get('/healthz', { schema: probeSchema('liveness: the process answers') }, async () => ({
    status: 'ok',
  }));

  app.get(
    '/readyz',
    { schema: probeSchema('readiness: accepting requests with at least one model loaded') },
    async (_request, reply) => {
      const ready = ctx.accepting && registry.entries().length > 0;
      reply.code(ready ? 200 : 503);
      return { status: ready ? 'ready' : ctx.accepting ? 'no models loaded' : 'shutting down' };
    },
  );

  app.get(
    '/metrics',
    { schema: { summary: 'Prometheus metrics', produces: ['text/plain'] } as RouteSchema },
    async (_request, reply) => {
      reply.type(metrics.registry.contentType);
      return metrics.registry.metrics();
    },
  );

  app.get(
    '/openapi.json',
    {
      schema: {
        summary: 'this OpenAPI document',
        response: { 200: { type: 'object', additionalProperties: true } },
      } as RouteSchema,
    },
    async () => openapi.document(),
  );
};
