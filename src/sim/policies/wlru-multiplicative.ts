import type { PolicySpec } from '../policy.js';
import { WeightedLru } from './weighted-lru.js';

/** Weight nReq^a * size^b * meanTicks^c (smart-cache FuncMultiplicative); see weighted-lru.ts. */
export const wlruMultiplicative: PolicySpec = {
  name: 'wlru-multiplicative',
  description:
    'LRU admitting files whose nReq^a * size^b * meanTicks^c is at most the mean (CMS smart-cache)',
  create: (ctx) =>
    new WeightedLru(ctx, (nReq, size, meanTicks, a, b, c) => nReq ** a * size ** b * meanTicks ** c),
};
