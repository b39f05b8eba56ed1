import { definePolicy } from '../policy.js';
import { WEIGHT_PARAMS, WeightedLru } from './weighted-lru.js';

/** Weight nReq^a * size^b * meanTicks^c (smart-cache FuncMultiplicative); see weighted-lru.ts. */
export const wlruMultiplicative = definePolicy({
  name: 'wlru-multiplicative',
  description:
    'LRU admitting files whose nReq^a * size^b * meanTicks^c is at most the mean (CMS smart-cache)',
  params: WEIGHT_PARAMS,
  create: (ctx, params) =>
    new WeightedLru(ctx, params, (nReq, size, meanTicks, a, b, c) => nReq ** a * size ** b * meanTicks ** c),
});
