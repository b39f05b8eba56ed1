/**
 * The engines' input, built from a smartcache Trace in TypeScript.
 *
 * Two tables, whatever the engine:
 *
 *   requests(seq BIGINT, request_time DOUBLE, obj INTEGER, size DOUBLE,
 *            site, user_name, dataset STRING nullable, opt_hit_next BOOLEAN nullable)
 *   objects(obj INTEGER, object_id STRING)
 *
 * `obj` is the trace's dense object index, so windows partition on a 4-byte integer and
 * each object key is staged once rather than once per request. `opt_hit_next` carries the
 * Belady label: for request i whose object is next requested at j, whether Belady's
 * optimum hits at j (NULL when there is no j).
 */
import { simulate } from '../sim/engine.js';
import { policySpec } from '../sim/policies/index.js';
import { nextRequestIndex, type Trace } from '../trace/model.js';
import type { OptionalInput } from './schema.js';

export const REQUESTS_TABLE = 'requests';
export const OBJECTS_TABLE = 'objects';

/** `optHitNext` values: 0 the next request misses, 1 it hits, NO_NEXT there is none. */
export const NO_NEXT = 2;

export interface StagedInput {
  /** sorted by time (seq order is time order) */
  readonly trace: Trace;
  /** per request: 0, 1 or NO_NEXT */
  readonly optHitNext: Uint8Array;
  /** optional fields the trace has */
  readonly inputs: readonly OptionalInput[];
}

export function optionalInputs(trace: Trace): OptionalInput[] {
  const present: OptionalInput[] = [];
  if (trace.site) present.push('site');
  if (trace.user) present.push('user');
  if (trace.dataset) present.push('dataset');
  return present;
}

/**
 * Runs Belady's optimum at `capacity` bytes with a hit log and moves each hit back to the
 * previous request of the same object: the label of request i is whether its object stays
 * cached until its next request.
 */
export function beladyNextHits(
  trace: Trace,
  capacity: number,
  onProgress?: (done: number) => void,
): Uint8Array {
  const hits = new Uint8Array(trace.length);
  simulate(trace, policySpec('belady'), { capacity, hitLog: hits, onProgress });
  // the next requests Belady ranked by: computed once per trace, read here again
  const next = nextRequestIndex(trace);
  const labels = new Uint8Array(trace.length);
  for (let i = 0; i < trace.length; i++) {
    const j = next[i];
    labels[i] = j < 0 ? NO_NEXT : hits[j];
  }
  return labels;
}
