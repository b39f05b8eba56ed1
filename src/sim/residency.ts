/**
 * What is cached and how many bytes it takes: the hit/miss bookkeeping that the simulator
 * engine and a cache node's OnlineCache share, written once. Semantics follow libCacheSim's
 * cache_get_base: an object larger than the cache is not admitted; otherwise the policy
 * evicts until the object fits, then the object is inserted.
 */
import { type Policy, PolicyStateError } from './policy.js';

export interface Watermarks {
  /** occupancy fraction that starts an eviction round */
  high: number;
  /** occupancy fraction an eviction round stops at */
  low: number;
}

export class Residency {
  /** 1 for every cached object; a byte per object answers "resident?" mostly from cache */
  readonly resident: Uint8Array;
  /** the size each cached object was inserted with */
  readonly cachedSize: Float64Array;
  occupied = 0;
  residents = 0;
  bytesWritten = 0;
  bytesEvicted = 0;
  evictions = 0;
  private readonly highMark: number;
  private readonly lowMark: number;

  /** `onEvict` hears every victim after it was booked (a cache node deletes its data). */
  constructor(
    objectCount: number,
    readonly capacity: number,
    private readonly policyName: string,
    watermarks?: Watermarks,
    private readonly onEvict?: (victim: number) => void,
  ) {
    this.resident = new Uint8Array(objectCount);
    this.cachedSize = new Float64Array(objectCount);
    this.highMark = watermarks ? watermarks.high * capacity : Number.POSITIVE_INFINITY;
    this.lowMark = watermarks ? watermarks.low * capacity : 0;
  }

  /** Books the eviction of `victim`, whoever chose it. */
  forget(victim: number): void {
    if (this.resident[victim] !== 1) {
      throw new PolicyStateError(this.policyName, `evicted object ${victim}, which is not cached`);
    }
    const size = this.cachedSize[victim];
    this.resident[victim] = 0;
    this.occupied -= size;
    this.residents--;
    this.bytesEvicted += size;
    this.evictions++;
    this.onEvict?.(victim);
  }

  /** Has the policy evict until `size` more bytes fit, inserts `obj`, then applies the watermarks. */
  fill(policy: Policy, obj: number, size: number, req: number): void {
    while (this.occupied + size > this.capacity) this.forget(policy.evict(req));
    policy.insert(obj, size, req);
    this.resident[obj] = 1;
    this.cachedSize[obj] = size;
    this.occupied += size;
    this.residents++;
    this.bytesWritten += size;
    if (this.occupied > this.highMark) while (this.occupied > this.lowMark) this.forget(policy.evict(req));
  }

  /** Takes back a resident object the host dropped for its own reason (not an eviction). */
  drop(policy: Policy, obj: number): void {
    if (this.resident[obj] !== 1) return;
    policy.remove(obj);
    this.resident[obj] = 0;
    this.occupied -= this.cachedSize[obj];
    this.residents--;
  }

  /** Makes `obj` resident again without counting a write (a cache node restarting on its data). */
  restore(policy: Policy, obj: number, size: number, req: number): void {
    policy.insert(obj, size, req);
    this.resident[obj] = 1;
    this.cachedSize[obj] = size;
    this.occupied += size;
    this.residents++;
  }
}
