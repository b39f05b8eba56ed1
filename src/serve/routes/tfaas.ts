/** The TFaaS prediction and listing routes: /json, /proto, /models, /params/{model} and the index page. */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import type { FastifyPluginAsync } from 'fastify';
import { errorSchema, predictGuard, type RouteSchema, type RoutesOptions } from '../context.js';
import { HttpError } from '../errors.js';
import type { Model } from '../models/model.js';
import { ClassSchema, PredictionsSchema, RowSchema } from '../proto/gen/tfaas_pb.js';
import type { ModelEntry } from '../registry.js';
import { predictFinite, rowFromKeys } from '../rows.js';

const indexSchema: RouteSchema = { summary: 'a page listing the loaded models', produces: ['text/html'] };
const paramsSchema = { type: 'object', additionalProperties: true } as const;

/** Pairs outputs with labels; a single probability with two labels becomes both classes' probabilities. */
function labelled(model: Model, out: Float32Array): { label: string; probability: number }[] {
  if (out.length === 1 && model.labels.length === 2) {
    return [
      { label: model.labels[0], probability: 1 - out[0] },
      { label: model.labels[1], probability: out[0] },
    ];
  }
  return Array.from(out, (probability, i) => ({ label: model.labels[i] ?? `output${i}`, probability }));
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export const tfaasRoutes: FastifyPluginAsync<RoutesOptions> = async (app, { ctx }) => {
  const { registry, metrics } = ctx;
  app.addHook('onRequest', predictGuard(ctx.settings));

  const predictRow = (entry: ModelEntry, keys: string[], values: number[]): Float32Array => {
    const out = predictFinite(entry.model, rowFromKeys(entry.model, keys, values), 1);
    metrics.scored(entry.name, entry.version, 1);
    return out;
  };

  const jsonRoute = {
    schema: {
      summary: 'TFaaS: score one row given as feature names and values',
      consumes: ['application/json'],
      body: {
        type: 'object',
        required: ['keys', 'values'],
        properties: {
          keys: { type: 'array', items: { type: 'string' } },
          values: { type: 'array', items: { type: 'number' } },
          model: { type: 'string', description: 'name or name@version; the default model when absent' },
        },
      },
      response: { 200: { type: 'array', items: { type: 'number' } }, '4xx': errorSchema },
    },
  };
  type JsonBody = { keys: string[]; values: number[]; model?: string };
  const json = async (request: { body: unknown }) => {
    const body = request.body as JsonBody;
    return Array.from(predictRow(registry.resolve(body.model), body.keys, body.values));
  };
  app.post('/json', jsonRoute, json);
  app.post('/predict/json', jsonRoute, json);

  const protoRoute = {
    schema: {
      summary: 'TFaaS: score one protobuf Row, answer protobuf Predictions (src/serve/proto/tfaas.proto)',
      consumes: ['application/octet-stream', 'application/protobuf', 'application/x-protobuf'],
      response: { '4xx': errorSchema },
    },
  };
  const proto = async (request: { body: unknown }, reply: import('fastify').FastifyReply) => {
    if (!Buffer.isBuffer(request.body)) {
      throw new HttpError(415, 'send the protobuf Row as Content-Type application/octet-stream');
    }
    let row: ReturnType<typeof fromBinary<typeof RowSchema>>;
    try {
      row = fromBinary(RowSchema, request.body);
    } catch (err) {
      throw new HttpError(400, `not a protobuf Row: ${(err as Error).message}`);
    }
    const entry = registry.resolve(row.model || undefined);
    const out = predictRow(entry, row.key, row.value);
    const prediction = labelled(entry.model, out).map((c) => create(ClassSchema, c));
    reply.type('application/octet-stream');
    return Buffer.from(toBinary(PredictionsSchema, create(PredictionsSchema, { prediction })));
  };
  app.post('/proto', protoRoute, proto);
  app.post('/predict/proto', protoRoute, proto);

  app.get(
    '/models',
    {
      schema: {
        summary: 'TFaaS: params of every loaded model version',
        response: { 200: { type: 'array', items: paramsSchema } },
      },
    },
    async () => registry.list(),
  );

  app.get(
    '/params/:model',
    {
      schema: {
        summary: "TFaaS: a model's params (name or name@version)",
        params: { type: 'object', required: ['model'], properties: { model: { type: 'string' } } },
        response: { 200: paramsSchema, '4xx': errorSchema },
      },
    },
    async (request) => {
      const entry = registry.resolve((request.params as { model: string }).model);
      return { ...entry.model.params, version: entry.version };
    },
  );

  app.get('/', { schema: indexSchema }, async (_request, reply) => {
    const defaultName = registry.defaultModelName();
    const rows = registry
      .list()
      .map((p) => {
        const isDefault = p.name === defaultName && p.version === registry.defaultVersion(p.name);
        const cells = [
          p.name,
          String(p.version),
          p.kind,
          p.format,
          p.features.join(', '),
          isDefault ? 'default' : '',
        ];
        return `<tr>${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`;
      })
      .join('\n');
    reply.type('text/html; charset=utf-8');
    return `<!doctype html><html><head><meta charset="utf-8"><title>smartcache model service</title></head><body>
<h1>smartcache model service</h1>
<table border="1" cellpadding="4"><tr><th>model</th><th>version</th><th>kind</th><th>format</th><th>features</th><th></th></tr>
${rows}
</table>
<p><a href="openapi.json">OpenAPI</a> · <a href="metrics">metrics</a> · <a href="status">status</a></p>
</body></html>\n`;
  });
};
