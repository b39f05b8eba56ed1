import { definePolicy } from '../policy.js';
import { WEIGHT_PARAMS, WeightedLru } from './weighted-lru.js';

/** Weight a*nReq + b*size + c*meanTicks (smart-cache FuncAdditive); see weighted-lru.ts. */
export const wlruAdditive = definePolicy({
  name: 'wlru-additive',
  description:
    'LRU admitting files whose a*nReq + b*size + c*meanTicks is at most the mean (CMS smart-cache)',
  params: WEIGHT_PARAMS,
  create: (ctx, params) =>
    new WeightedLru(ctx, params, (nReq, size, meanTicks, a, b, c) => a * nReq + b * size + c * meanTicks),
});
