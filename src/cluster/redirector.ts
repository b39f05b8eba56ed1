/**
 * The redirector: cache nodes register and heartbeat here; a client asking for a file is sent
 * (302) to the node that holds it for the client's site, with the next choices as
 * `Link: <url>; rel="duplicate"; pri=N` alternatives, or, in proxy mode, is served the file
 * through the redirector. Membership is soft state rebuilt from heartbeats.
 */
import { BlockList, isIPv6 } from 'node:net';
import { Readable } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { encodePath, filePath, fileUrl, joinUrl, PathError } from '../common/paths.js';
import type { ClientRule } from './config.js';
import { HotFiles } from './hot-files.js';
import { type Heartbeat, type Member, Membership } from './membership.js';
import { RedirectorMetrics } from './metrics.js';
import { type ClusterLayout, type ClusterNode, keyHash, type Route, type RouteLevel } from './placement.js';

/** Header by which a client names its site (a `site` query parameter works too). */
export const SITE_HEADER = 'x-smartcache-site';

export interface RedirectorOptions extends ClusterLayout {
  /** the lake's site names: with the members' sites and those of `clients`, `distances` and `defaultSite`, the client sites metrics count by name */
  sites?: readonly string[];
  /** a node not heard from for this long leaves, ms (default 3000) */
  heartbeatTimeoutMs?: number;
  /** where files go when no node can take them; without it such requests get 503 */
  origin?: string;
  /** client address blocks and their sites */
  clients?: readonly ClientRule[];
  /** site of clients that name none and match no address block */
  defaultSite?: string;
  /** stream files through the redirector instead of redirecting */
  proxy?: boolean;
  /** files above this many requests per second get `replicas` copies per site */
  hotThreshold?: number;
  hotHalfLife?: number;
  /** fastify's logger option */
  logger?: boolean | { level: string };
}

/** The JSON of `GET /v1/cluster`: membership, and with `?file=` the route of that file. */
export interface ClusterView {
  timeoutMs: number;
  nodes: Member[];
  /** site -> its node ids */
  sites: Record<string, string[]>;
  route?: ClusterRoute;
}

export interface ClusterRoute {
  file: string;
  /** the client site the route is for ('' for none) */
  site: string;
  level: RouteLevel;
  /** node ids, first choice first; empty when the file goes to the origin */
  order: string[];
}

export interface Redirector {
  app: FastifyInstance;
  membership: Membership;
  metrics: RedirectorMetrics;
}

class SiteMap {
  private readonly blocks: { site: string; list: BlockList }[] = [];

  constructor(rules: readonly ClientRule[]) {
    for (const rule of rules) {
      const [address, bits] = rule.cidr.split('/');
      const list = new BlockList();
      list.addSubnet(address, Number(bits), isIPv6(address) ? 'ipv6' : 'ipv4');
      this.blocks.push({ site: rule.site, list });
    }
  }

  siteOf(address: string): string | undefined {
    const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
    const family = isIPv6(plain) ? 'ipv6' : 'ipv4';
    return this.blocks.find((b) => b.list.check(plain, family))?.site;
  }
}

const heartbeatSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'url', 'site', 'capacity'],
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 256 },
    url: { type: 'string', pattern: '^https?://[^/]+/?$' },
    site: { type: 'string', minLength: 1, maxLength: 256 },
    capacity: { type: 'number', minimum: 0 },
    weight: { type: 'number', exclusiveMinimum: 0, default: 1 },
    state: { type: 'string', enum: ['active', 'draining'], default: 'active' },
  },
} as const;

const nodeSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    url: { type: 'string' },
    site: { type: 'string' },
    capacity: { type: 'number' },
    weight: { type: 'number' },
    state: { type: 'string' },
    joinedAt: { type: 'number' },
    lastSeen: { type: 'number' },
  },
} as const;

/**
 * Copies named in `Link` besides the origin: enough for a client to survive several failures,
 * few enough that the header stays small (it is most of a redirect's bytes and cost).
 */
export const LINK_ALTERNATIVES = 4;

/** What follows a URL in the `Link` header at each priority: `>; rel="duplicate"; pri=N`. */
const LINK_ENDS = Array.from({ length: LINK_ALTERNATIVES + 1 }, (_, i) => `>; rel="duplicate"; pri=${i + 1}`);

/**
 * `Link` alternatives in priority order: the choices after the first (at most
 * LINK_ALTERNATIVES), then the origin when a node was chosen.
 */
function linkHeader(
  choices: readonly ClusterNode[],
  encodedPath: string,
  origin: string | undefined,
): string {
  let header = '';
  const count = Math.min(choices.length - 1, LINK_ALTERNATIVES);
  for (let i = 0; i < count; i++) {
    header += `${i > 0 ? ', <' : '<'}${joinUrl(choices[i + 1].url, encodedPath)}${LINK_ENDS[i]}`;
  }
  if (origin && choices.length > 0)
    header += `${count > 0 ? ', <' : '<'}${joinUrl(origin, encodedPath)}${LINK_ENDS[count]}`;
  return header;
}

/** Every site the options name; '' (a client naming no site, with no default) is one of them. */
function configuredSites(options: RedirectorOptions): string[] {
  const distances = Object.entries(options.distances ?? {}).flatMap(([site, to]) => [
    site,
    ...Object.keys(to),
  ]);
  return [
    '',
    ...(options.sites ?? []),
    ...(options.clients ?? []).map((rule) => rule.site),
    ...distances,
    ...(options.defaultSite === undefined ? [] : [options.defaultSite]),
  ];
}

/** Logger levels at which fastify writes its request logs (it logs them at info). */
const REQUEST_LOG_LEVELS = new Set(['trace', 'debug', 'info']);

export function buildRedirector(options: RedirectorOptions = {}): Redirector {
  const timeoutMs = options.heartbeatTimeoutMs ?? 3000;
  const membership = new Membership(timeoutMs, options);
  const metrics = new RedirectorMetrics(membership, configuredSites(options));
  const sites = new SiteMap(options.clients ?? []);
  const hot = options.hotThreshold
    ? new HotFiles({ threshold: options.hotThreshold, halfLife: options.hotHalfLife })
    : undefined;
  const logger = options.logger ?? false;
  const requestLogs = logger === true || (typeof logger === 'object' && REQUEST_LOG_LEVELS.has(logger.level));
  const app = Fastify({
    logger,
    return503OnClosing: true,
    // at a level that drops request logs, a request needs no child logger of its own to bind them
    ...(requestLogs ? {} : { childLoggerFactory: (parent) => parent }),
  });
  let spread = 0;

  membership.onChange((change, node) =>
    app.log.info({ change, node: node.id, site: node.site }, 'membership'),
  );
  const expiry = setInterval(() => membership.expire(), Math.max(50, Math.min(250, timeoutMs / 8)));
  expiry.unref();
  app.addHook('onClose', async () => clearInterval(expiry));

  app.setErrorHandler((err, _request, reply) => {
    const e = err as { validation?: unknown; statusCode?: number };
    const status = err instanceof PathError || e.validation ? 400 : (e.statusCode ?? 500);
    reply.code(status >= 400 && status < 600 ? status : 500).send({ error: (err as Error).message });
  });

  app.post('/v1/nodes', { schema: { body: heartbeatSchema } }, async (request) => {
    membership.heartbeat(request.body as Heartbeat);
    return { heartbeatMs: Math.max(100, Math.floor(timeoutMs / 3)), timeoutMs };
  });

  app.delete<{ Params: { id: string } }>(
    '/v1/nodes/:id',
    { schema: { params: { type: 'object', properties: { id: { type: 'string', minLength: 1 } } } } },
    async (request, reply) => {
      const known = membership.leave(request.params.id);
      reply.code(known ? 204 : 404).send(known ? undefined : { error: `no node ${request.params.id}` });
    },
  );

  app.get<{ Querystring: { file?: string; site?: string } }>(
    '/v1/cluster',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { file: { type: 'string' }, site: { type: 'string' } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              timeoutMs: { type: 'number' },
              nodes: { type: 'array', items: nodeSchema },
              sites: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
              route: {
                type: 'object',
                properties: {
                  file: { type: 'string' },
                  site: { type: 'string' },
                  level: { type: 'string' },
                  order: { type: 'array', items: { type: 'string' } },
                },
              },
            },
          },
        },
      },
    },
    async (request): Promise<ClusterView> => {
      const nodes = membership.list();
      const bySite: Record<string, string[]> = {};
      for (const node of nodes) bySite[node.site] = [...(bySite[node.site] ?? []), node.id];
      const { file, site } = request.query;
      if (file === undefined) return { timeoutMs, nodes, sites: bySite };
      const path = filePath(file);
      const clientSite = site ?? options.defaultSite ?? '';
      const route = membership.placement().route(clientSite, ...keyHash(path));
      const order = [route.node, ...route.alternatives].filter((n) => n !== undefined).map((n) => n.id);
      return {
        timeoutMs,
        nodes,
        sites: bySite,
        route: { file: path, site: clientSite, level: route.level, order },
      };
    },
  );

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/metrics', async (_request, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  const clientSite = (request: FastifyRequest): string => {
    const header = request.headers[SITE_HEADER];
    const query = (request.query as { site?: string }).site;
    return (
      (typeof header === 'string' && header) || query || sites.siteOf(request.ip) || options.defaultSite || ''
    );
  };

  /** The first choices for a file (the node, then the Link alternatives) and the route's level. */
  const choose = (
    site: string,
    hi: number,
    lo: number,
    isHot: boolean,
  ): { nodes: ClusterNode[]; level: RouteLevel } => {
    const placement = membership.placement();
    if (!isHot) return placement.firstChoices(site, hi, lo, LINK_ALTERNATIVES + 1);
    const route = placement.route(site, hi, lo, true, spread++);
    const order = route.node ? [route.node, ...route.alternatives] : [];
    return { nodes: order.slice(0, LINK_ALTERNATIVES + 1), level: route.level };
  };

  // not async: a redirect is answered before the handler returns, without a promise to settle
  const serveFile = (request: FastifyRequest, reply: FastifyReply) => {
    const started = performance.now();
    const path = filePath(request.url);
    const site = clientSite(request);
    const [hi, lo] = keyHash(path);
    const isHot = hot?.observe(path, Date.now() / 1000) ?? false;
    if (options.proxy) {
      const route = membership.placement().route(site, hi, lo, isHot, spread++);
      if (!route.node && !options.origin) return unavailable(reply, site);
      return proxy(request, reply, route, path, site, started);
    }
    const { nodes, level } = choose(site, hi, lo, isHot);
    const encoded = encodePath(path);
    const target =
      nodes.length > 0 ? joinUrl(nodes[0].url, encoded) : options.origin && joinUrl(options.origin, encoded);
    if (!target) return unavailable(reply, site);
    metrics.routedRequest(site, level);
    const headers = ['location', target, 'cache-control', 'no-store'];
    const links = linkHeader(nodes, encoded, options.origin);
    if (links) headers.push('link', links);
    // written straight to the socket: a bodiless 302 needs none of fastify's reply pipeline
    reply.hijack();
    reply.raw.writeHead(302, headers).end();
    metrics.latency.observe((performance.now() - started) / 1000);
  };

  const unavailable = (reply: FastifyReply, site: string) => {
    metrics.routedRequest(site, 'unavailable');
    return reply.code(503).send({ error: `no cache node serves site "${site}" and no origin is configured` });
  };

  const PASSED_HEADERS = [
    'content-length',
    'content-range',
    'content-type',
    'etag',
    'last-modified',
    'accept-ranges',
  ];

  const proxy = async (
    request: FastifyRequest,
    reply: FastifyReply,
    route: Route,
    path: string,
    site: string,
    started: number,
  ) => {
    const candidates = [route.node, ...route.alternatives]
      .filter((n) => n !== undefined)
      .map((n) => fileUrl(n.url, path));
    if (options.origin) candidates.push(fileUrl(options.origin, path));
    const headers: Record<string, string> = {};
    if (typeof request.headers.range === 'string') headers.range = request.headers.range;
    const failures: string[] = [];
    for (const url of candidates) {
      try {
        const response = await fetch(url, { method: request.method, headers, redirect: 'manual' });
        if (response.status >= 500) {
          failures.push(`${new URL(url).host}: ${response.status}`);
          await response.body?.cancel();
          continue;
        }
        metrics.routedRequest(site, route.level);
        metrics.latency.observe((performance.now() - started) / 1000);
        reply.code(response.status);
        for (const name of PASSED_HEADERS) {
          const value = response.headers.get(name);
          if (value !== null) reply.header(name, value);
        }
        return reply.send(response.body ? Readable.fromWeb(response.body as never) : undefined);
      } catch (err) {
        failures.push(`${new URL(url).host}: ${(err as Error).message}`);
      }
    }
    metrics.routedRequest(site, 'proxy-failed');
    return reply.code(502).send({ error: `no copy of ${path} could be read: ${failures.join('; ')}` });
  };

  app.get('/*', serveFile); // fastify answers HEAD through the GET route
  return { app, membership, metrics };
}
