import { nextAccessIndex } from '../../trace/model.js';
import { definePolicy, type PolicyContext, traceOf } from '../policy.js';
import { RankedPolicy } from './ranked.js';

/**
 * Belady's offline optimum (libCacheSim Belady.c): evict the resident object whose next
 * request is farthest in the future; objects never requested again go first.
 *
 * libCacheSim drops an object the moment it is inserted or hit with no next request;
 * here such an object ranks first and is the next victim instead, which leaves the
 * set of objects that can still hit, and so every hit, the same.
 */
class Belady extends RankedPolicy {
  private readonly nextAccess: Float64Array;

  constructor(ctx: PolicyContext) {
    super(ctx);
    this.nextAccess = nextAccessIndex(traceOf(ctx, 'belady'));
  }

  protected rankOnInsert(_obj: number, _size: number, req: number): number {
    return -this.nextAccess[req];
  }

  protected rankOnHit(_obj: number, req: number): number {
    return -this.nextAccess[req];
  }
}

export const belady = definePolicy({
  name: 'belady',
  params: {},
  description: 'offline optimum: evict the object requested farthest in the future',
  offline: true,
  create: (ctx) => new Belady(ctx),
});
