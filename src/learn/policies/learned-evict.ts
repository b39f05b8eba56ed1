import type { PolicySpec } from '../../sim/policy.js';
import { createLearnedEvict } from './mlp.js';

/** Learned eviction (mlp.ts): evict the sampled object predicted to return last (LRB). */
export const learnedEvict: PolicySpec = {
  name: 'learned-evict',
  learned: true,
  description: 'learned eviction (LRB-like): bundle=DIR, candidates=64 sampled per eviction',
  create: (ctx) => createLearnedEvict(ctx),
};
