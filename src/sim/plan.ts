/**
 * What to simulate: policy choices (with parameters) and cache sizes, parsed from the
 * command line and checked against the registry before any work starts.
 */

import { DAY } from '../common/time.js';
import { parseBytes } from '../common/units.js';
import { type Trace, uniqueBytes } from '../trace/model.js';
import type { Watermarks } from './engine.js';
import type { SimJob } from './parallel.js';
import { readParams } from './params.js';
import { classicPolicyNames, policySpec } from './policies/index.js';
import type { PolicySpec } from './policy.js';

export interface PolicyChoice {
  spec: PolicySpec;
  params: Record<string, string>;
  /** name with parameters, e.g. `wlru-additive(a=2)`, to tell runs apart */
  label: string;
}

export class PlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanError';
  }
}

/** Splits on `separator`s (commas by default) that are not inside parentheses. */
export function splitTopLevel(text: string, separator = ','): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === separator && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  const items = parts.map((p) => p.trim());
  if (items.length > 1 && items.includes('')) throw new PlanError(`"${text}" has an empty item`);
  return items.filter((p) => p.length > 0);
}

/** Parses `lru,arc,wlru-additive(a=2,b=0.5)` into registry policies with parameters. */
export function parsePolicies(text: string): PolicyChoice[] {
  const choices = splitTopLevel(text).map(parsePolicy);
  if (choices.length === 0) throw new PlanError('no policy given');
  return choices;
}

/** The policy names a policy list asks for, read without the registry. */
export function policyNames(text: string): string[] {
  return splitTopLevel(text).map((item) => readPolicy(item).name);
}

function parsePolicy(item: string): PolicyChoice {
  const { name, params, label } = readPolicy(item);
  const spec = policySpec(name);
  readParams(spec.name, spec.params ?? {}, params);
  return { spec, params, label };
}

function readPolicy(item: string): { name: string; params: Record<string, string>; label: string } {
  const match = /^([a-z0-9-]+)(?:\((.*)\))?$/.exec(item);
  if (!match) throw new PlanError(`cannot read policy "${item}"; expected name or name(key=value,...)`);
  const [, name, paramText] = match;
  const params: Record<string, string> = {};
  for (const pair of paramText ? splitTopLevel(paramText) : []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new PlanError(`policy "${item}": parameter "${pair}" is not key=value`);
    params[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return { name, params, label: paramText ? `${name}(${paramText})` : name };
}

/**
 * Resolves cache sizes: a plain number up to 1 is a fraction of the trace's unique
 * bytes; a plain number above 1 is a whole number of bytes; anything else is a size with a
 * unit parsed by `parseBytes` (rounded to whole bytes).
 */
export function resolveSizes(text: string, uniqueBytes: number): number[] {
  const items = splitTopLevel(text);
  if (items.length === 0) throw new PlanError('no cache size given');
  return items.map((item) => {
    const plain = Number(item);
    if (Number.isFinite(plain) && plain > 0 && plain <= 1) return Math.floor(plain * uniqueBytes);
    if (Number.isFinite(plain) && plain > 1 && !Number.isInteger(plain)) {
      throw new PlanError(
        `cache size "${item}": a fraction of the unique bytes is at most 1, a byte count is whole (give a unit: 1.5GB)`,
      );
    }
    const bytes = parseBytes(item);
    if (!(bytes > 0)) throw new PlanError(`cache size "${item}" must be positive`);
    return bytes;
  });
}

/** Parses `high,low` occupancy fractions such as `0.95,0.85`. */
export function parseWatermarks(text: string): Watermarks {
  const parts = text.split(',').map((p) => Number(p.trim()));
  if (parts.length !== 2 || !parts.every(Number.isFinite)) {
    throw new PlanError(`watermarks "${text}" must be two fractions high,low such as 0.95,0.85`);
  }
  return { high: parts[0], low: parts[1] };
}

/** A simulation as the command line states it. */
export interface SimulationPlan {
  /** comma-separated policy choices, or `all` */
  policies: string;
  /** comma-separated sizes: fractions of the trace's unique bytes or byte sizes */
  sizes: string;
  /** time-series window, seconds */
  window: number;
  /** `high,low` occupancy fractions */
  watermarks?: string;
  /** WAN budget for cache fills, bytes per second */
  bandwidth?: number;
  seed: number;
}

/** `all` is every registered policy except the learned ones, which need a bundle. */
export function expandPolicies(list: string): string {
  return list === 'all' ? classicPolicyNames().join(',') : list;
}

/** Every (policy, size) run of a plan; the unbounded baseline runs once, whatever the sizes. */
export function simulationJobs(trace: Trace, plan: SimulationPlan): SimJob[] {
  const sizes = resolveSizes(plan.sizes, uniqueBytes(trace));
  const options = {
    window: plan.window,
    watermarks: plan.watermarks ? parseWatermarks(plan.watermarks) : undefined,
    dailyBudget: plan.bandwidth === undefined ? undefined : plan.bandwidth * DAY,
    seed: plan.seed,
  };
  return parsePolicies(expandPolicies(plan.policies)).flatMap((c) =>
    (c.spec.unbounded ? sizes.slice(0, 1) : sizes).map((capacity) => ({
      policy: c.spec.name,
      label: c.label,
      options: { ...options, capacity, params: c.params },
    })),
  );
}
