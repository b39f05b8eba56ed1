/** An OpenAPI 3 document built from the JSON schemas of the registered routes. */

import type { RouteOptions } from 'fastify';
import { VERSION } from '../common/version.js';
import type { RouteSchema } from './context.js';

interface Operation {
  summary: string;
  parameters?: unknown[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
}

function parameters(schema: RouteSchema): unknown[] {
  const out: unknown[] = [];
  for (const [where, key] of [
    ['path', 'params'],
    ['query', 'querystring'],
  ] as const) {
    const s = schema[key] as { properties?: Record<string, unknown>; required?: string[] } | undefined;
    for (const [name, property] of Object.entries(s?.properties ?? {})) {
      out.push({
        name,
        in: where,
        required: where === 'path' || !!s?.required?.includes(name),
        schema: property,
      });
    }
  }
  return out;
}

function requestBody(schema: RouteSchema): unknown {
  const body = schema.body as { content?: Record<string, { schema: unknown }> } | undefined;
  if (body?.content) return { content: body.content };
  if (body) return { content: { 'application/json': { schema: body } } };
  if (schema.consumes) return { content: Object.fromEntries(schema.consumes.map((c) => [c, {}])) };
  return undefined;
}

function responses(schema: RouteSchema): Record<string, unknown> {
  const declared = (schema.response ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [code, s] of Object.entries(declared)) {
    out[code.toUpperCase()] = { description: code, content: { 'application/json': { schema: s } } };
  }
  if (!out['200']) {
    const types = schema.produces ?? ['application/octet-stream'];
    out['200'] = { description: 'OK', content: Object.fromEntries(types.map((t) => [t, {}])) };
  }
  return out;
}

export class OpenApiCollector {
  private readonly paths: Record<string, Record<string, Operation>> = {};

  /** An onRoute hook: records each route with its schema. */
  readonly onRoute = (route: RouteOptions): void => {
    const schema = route.schema as RouteSchema | undefined;
    if (!schema || route.url.endsWith('*')) return;
    const url = route.url.replace(/:([A-Za-z_]+)/g, '{$1}');
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods.filter((m) => m !== 'HEAD')) {
      const operation: Operation = { summary: schema.summary, responses: responses(schema) };
      const params = parameters(schema);
      if (params.length > 0) operation.parameters = params;
      const body = requestBody(schema);
      if (body && method !== 'GET') operation.requestBody = body;
      this.paths[url] ??= {};
      this.paths[url][method.toLowerCase()] = operation;
    }
  };

  document(): Record<string, unknown> {
    return {
      openapi: '3.0.3',
      info: { title: 'smartcache model service', version: VERSION },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      },
      paths: this.paths,
    };
  }
}
