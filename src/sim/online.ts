/**
 * A registry policy deciding online, as a cache node needs it: requests arrive one at a
 * time by key, with no trace behind them. Residency and byte accounting are the
 * simulator's (Residency), so a node replaying the same requests makes the simulator's
 * decisions.
 *
 * Keys are interned to the dense ids policies index by. The id space is bounded
 * (`maxObjects`): it holds the resident objects and, in the rest, the most recently
 * requested non-resident ones, whose history (ghost entries, counters) policies keep.
 * When a new key needs an id and none is free, the least recently requested
 * non-resident object is forgotten (`Policy.forget`) and its id reused; when every id is
 * resident, the policy evicts one first (so `maxObjects` also caps the resident files).
 * Decisions equal the simulator's as long as the distinct keys fit in `maxObjects`.
 */
import { type CurrentRequest, type Policy, type PolicySpec, PolicyStateError } from './policy.js';
import { Residency, type Watermarks } from './residency.js';
import { ListPool, ObjList } from './structs/dlist.js';

export interface OnlineCacheOptions {
  /** bytes */
  capacity: number;
  /** ids for resident plus remembered objects; also the most files resident at once */
  maxObjects: number;
  watermarks?: Watermarks;
  seed?: number;
  /** the policy's parameters (`name(key=value,...)` on the command line) */
  params?: Readonly<Record<string, string>>;
}

/** hit: served from the cache; admit: fetched and stored; bypass: fetched, not stored */
export type Outcome = 'hit' | 'admit' | 'bypass';

export interface Decision {
  readonly outcome: Outcome;
  /** keys the policy evicted to make room, or to bring occupancy to the low watermark */
  readonly evicted: readonly string[];
}

const NONE_EVICTED: string[] = [];

export class OnlineCacheError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OnlineCacheError';
  }
}

export class OnlineCache {
  private readonly policy: Policy;
  private readonly cache: Residency;
  private readonly ids = new Map<string, number>();
  private readonly keys: (string | undefined)[];
  /** non-resident objects that still hold an id, most recently requested at the head */
  private readonly history: ObjList;
  private readonly free: number[] = [];
  private readonly current: CurrentRequest = { time: 0, size: 0 };
  private evicted: string[] = [];
  private requests = 0;

  constructor(
    readonly spec: PolicySpec,
    options: OnlineCacheOptions,
  ) {
    checkOptions(spec, options);
    const n = options.maxObjects;
    this.keys = new Array(n).fill(undefined);
    for (let id = n - 1; id >= 0; id--) this.free.push(id);
    this.history = new ObjList(new ListPool(n));
    const capacity = options.capacity;
    this.cache = new Residency(n, capacity, spec.name, options.watermarks, (victim) =>
      this.evictedId(victim),
    );
    this.policy = spec.create({
      capacity,
      objectCount: n,
      request: this.current,
      seed: options.seed ?? 1,
      params: options.params ?? {},
      cache: { occupied: () => this.cache.occupied, evict: (victim) => this.cache.forget(victim) },
    });
  }

  /** bytes the policy counts as cached */
  get occupied(): number {
    return this.cache.occupied;
  }

  /** files the policy counts as cached */
  get residents(): number {
    return this.cache.residents;
  }

  /** A whole-file request for `key` of `size` bytes at `time` (seconds). */
  request(key: string, size: number, time: number): Decision {
    checkRequest(key, size, time);
    const req = this.begin(time, size);
    const obj = this.idOf(key, req);
    const cache = this.cache;
    let outcome: Outcome;
    if (cache.resident[obj] === 1) {
      this.policy.hit(obj, req);
      outcome = 'hit';
    } else {
      this.history.moveToHead(obj);
      this.policy.miss?.(obj, size, req);
      if (size <= cache.capacity && (this.policy.admit?.(obj, size, req) ?? true)) {
        this.history.unlink(obj);
        cache.fill(this.policy, obj, size, req);
        outcome = 'admit';
      } else {
        outcome = 'bypass';
      }
    }
    this.policy.housekeeping?.(req);
    return this.end(outcome);
  }

  /** The node dropped `key` for its own reason (changed at the origin, corrupt, evicted by an operator). */
  remove(key: string): void {
    const obj = this.ids.get(key);
    if (obj === undefined || this.cache.resident[obj] !== 1) return;
    this.cache.drop(this.policy, obj);
    this.history.pushHead(obj);
  }

  /**
   * A file found on disk at start-up re-enters as resident, without counting a request;
   * restore them oldest first, then call `trim` once. Returns the keys evicted to make
   * an id free (more files than `maxObjects`).
   */
  restore(key: string, size: number, time: number): readonly string[] {
    checkRequest(key, size, time);
    if (this.ids.has(key)) throw new OnlineCacheError(`restore: ${key} is already known`);
    const req = this.begin(time, size);
    const obj = this.idOf(key, req);
    this.history.unlink(obj);
    this.cache.restore(this.policy, obj, size, req);
    return this.end('hit').evicted;
  }

  /** Evicts until the restored files fit the capacity and the file limit; returns the victims. */
  trim(): string[] {
    const req = this.begin(this.current.time, 0);
    while (this.cache.occupied > this.cache.capacity) this.cache.forget(this.policy.evict(req));
    return [...this.end('hit').evicted];
  }

  isResident(key: string): boolean {
    const obj = this.ids.get(key);
    return obj !== undefined && this.cache.resident[obj] === 1;
  }

  private begin(time: number, size: number): number {
    this.current.time = time;
    this.current.size = size;
    this.evicted = NONE_EVICTED;
    return this.requests++;
  }

  private end(outcome: Outcome): Decision {
    return { outcome, evicted: this.evicted };
  }

  private idOf(key: string, req: number): number {
    const known = this.ids.get(key);
    if (known !== undefined) return known;
    const obj = this.free.pop() ?? this.recycle(req);
    this.ids.set(key, obj);
    this.keys[obj] = key;
    this.history.pushHead(obj);
    return obj;
  }

  /** Frees the id of the least recently requested non-resident object, evicting one if all are resident. */
  private recycle(req: number): number {
    if (this.history.length === 0) this.cache.forget(this.policy.evict(req));
    const obj = this.history.tail;
    this.history.unlink(obj);
    this.policy.forget?.(obj);
    this.ids.delete(this.keys[obj] as string);
    this.keys[obj] = undefined;
    return obj;
  }

  private evictedId(victim: number): void {
    const key = this.keys[victim];
    if (key === undefined)
      throw new PolicyStateError(this.spec.name, `evicted id ${victim}, which names no key`);
    if (this.evicted === NONE_EVICTED) this.evicted = [];
    this.evicted.push(key);
    this.history.pushHead(victim);
  }
}

function checkOptions(spec: PolicySpec, o: OnlineCacheOptions): void {
  if (spec.offline)
    throw new OnlineCacheError(`policy ${spec.name} reads the future; it runs only in the simulator`);
  if (spec.unbounded)
    throw new OnlineCacheError(`policy ${spec.name} never evicts; a cache node needs one that does`);
  if (!(o.capacity >= 0)) throw new OnlineCacheError(`capacity must be >= 0 bytes, got ${o.capacity}`);
  if (!Number.isSafeInteger(o.maxObjects) || o.maxObjects < 1)
    throw new OnlineCacheError(`maxObjects must be a whole number >= 1, got ${o.maxObjects}`);
  const w = o.watermarks;
  if (w && !(w.low >= 0 && w.low < w.high && w.high <= 1))
    throw new OnlineCacheError(`watermarks need 0 <= low < high <= 1, got low=${w.low} high=${w.high}`);
}

function checkRequest(key: string, size: number, time: number): void {
  if (key.length === 0) throw new OnlineCacheError('a request needs a non-empty key');
  if (!(Number.isSafeInteger(size) && size >= 0))
    throw new OnlineCacheError(`size of ${key} must be a whole number of bytes >= 0, got ${size}`);
  if (!Number.isFinite(time)) throw new OnlineCacheError(`time of ${key} must be finite, got ${time}`);
}
