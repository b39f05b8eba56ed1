/** JSON schemas of the dashboard's API (fastify serialises /api/state by them). */
import { loopSteps } from '../loop-history.js';

const str = { type: 'string' } as const;
const num = { type: 'number' } as const;
const ratio = { type: ['number', 'null'] } as const;

const totals = {
  opens: num,
  hits: num,
  bytesHit: num,
  bytesOrigin: num,
} as const;

const shownSchema = {
  type: 'object',
  properties: {
    requests: str,
    hits: str,
    hitRatio: str,
    byteHitRatio: str,
    wanSaved: str,
    fromOrigin: str,
  },
} as const;

export const pointSchema = {
  type: 'object',
  properties: { ...totals, time: num, hitRatio: ratio, byteHitRatio: ratio },
} as const;

const nodeSchema = {
  type: 'object',
  properties: {
    id: str,
    url: str,
    site: str,
    state: str,
    error: str,
    totals: { type: 'object', properties: totals },
    shown: shownSchema,
  },
} as const;

const scoreSchema = {
  type: 'object',
  properties: { model: str, version: num, byteHitRatio: num, hitRatio: num },
} as const;

const loopEventSchema = {
  type: 'object',
  properties: {
    time: str,
    round: { type: 'integer' },
    step: { type: 'string', enum: [...loopSteps] },
    ok: { type: 'boolean' },
    seconds: num,
    detail: str,
    candidate: scoreSchema,
    serving: scoreSchema,
  },
} as const;

const modelVersionSchema = {
  type: 'object',
  properties: {
    name: str,
    version: num,
    kind: str,
    format: str,
    createdAt: str,
    serving: { type: 'boolean' },
    metrics: { type: 'object', additionalProperties: num },
    evaluation: { type: 'object', properties: { round: num, hitRatio: num, byteHitRatio: num } },
  },
} as const;

export const stateSchema = {
  type: 'object',
  properties: {
    updatedAt: num,
    intervalMs: num,
    pointsKept: num,
    redirector: { type: 'object', properties: { url: str, error: str } },
    sites: {
      type: 'array',
      items: { type: 'object', properties: { name: str, nodes: { type: 'array', items: nodeSchema } } },
    },
    total: shownSchema,
    series: { type: 'object', additionalProperties: { type: 'array', items: pointSchema } },
    models: {
      type: 'object',
      properties: { url: str, error: str, versions: { type: 'array', items: modelVersionSchema } },
    },
    loop: {
      type: 'object',
      properties: {
        file: str,
        error: str,
        events: { type: 'array', items: loopEventSchema },
        skippedLines: { type: 'array', items: { type: 'integer' } },
      },
    },
  },
} as const;
