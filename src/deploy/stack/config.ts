/**
 * The local stack's description (stack.yaml): an origin (an existing one's URL, or a generated
 * workload served by an origin process), cache nodes over named sites, the redirector, the
 * model service, an optional synthetic client load, the optional closed learning loop and the
 * optional dashboard.
 * Every error names the file, the field path (`sites[1].nodes[0].capacity`) and the reason.
 */

import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { ConfigFieldError } from '../../common/config-error.js';
import { parseBytes, parseDuration } from '../../common/units.js';

export interface StackNode {
  /** `SITE-N`, N counting from 1 within the site */
  id: string;
  site: string;
  /** bytes the node's policy fills */
  capacity: number;
  /** eviction policy, as on the command line: `lru`, `s3fifo(fifo-size-ratio=0.1)` */
  policy: string;
  weight: number;
  /** 0: any free port */
  port: number;
}

export interface StackSite {
  name: string;
  nodes: StackNode[];
}

export interface GeneratedOrigin {
  kind: 'generated';
  /** requests of the generated data-lake workload (its files are the origin's files) */
  requests: number;
  seed: number;
  /** the generated files' sizes are scaled so that their median is this many bytes */
  medianFileSize: number;
  port: number;
}

export type StackOrigin = { kind: 'url'; url: string } | GeneratedOrigin;

export interface StackLoad {
  /** requests sent in all, in the generated workload's order */
  requests: number;
  /** requests started per second */
  rate: number;
  /** requests in flight at most */
  concurrency: number;
}

export interface StackLoop {
  /** seconds between the starts of two rounds */
  interval: number;
  /** seconds: the newest window of the access logs is held out for evaluation, earlier ones train */
  window: number;
  /** cache sizes of tuning and evaluation: fractions of the unique bytes or sizes, comma-separated */
  sizes: string;
  epochs: number;
  /** eviction policy under the learned admission, in training and evaluation */
  under: string;
  /** the model's name on the model service */
  model: string;
}

export interface StackDashboard {
  /** the address `smartcache dashboard` listens on; port 0 picks a free one */
  host: string;
  port: number;
  /** seconds between two polls of the redirector, the nodes, the model service and the loop history */
  interval: number;
  /** points kept per node for the plots */
  points: number;
}

export interface StackConfig {
  /** the stack file, resolved */
  file: string;
  /** its directory: the stack's state lives in DIR/.smartcache */
  dir: string;
  origin: StackOrigin;
  sites: StackSite[];
  redirector: { port: number; heartbeatTimeout: number };
  model: { port: number };
  load?: StackLoad;
  loop?: StackLoop;
  dashboard?: StackDashboard;
  /** seconds a component has to exit after SIGTERM before it is killed */
  stopTimeout: number;
}

/** A bad field of a stack description. */
export class StackConfigError extends ConfigFieldError {}

const SIZE = { type: ['string', 'number'] } as const;
const DURATION = { type: ['string', 'number'] } as const;
const PORT = { type: 'integer', minimum: 0, maximum: 65_535 } as const;

const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['origin', 'sites'],
  properties: {
    origin: {
      type: 'object',
      additionalProperties: false,
      properties: {
        url: { type: 'string', pattern: '^https?://[^/]+' },
        generated: {
          type: 'object',
          additionalProperties: false,
          properties: {
            requests: { type: 'integer', minimum: 1, maximum: 10_000_000 },
            seed: { type: 'integer', minimum: 0 },
            medianFileSize: SIZE,
            port: PORT,
          },
        },
      },
    },
    sites: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'nodes'],
        properties: {
          name: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$' },
          nodes: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['capacity'],
              properties: {
                capacity: SIZE,
                policy: { type: 'string', minLength: 1 },
                weight: { type: 'number', exclusiveMinimum: 0 },
                port: PORT,
              },
            },
          },
        },
      },
    },
    redirector: {
      type: 'object',
      additionalProperties: false,
      properties: { port: PORT, heartbeatTimeout: DURATION },
    },
    model: { type: 'object', additionalProperties: false, properties: { port: PORT } },
    load: {
      type: 'object',
      additionalProperties: false,
      required: ['requests'],
      properties: {
        requests: { type: 'integer', minimum: 1 },
        rate: { type: 'number', exclusiveMinimum: 0 },
        concurrency: { type: 'integer', minimum: 1, maximum: 256 },
      },
    },
    loop: {
      type: 'object',
      additionalProperties: false,
      properties: {
        interval: DURATION,
        window: DURATION,
        sizes: { type: ['string', 'number'] },
        epochs: { type: 'integer', minimum: 1, maximum: 1000 },
        under: { type: 'string', minLength: 1 },
        model: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$' },
      },
    },
    dashboard: {
      type: 'object',
      additionalProperties: false,
      properties: {
        listen: { type: ['string', 'integer'] },
        interval: DURATION,
        points: { type: 'integer', minimum: 2, maximum: 100_000 },
      },
    },
    stopTimeout: DURATION,
  },
} as const;

const validate = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true }).compile(SCHEMA);

/** `/sites/1/nodes/0/capacity` as `sites[1].nodes[0].capacity`. */
export function fieldPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}

function join(path: string, field: string): string {
  return path ? `${path}.${field}` : field;
}

function schemaError(file: string, error: ErrorObject): StackConfigError {
  const path = fieldPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return new StackConfigError(file, join(path, String(params.additionalProperty)), 'unknown field');
    case 'required':
      return new StackConfigError(file, join(path, String(params.missingProperty)), 'is required');
    case 'pattern':
      return new StackConfigError(
        file,
        path,
        path.endsWith('url') ? 'must be an http:// or https:// URL' : 'must be letters, digits, _ . or -',
      );
    default:
      return new StackConfigError(file, path, error.message ?? 'is invalid');
  }
}

interface RawStack {
  origin: {
    url?: string;
    generated?: { requests?: number; seed?: number; medianFileSize?: string | number; port?: number };
  };
  sites: {
    name: string;
    nodes: { capacity: string | number; policy?: string; weight?: number; port?: number }[];
  }[];
  redirector?: { port?: number; heartbeatTimeout?: string | number };
  model?: { port?: number };
  load?: { requests: number; rate?: number; concurrency?: number };
  loop?: {
    interval?: string | number;
    window?: string | number;
    sizes?: string | number;
    epochs?: number;
    under?: string;
    model?: string;
  };
  dashboard?: { listen?: string | number; interval?: string | number; points?: number };
  stopTimeout?: string | number;
}

function size(file: string, field: string, value: string | number): number {
  let bytes: number;
  try {
    bytes = parseBytes(String(value));
  } catch {
    throw new StackConfigError(file, field, 'must be a size like 10GB');
  }
  if (!(bytes > 0)) throw new StackConfigError(file, field, 'must be a size above 0, like 10GB');
  return bytes;
}

function duration(file: string, field: string, value: string | number): number {
  let seconds: number;
  try {
    seconds = parseDuration(String(value));
  } catch {
    throw new StackConfigError(file, field, 'must be a duration like 30s');
  }
  if (!(seconds > 0)) throw new StackConfigError(file, field, 'must be a duration above 0, like 30s');
  return seconds;
}

/** `host:port`, `:port` or `port` (host 127.0.0.1), as the CLI's --listen takes it. */
function listenAddress(file: string, field: string, value: string | number): { host: string; port: number } {
  const match = /^(?:([^\s:]*):)?(\d+)$/.exec(String(value));
  const port = Number(match?.[2]);
  if (!match || port > 65_535)
    throw new StackConfigError(file, field, 'must be host:port, like 127.0.0.1:8095');
  return { host: match[1] || '127.0.0.1', port };
}

function sizeList(file: string, field: string, value: string | number): string {
  const text = String(value);
  for (const item of text.split(',')) {
    const trimmed = item.trim();
    const fraction = Number(trimmed);
    if (trimmed !== '' && Number.isFinite(fraction)) {
      if (fraction > 0 && fraction <= 1) continue;
      throw new StackConfigError(file, field, `${trimmed}: a fraction of the unique bytes must be in (0, 1]`);
    }
    size(file, field, trimmed);
  }
  return text;
}

/** Checks and normalises a parsed stack description; `file` names it in errors, `dir` is its folder. */
export function stackConfig(raw: unknown, file: string, dir: string): StackConfig {
  if (!validate(raw)) throw schemaError(file, (validate.errors ?? [])[0]);
  const stack = raw as RawStack;
  const origin = stackOrigin(file, stack.origin);
  const names = new Set<string>();
  const sites = stack.sites.map((site, s): StackSite => {
    if (names.has(site.name)) {
      throw new StackConfigError(file, `sites[${s}].name`, `site ${site.name} appears twice`);
    }
    names.add(site.name);
    return {
      name: site.name,
      nodes: site.nodes.map((node, n) => ({
        id: `${site.name}-${n + 1}`,
        site: site.name,
        capacity: size(file, `sites[${s}].nodes[${n}].capacity`, node.capacity),
        policy: node.policy ?? 'lru',
        weight: node.weight ?? 1,
        port: node.port ?? 0,
      })),
    };
  });
  if (stack.load && origin.kind !== 'generated') {
    throw new StackConfigError(
      file,
      'load',
      "needs origin.generated: the load requests the generated workload's files",
    );
  }
  return {
    file,
    dir,
    origin,
    sites,
    redirector: {
      port: stack.redirector?.port ?? 0,
      heartbeatTimeout: duration(
        file,
        'redirector.heartbeatTimeout',
        stack.redirector?.heartbeatTimeout ?? 3,
      ),
    },
    model: { port: stack.model?.port ?? 0 },
    load: stack.load && {
      requests: stack.load.requests,
      rate: stack.load.rate ?? 20,
      concurrency: stack.load.concurrency ?? 4,
    },
    loop: stack.loop && {
      interval: duration(file, 'loop.interval', stack.loop.interval ?? '10m'),
      window: duration(file, 'loop.window', stack.loop.window ?? '1h'),
      sizes: sizeList(file, 'loop.sizes', stack.loop.sizes ?? '0.1'),
      epochs: stack.loop.epochs ?? 3,
      under: stack.loop.under ?? 'lru',
      model: stack.loop.model ?? 'admit',
    },
    dashboard: stack.dashboard && {
      ...listenAddress(file, 'dashboard.listen', stack.dashboard.listen ?? '127.0.0.1:0'),
      interval: duration(file, 'dashboard.interval', stack.dashboard.interval ?? '2s'),
      points: stack.dashboard.points ?? 300,
    },
    stopTimeout: duration(file, 'stopTimeout', stack.stopTimeout ?? '10s'),
  };
}

function stackOrigin(file: string, origin: RawStack['origin']): StackOrigin {
  if ((origin.url === undefined) === (origin.generated === undefined)) {
    throw new StackConfigError(file, 'origin', 'give exactly one of url and generated');
  }
  if (origin.url !== undefined) return { kind: 'url', url: origin.url.replace(/\/+$/, '') };
  const generated = origin.generated ?? {};
  return {
    kind: 'generated',
    requests: generated.requests ?? 5000,
    seed: generated.seed ?? 1,
    medianFileSize: size(file, 'origin.generated.medianFileSize', generated.medianFileSize ?? '256KB'),
    port: generated.port ?? 0,
  };
}

/**
 * Reads and checks a stack.yaml file; errors name the file as given. The stack's state goes
 * under `dir` (default: the file's folder).
 */
export async function readStackConfig(file: string, dir = dirname(resolve(file))): Promise<StackConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new StackConfigError(file, '', `cannot read: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new StackConfigError(file, '', `not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  return { ...stackConfig(raw, file, resolve(dir)), file: resolve(file) };
}
