/**
 * GET /resolve: the hint endpoint of the XCache smart decision plugin. The service keeps each
 * file's request history, computes the model's features from it and answers whether to store.
 */
import type { FastifyPluginAsync } from 'fastify';
import { DAY } from '../../common/time.js';
import { FeatureTimeError } from '../../learn/feature-state.js';
import { errorSchema, predictGuard, type RouteSchema, type RoutesOptions } from '../context.js';
import { HttpError } from '../errors.js';
import { UncomputableFeaturesError } from '../file-stats.js';
import { decideRows } from '../models/model.js';
import { predictFinite } from '../rows.js';

const resolveSchema: RouteSchema = {
  summary: 'XCache hint: should the cache store this file?',
  querystring: {
    type: 'object',
    required: ['lfn'],
    properties: {
      lfn: { type: 'string', minLength: 1 },
      time: {
        type: 'number',
        minimum: 0,
        description: 'request time, seconds since the epoch (milliseconds accepted); now when absent',
      },
      naccess: {
        type: 'integer',
        minimum: 0,
        maximum: Number.MAX_SAFE_INTEGER,
        description: "the cache's count of earlier accesses",
      },
      downloaded: { type: 'string', description: 'sent by the XCache plugin; not used by the models' },
      size: {
        type: 'number',
        minimum: 0,
        maximum: Number.MAX_SAFE_INTEGER,
        description: 'file size in bytes (needed by log_size)',
      },
      user: { type: 'string', description: 'requesting user (needed by distinct_users)' },
      dataset: { type: 'string', description: "the file's dataset (needed by dataset_count_1d)" },
      model: { type: 'string', description: 'name or name@version; default model when absent' },
    },
  },
  response: {
    200: {
      type: 'object',
      properties: {
        store: { type: 'boolean' },
        filename: { type: 'string' },
        score: { type: 'number' },
        model: { type: 'string' },
        version: { type: 'integer' },
      },
    },
    '4xx': errorSchema,
  },
};

interface ResolveQuery {
  lfn: string;
  time?: number;
  naccess?: number;
  size?: number;
  user?: string;
  dataset?: string;
  model?: string;
}

/** A request time later than this after now is refused: it would make every real request of its file "earlier". */
const FUTURE_SLACK_S = DAY;

/** Timestamps past year 5138 in seconds are taken as milliseconds; a time before 1970 or a day ahead is refused. */
function seconds(time: number | undefined): number {
  const now = Date.now() / 1000;
  if (time === undefined) return now;
  const s = time > 1e11 ? time / 1000 : time;
  if (s > now + FUTURE_SLACK_S)
    throw new HttpError(
      400,
      `time: ${time} is more than a day ahead of the service's clock (${Math.floor(now)})`,
    );
  return s;
}

export const resolveRoutes: FastifyPluginAsync<RoutesOptions> = async (app, { ctx }) => {
  const { registry, stats, metrics } = ctx;
  app.addHook('onRequest', predictGuard(ctx.settings));

  app.get('/resolve', { schema: resolveSchema }, async (request) => {
    const q = request.query as ResolveQuery;
    const entry = registry.resolve(q.model);
    const { params } = entry.model;
    let prepared: ReturnType<typeof stats.prepare>;
    try {
      prepared = stats.prepare(entry.name, params.features, params.normalization.mean, {
        lfn: q.lfn,
        time: seconds(q.time),
        size: q.size,
        user: q.user,
        dataset: q.dataset,
        naccess: q.naccess,
      });
    } catch (err) {
      if (err instanceof UncomputableFeaturesError) throw new HttpError(422, err.message);
      if (err instanceof FeatureTimeError) throw new HttpError(400, `time: ${err.message}`);
      throw err;
    }
    const { scores, decisions } = decideRows(entry.model, predictFinite(entry.model, prepared.row, 1), 1);
    prepared.record();
    metrics.scored(entry.name, entry.version, 1);
    // an eviction model's positive decision means "let it go"
    const store = params.kind === 'learned-evict' ? decisions[0] === 0 : decisions[0] === 1;
    return { store, filename: q.lfn, score: scores[0], model: entry.name, version: entry.version };
  });
};
