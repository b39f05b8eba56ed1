/** What every route plugin of one service instance shares. */
import type { FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import { HttpError } from './errors.js';
import type { RequestStats } from './file-stats.js';
import type { ServiceMetrics } from './metrics.js';
import type { ModelRegistry } from './registry.js';

export interface ServiceSettings {
  /** bearer token for upload, delete and set-default; without one those routes are refused */
  adminToken?: string;
  /** bearer token for prediction routes; without one they are open */
  predictToken?: string;
  /** largest upload body, and largest unpacked bundle */
  maxUploadBytes: number;
  /** largest /v1/decide body */
  maxBatchBytes: number;
  /** files whose request history /resolve keeps */
  resolveCapacity: number;
  /** longest time to receive a whole request, headers and body (ms); later is a 408 */
  requestTimeoutMs: number;
  /** a connection that sends nothing for this long is closed (ms) */
  idleTimeoutMs: number;
}

export interface ServiceContext {
  registry: ModelRegistry;
  metrics: ServiceMetrics;
  stats: RequestStats;
  settings: ServiceSettings;
  startedAt: number;
  /** false once shutdown has begun (readiness) */
  accepting: boolean;
}

export interface RoutesOptions {
  ctx: ServiceContext;
}

/** The token of an `Authorization: Bearer <token>` header; the scheme is case-insensitive (RFC 7235). */
function bearer(request: FastifyRequest): string | undefined {
  const match = /^bearer +(\S+) *$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}

/** An onRequest hook admitting requests that carry one of `tokens`; `undefined` tokens admit nobody. */
export function requireToken(tokens: (string | undefined)[], refusal: string) {
  const accepted = tokens.filter((t): t is string => !!t);
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    if (accepted.length === 0) throw new HttpError(403, refusal);
    const given = bearer(request);
    if (given === undefined) throw new HttpError(401, 'missing Authorization: Bearer <token>');
    if (!accepted.includes(given)) throw new HttpError(403, 'wrong bearer token');
  };
}

/** The onRequest hook for prediction routes: open unless a prediction token is set. */
export function predictGuard(settings: ServiceSettings) {
  if (!settings.predictToken) return async () => {};
  return requireToken([settings.predictToken, settings.adminToken], 'prediction needs a token');
}

export const errorSchema = {
  type: 'object',
  properties: { error: { type: 'string' } },
  required: ['error'],
} as const;

/** A route schema with the OpenAPI fields /openapi.json reads beside fastify's validation fields. */
export type RouteSchema = FastifySchema & {
  summary: string;
  consumes?: string[];
  produces?: string[];
};
