/**
 * The contract every cache policy implements.
 *
 * The engine (engine.ts) owns residency, byte accounting and metrics: it decides hit
 * or miss, makes room by calling `evict` until the object fits, then calls `insert`.
 * A policy only keeps its own ordering state, like libCacheSim's per-policy
 * find/insert/evict/remove with the shared hit/miss logic written once.
 *
 * Objects are dense indices below `PolicyContext.objectCount` (Trace.obj in the simulator,
 * ids from OnlineCache's interner in a cache node); `req` numbers the requests in order
 * (the request's position in the trace when replaying one).
 */
import type { Trace } from '../trace/model.js';
import { type ParamDecls, type ParamValues, readParams } from './params.js';

export interface Policy {
  /**
   * Optional: told of every request first, before the host looks it up. A policy that evicts
   * at the turn of a day does it here, so the day's first request sees the result.
   */
  arrive?(obj: number, req: number): void;
  /** The resident object `obj` was requested again. */
  hit(obj: number, req: number): void;
  /**
   * Optional: told of every miss first, before admission is decided or anything is evicted,
   * even for objects too large to cache (libCacheSim's lookup sees ghost entries here).
   */
  miss?(obj: number, size: number, req: number): void;
  /**
   * Optional admission filter, asked on a miss before any eviction. Returning false
   * serves the request from remote storage without caching it.
   */
  admit?(obj: number, size: number, req: number): boolean;
  /** `obj` enters the cache; the engine has already made room for `size` bytes. */
  insert(obj: number, size: number, req: number): void;
  /** Chooses a resident victim, forgets it, and returns it. Called only when non-empty. */
  evict(req: number): number;
  /** Forgets a resident object that left the cache for another reason. */
  remove(obj: number): void;
  /**
   * Optional: forget everything kept about the non-resident `obj` (ghost entries, counters,
   * request history), because its id is about to name another object. Only online hosts
   * (OnlineCache) reuse ids; a policy that keeps nothing about non-resident objects needs
   * no `forget`.
   */
  forget?(obj: number): void;
  /**
   * Optional: called after every request, once the engine has finished with it. A policy
   * that evicts on its own schedule (every k requests, at day end) does it here or in
   * `admit` through `PolicyContext.cache.evict`.
   */
  housekeeping?(req: number): void;
}

/**
 * The engine's cache, as seen by a policy that evicts on its own schedule. Byte accounting
 * stays in the engine: `evict` books the eviction exactly as an engine-driven one.
 */
export interface CacheControl {
  /** bytes currently cached */
  occupied(): number;
  /** Evicts the resident `obj` now; the policy has already forgotten it (as after `evict`). */
  evict(obj: number): void;
}

/** The request being served, updated by the host before it calls the policy. */
export interface CurrentRequest {
  /** seconds */
  time: number;
  /** bytes */
  size: number;
  /** dictionary code of the request's user; 0 when not given */
  user: number;
  /** dictionary code of the request's dataset; 0 when not given */
  dataset: number;
  /** a model's score of the request, when the host asked a model service for it (NaN otherwise) */
  score: number;
}

export interface RequestLabelling {
  readonly users: boolean;
  readonly datasets: boolean;
  /** the host scores every request itself (a model service), in `request.score` */
  readonly scores?: boolean;
}

export interface PolicyContext {
  /** cache capacity in bytes */
  readonly capacity: number;
  /** object ids are below this */
  readonly objectCount: number;
  readonly request: Readonly<CurrentRequest>;
  /** whether requests carry users and datasets (`request.user`, `request.dataset` are 0 otherwise) */
  readonly carries: RequestLabelling;
  /**
   * The whole trace, when a simulator replays one. Only offline and trace-scored policies
   * read it (through `traceOf`); a cache node has none.
   */
  readonly trace?: Trace;
  /** seed for policies that draw random numbers */
  readonly seed: number;
  /** policy-specific parameters from the command line (`name:key=value,...`) */
  readonly params: Readonly<Record<string, string>>;
  /** the engine's cache; given by `simulate`, absent where a policy runs without an engine */
  readonly cache?: CacheControl;
}

export interface PolicySpec {
  /** lowercase registry name used on the command line and in results */
  readonly name: string;
  readonly description: string;
  /** true for offline policies that read the future (Belady) */
  readonly offline?: boolean;
  /** true when the policy ignores the capacity (the infinite-cache baseline) */
  readonly unbounded?: boolean;
  /** true for learned policies (they need a bundle or learn while replaying): not in `--policies all` */
  readonly learned?: boolean;
  /** the parameters `create` reads from `ctx.params`; absent: none */
  readonly params?: ParamDecls;
  create(ctx: PolicyContext): Policy;
}

/** A registry policy: its spec fields, its declared parameters, and a factory given their values. */
export interface PolicyDefinition<D extends ParamDecls> extends Omit<PolicySpec, 'create' | 'params'> {
  readonly params: D;
  create(ctx: PolicyContext, params: ParamValues<D>): Policy;
}

/** Makes a spec whose `create` reads the context's parameters against the declaration first. */
export function definePolicy<const D extends ParamDecls>(definition: PolicyDefinition<D>): PolicySpec {
  const { create, ...spec } = definition;
  return { ...spec, create: (ctx) => create(ctx, readParams(spec.name, spec.params, ctx.params)) };
}

/** The trace of the replay, for a policy that cannot decide without it. */
export function traceOf(ctx: PolicyContext, policy: string): Trace {
  if (ctx.trace === undefined) throw new PolicyNeedsTraceError(policy);
  return ctx.trace;
}

/** A policy that reads the whole trace (the future, or scores computed over it) runs online. */
export class PolicyNeedsTraceError extends Error {
  constructor(readonly policy: string) {
    super(
      `policy ${policy} reads the whole trace (the future, or scores computed over it); it runs only in the simulator`,
    );
    this.name = 'PolicyNeedsTraceError';
  }
}

/** A policy that evicts inside its own calls (as libCacheSim does) needs the host's cache to book those evictions. */
export class PolicyNeedsCacheError extends Error {
  constructor(readonly policy: string) {
    super(
      `policy ${policy} evicts inside its own calls and needs the host's cache (PolicyContext.cache) to book them`,
    );
    this.name = 'PolicyNeedsCacheError';
  }
}

/** A policy was asked for something its state cannot give (e.g. a victim from an empty cache). */
export class PolicyStateError extends Error {
  constructor(
    readonly policy: string,
    reason: string,
  ) {
    super(`policy ${policy}: ${reason}`);
    this.name = 'PolicyStateError';
  }
}
