import type { PolicySpec } from '../policy.js';
import { WeightedLru } from './weighted-lru.js';

/** Weight a*nReq + b*size + c*meanTicks (smart-cache FuncAdditive); see weighted-lru.ts. */
export const wlruAdditive: PolicySpec = {
  name: 'wlru-additive',
  description:
    'LRU admitting files whose a*nReq + b*size + c*meanTicks is at most the mean (CMS smart-cache)',
  create: (ctx) =>
    new WeightedLru(ctx, (nReq, size, meanTicks, a, b, c) => a * nReq + b * size + c * meanTicks),
};
