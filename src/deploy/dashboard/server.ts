/**
 * The dashboard server: one page, the plotting bundles it loads, the state as JSON and its
 * updates as server-sent events. The poller (poller.ts) reads the sources; this file serves.
 *
 *   GET /                   the page
 *   GET /assets/NAME.js     vega, vega-lite, vega-embed (their browser builds, from node_modules)
 *   GET /api/state          everything shown, with the series of every node
 *   GET /api/events         text/event-stream: `snapshot` (the state) on connect, `update` after each poll
 *   GET /healthz            liveness
 */
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { browserBundleFile, PLOT_BUNDLES, type PlotBundle } from '../../report/html.js';
import { dashboardPage } from './page.js';
import { Poller, type PollerOptions } from './poller.js';
import { stateSchema } from './schemas.js';
import type { DashboardState, DashboardUpdate } from './state.js';

export interface DashboardOptions extends PollerOptions {
  host: string;
  port: number;
  /** fastify's logger option */
  logger?: boolean | { level: string };
}

export interface RunningDashboard {
  app: FastifyInstance;
  poller: Poller;
  /** the bound address, e.g. http://127.0.0.1:8095 */
  url: string;
  close(): Promise<void>;
}

/** Streams open on /api/events get a comment this often, so proxies keep them open (ms). */
const KEEPALIVE_MS = 15_000;
/** A stream whose client has not read this much is dropped; its EventSource reconnects to a snapshot. */
const STREAM_BACKLOG_BYTES = 8 << 20;

const sseMessage = (event: 'snapshot' | 'update', data: DashboardState | DashboardUpdate) =>
  `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

export function buildDashboard(options: DashboardOptions): { app: FastifyInstance; poller: Poller } {
  const { host: _host, port: _port, logger = false, ...pollerOptions } = options;
  const poller = new Poller(pollerOptions);
  const app = Fastify({ logger, return503OnClosing: true });
  const streams = new Set<ServerResponse>();
  const page = dashboardPage(options.intervalMs);
  const bundles = new Map<string, Promise<string>>();

  const send = (message: string) => {
    for (const stream of streams) {
      if (stream.writableLength > STREAM_BACKLOG_BYTES) {
        streams.delete(stream);
        stream.destroy();
      } else stream.write(message);
    }
  };
  poller.onUpdate((update) => send(sseMessage('update', update)));
  const keepalive = setInterval(() => send(': keepalive\n\n'), KEEPALIVE_MS);
  keepalive.unref();
  app.addHook('preClose', async () => {
    clearInterval(keepalive);
    for (const stream of streams) stream.end();
    streams.clear();
  });

  app.get(
    '/',
    { schema: { response: { 200: { type: 'string', description: 'the dashboard page (text/html)' } } } },
    async (_request, reply) => {
      reply.type('text/html; charset=utf-8');
      return page;
    },
  );

  app.get<{ Params: { name: PlotBundle } }>(
    '/assets/:name.js',
    {
      schema: {
        params: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string', enum: [...PLOT_BUNDLES] } },
        },
        response: { 200: { type: 'string', description: 'a browser bundle (text/javascript)' } },
      },
    },
    async (request, reply) => {
      const { name } = request.params;
      if (!bundles.has(name)) bundles.set(name, readFile(browserBundleFile(name), 'utf8'));
      reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600');
      return bundles.get(name);
    },
  );

  app.get('/api/state', { schema: { response: { 200: stateSchema } } }, async () => poller.state());

  app.get(
    '/api/events',
    { schema: { response: { 200: { type: 'string', description: 'text/event-stream' } } } },
    (request, reply) => {
      reply.hijack();
      const stream = reply.raw;
      stream.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      stream.write(sseMessage('snapshot', poller.state()));
      streams.add(stream);
      request.raw.on('close', () => streams.delete(stream));
    },
  );

  app.get(
    '/healthz',
    { schema: { response: { 200: { type: 'object', properties: { status: { type: 'string' } } } } } },
    async () => ({ status: 'ok' }),
  );

  app.addHook('onClose', async () => poller.stop());
  return { app, poller };
}

/** Listens, runs the first poll, then polls every interval until close(). */
export async function startDashboard(options: DashboardOptions): Promise<RunningDashboard> {
  const { app, poller } = buildDashboard(options);
  const url = await app.listen({ host: options.host, port: options.port });
  await poller.start();
  return { app, poller, url, close: () => app.close() };
}
