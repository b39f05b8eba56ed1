/**
 * POST /v1/decide: per-row scores and decisions for a batch, as JSON rows or as a binary
 * little-endian Float32 matrix (rows x features) whose feature names come in the
 * X-Features header. The binary body is read in place when its columns are the model's order.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { errorSchema, predictGuard, type RouteSchema, type RoutesOptions } from '../context.js';
import { HttpError } from '../errors.js';
import { decideRows, decisionName, decisionThreshold } from '../models/model.js';
import type { ModelEntry } from '../registry.js';
import { columnsFor, isIdentity, predictFinite, refuseNonFinite, reorder } from '../rows.js';

export const FEATURES_HEADER = 'x-features';

const decideSchema: RouteSchema = {
  summary: 'score a batch: JSON rows, or a binary Float32 matrix with X-Features naming its columns',
  consumes: ['application/json', 'application/octet-stream'],
  querystring: {
    type: 'object',
    properties: { model: { type: 'string', description: 'name or name@version; default model when absent' } },
  },
  body: {
    content: {
      'application/json': {
        schema: {
          type: 'object',
          required: ['features', 'rows'],
          properties: {
            model: { type: 'string' },
            features: { type: 'array', items: { type: 'string' }, minItems: 1 },
            rows: { type: 'array', items: { type: 'array', items: { type: 'number' } } },
          },
        },
      },
      'application/octet-stream': { schema: {} },
    },
  },
  response: {
    200: {
      type: 'object',
      properties: {
        model: { type: 'string' },
        version: { type: 'integer' },
        decision: { type: 'string', enum: ['admit', 'evict'] },
        threshold: { type: 'number' },
        scores: { type: 'array', items: { type: 'number' } },
        decisions: { type: 'array', items: { type: 'boolean' } },
      },
    },
    '4xx': errorSchema,
  },
};

interface JsonBatch {
  model?: string;
  features: string[];
  rows: number[][];
}

/** The matrix of a binary body as a Float32Array, a view when the bytes are aligned. */
function matrixOf(body: Buffer, width: number): { values: Float32Array; rows: number } {
  const rowBytes = width * 4;
  if (body.byteLength % rowBytes !== 0) {
    throw new HttpError(400, `body of ${body.byteLength} bytes is not whole rows of ${width} float32 values`);
  }
  const rows = body.byteLength / rowBytes;
  if (body.byteOffset % 4 === 0)
    return { values: new Float32Array(body.buffer, body.byteOffset, rows * width), rows };
  return { values: new Float32Array(new Uint8Array(body).buffer), rows };
}

export const decideRoutes: FastifyPluginAsync<RoutesOptions> = async (app, { ctx }) => {
  const { registry, metrics } = ctx;
  app.addHook('onRequest', predictGuard(ctx.settings));

  const score = (entry: ModelEntry, values: Float32Array, rows: number, width: number, names: string[]) => {
    const columns = columnsFor(entry.model, names);
    const input = isIdentity(columns, width) ? values : reorder(values, rows, width, columns);
    const result = decideRows(entry.model, predictFinite(entry.model, input, rows), rows);
    metrics.batchRows.observe(rows);
    metrics.scored(entry.name, entry.version, rows);
    return result;
  };

  const binary = (request: FastifyRequest, reply: FastifyReply, body: Buffer) => {
    const header = request.headers[FEATURES_HEADER];
    if (typeof header !== 'string' || header === '') {
      throw new HttpError(
        400,
        'a binary batch needs an X-Features header naming its columns, comma-separated',
      );
    }
    const names = header.split(',').map((n) => n.trim());
    const entry = registry.resolve((request.query as { model?: string }).model);
    const { values, rows } = matrixOf(body, names.length);
    refuseNonFinite(values, rows, names, true);
    const { scores, decisions } = score(entry, values, rows, names.length, names);
    const out = Buffer.allocUnsafe(rows * 5);
    Buffer.from(scores.buffer, scores.byteOffset, rows * 4).copy(out, 0);
    Buffer.from(decisions.buffer, decisions.byteOffset, rows).copy(out, rows * 4);
    reply
      .type('application/octet-stream')
      .header('x-model', entry.name)
      .header('x-model-version', String(entry.version))
      .header('x-decision', decisionName(entry.model.params.kind))
      .header('x-rows', String(rows));
    return out;
  };

  app.post('/v1/decide', { schema: decideSchema }, async (request, reply) => {
    if (Buffer.isBuffer(request.body)) return binary(request, reply, request.body);
    const batch = request.body as JsonBatch;
    const entry = registry.resolve(batch.model ?? (request.query as { model?: string }).model);
    const width = batch.features.length;
    batch.rows.forEach((row, r) => {
      if (row.length !== width)
        throw new HttpError(400, `row ${r} has ${row.length} values for ${width} features`);
    });
    const flat = batch.rows.flat();
    refuseNonFinite(flat, batch.rows.length, batch.features);
    const values = Float32Array.from(flat);
    const { scores, decisions } = score(entry, values, batch.rows.length, width, batch.features);
    return {
      model: entry.name,
      version: entry.version,
      decision: decisionName(entry.model.params.kind),
      threshold: decisionThreshold(entry.model.params),
      scores: Array.from(scores),
      decisions: Array.from(decisions, (d) => d === 1),
    };
  });
};
