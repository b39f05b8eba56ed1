/**
 * The data-lake description (lake.yaml) shared by the redirector and the data-lake simulation:
 * sites, their cache nodes, distances between sites, the client-address map, hot-file
 * replicas, and (for the simulation) a schedule of nodes and sites leaving and joining.
 */

import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { Ajv, type ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { ConfigFieldError } from '../common/config-error.js';
import { parseBytes, parseDuration } from '../common/units.js';
import type { ClusterLayout } from './placement.js';

export interface LakeNode {
  id: string;
  site: string;
  /** bytes */
  capacity: number;
  weight: number;
  /** policy with parameters, as on the command line: `lru`, `s3fifo(fifo-size-ratio=0.2)` */
  policy: string;
  /** base URL of a live node, when the file describes a running cluster */
  url?: string;
}

export interface LakeSite {
  name: string;
  /** share of requests when the trace has no site field */
  share?: number;
  nodes: LakeNode[];
}

export type ChurnAction = 'join' | 'leave';

export interface ChurnEvent {
  /** seconds from the trace's first request */
  at: number;
  action: ChurnAction;
  /** the node ids concerned (a whole site's nodes for a site event) */
  nodes: string[];
  /** what the schedule line said, for reports: `leave pisa-1`, `leave-site T2_IT_Bari` */
  label: string;
}

export interface ClientRule {
  cidr: string;
  site: string;
}

export interface LakeConfig extends ClusterLayout {
  sites: LakeSite[];
  origin?: string;
  clients: ClientRule[];
  heartbeatTimeout: number;
  /** request rate (per second) above which a file gets `replicas` copies per site */
  hotThreshold?: number;
  /** half-life of the hot-file rate, seconds */
  hotHalfLife: number;
  schedule: ChurnEvent[];
}

/** The policies of every node, as written (`lru`, `s3fifo(fifo-size-ratio=0.2)`). */
export function lakePolicies(lake: LakeConfig): string[] {
  return lake.sites.flatMap((site) => site.nodes.map((node) => node.policy));
}

/** A bad field of a lake description. */
export class LakeConfigError extends ConfigFieldError {}

const SIZE = { type: ['string', 'number'] } as const;
const DURATION = { type: ['string', 'number'] } as const;

const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['sites'],
  properties: {
    origin: { type: 'string' },
    heartbeatTimeout: DURATION,
    replicas: {
      type: 'object',
      additionalProperties: false,
      required: ['k', 'threshold'],
      properties: {
        k: { type: 'integer', minimum: 1, maximum: 64 },
        threshold: { type: 'number', exclusiveMinimum: 0 },
        halfLife: DURATION,
      },
    },
    clients: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['cidr', 'site'],
        properties: { cidr: { type: 'string' }, site: { type: 'string', minLength: 1 } },
      },
    },
    distances: {
      type: 'object',
      additionalProperties: { type: 'object', additionalProperties: { type: 'number', minimum: 0 } },
    },
    sites: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: {
          name: { type: 'string', minLength: 1 },
          share: { type: 'number', minimum: 0 },
          nodes: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['capacity'],
              properties: {
                id: { type: 'string', minLength: 1 },
                capacity: SIZE,
                weight: { type: 'number', exclusiveMinimum: 0 },
                policy: { type: 'string', minLength: 1 },
                url: { type: 'string' },
              },
            },
          },
        },
      },
    },
    schedule: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['at'],
        minProperties: 2,
        maxProperties: 2,
        properties: {
          at: DURATION,
          join: { type: 'string' },
          leave: { type: 'string' },
          'join-site': { type: 'string' },
          'leave-site': { type: 'string' },
        },
      },
    },
  },
} as const;

const validate = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true }).compile(SCHEMA);

function schemaError(file: string, error: ErrorObject): LakeConfigError {
  const path = error.instancePath.replace(/^\//, '').replaceAll('/', '.');
  const extra =
    error.keyword === 'additionalProperties'
      ? `unknown field "${(error.params as { additionalProperty: string }).additionalProperty}"`
      : (error.message ?? 'invalid');
  return new LakeConfigError(file, path, extra);
}

interface RawNode {
  id?: string;
  capacity: string | number;
  weight?: number;
  policy?: string;
  url?: string;
}
interface RawLake {
  origin?: string;
  heartbeatTimeout?: string | number;
  replicas?: { k: number; threshold: number; halfLife?: string | number };
  clients?: ClientRule[];
  distances?: Record<string, Record<string, number>>;
  sites: { name: string; share?: number; nodes?: RawNode[] }[];
  schedule?: Record<string, string | number>[];
}

function unit(file: string, field: string, value: string | number, parse: (text: string) => number): number {
  try {
    return parse(String(value));
  } catch (err) {
    throw new LakeConfigError(file, field, (err as Error).message);
  }
}

/** Checks and normalises a parsed lake description; `file` names it in errors. */
export function lakeConfig(raw: unknown, file: string): LakeConfig {
  if (!validate(raw)) throw schemaError(file, (validate.errors ?? [])[0]);
  const lake = raw as RawLake;
  const ids = new Set<string>();
  const siteNames = new Set<string>();
  const sites: LakeSite[] = lake.sites.map((site, s) => {
    if (siteNames.has(site.name))
      throw new LakeConfigError(file, `sites.${s}.name`, `site ${site.name} appears twice`);
    siteNames.add(site.name);
    const nodes = (site.nodes ?? []).map((node, n): LakeNode => {
      const field = `sites.${s}.nodes.${n}`;
      const id = node.id ?? `${site.name}-${n + 1}`;
      if (ids.has(id)) throw new LakeConfigError(file, `${field}.id`, `node id ${id} appears twice`);
      ids.add(id);
      const capacity = unit(file, `${field}.capacity`, node.capacity, parseBytes);
      if (!(capacity > 0)) throw new LakeConfigError(file, `${field}.capacity`, 'must be more than 0 bytes');
      return {
        id,
        site: site.name,
        capacity,
        weight: node.weight ?? 1,
        policy: node.policy ?? 'lru',
        url: node.url,
      };
    });
    return { name: site.name, share: site.share, nodes };
  });
  for (const [i, rule] of (lake.clients ?? []).entries()) checkCidr(file, `clients.${i}.cidr`, rule.cidr);
  for (const [from, row] of Object.entries(lake.distances ?? {})) {
    for (const to of [from, ...Object.keys(row)]) {
      if (!siteNames.has(to)) throw new LakeConfigError(file, `distances.${from}`, `unknown site ${to}`);
    }
  }
  const schedule = (lake.schedule ?? []).map((entry, i) => churnEvent(file, `schedule.${i}`, entry, sites));
  schedule.sort((a, b) => a.at - b.at);
  return {
    sites,
    origin: lake.origin,
    clients: lake.clients ?? [],
    distances: lake.distances,
    replicas: lake.replicas?.k ?? 1,
    hotThreshold: lake.replicas?.threshold,
    hotHalfLife:
      lake.replicas?.halfLife === undefined
        ? 60
        : unit(file, 'replicas.halfLife', lake.replicas.halfLife, parseDuration),
    heartbeatTimeout:
      lake.heartbeatTimeout === undefined
        ? 3
        : unit(file, 'heartbeatTimeout', lake.heartbeatTimeout, parseDuration),
    schedule,
  };
}

function checkCidr(file: string, field: string, cidr: string): void {
  const [address, bits] = cidr.split('/');
  const family = isIP(address);
  const max = family === 6 ? 128 : 32;
  if (family === 0 || bits === undefined || !/^\d+$/.test(bits) || Number(bits) > max) {
    throw new LakeConfigError(file, field, `"${cidr}" is not an address block such as 10.1.0.0/16`);
  }
}

function churnEvent(
  file: string,
  field: string,
  entry: Record<string, string | number>,
  sites: LakeSite[],
): ChurnEvent {
  const at = unit(file, `${field}.at`, entry.at, parseDuration);
  const [key, target] = Object.entries(entry).find(([k]) => k !== 'at') as [string, string];
  const action: ChurnAction = key.startsWith('join') ? 'join' : 'leave';
  let nodes: string[];
  if (key.endsWith('-site')) {
    const site = sites.find((s) => s.name === target);
    if (!site) throw new LakeConfigError(file, `${field}.${key}`, `unknown site ${target}`);
    nodes = site.nodes.map((n) => n.id);
  } else {
    if (!sites.some((s) => s.nodes.some((n) => n.id === target))) {
      throw new LakeConfigError(file, `${field}.${key}`, `unknown node ${target}`);
    }
    nodes = [target];
  }
  return { at, action, nodes, label: `${key} ${target}` };
}

/** Reads and checks a lake.yaml file. */
export async function readLakeConfig(file: string): Promise<LakeConfig> {
  const text = await readFile(file, 'utf8');
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new LakeConfigError(file, '', `not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  return lakeConfig(raw, file);
}
