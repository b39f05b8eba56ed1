import { createLearnedEvict } from '../../learn/policies.js';
import type { PolicySpec } from '../policy.js';

/** Learned eviction (src/learn/policies.ts): evict the sampled object predicted to return last (LRB). */
export const learnedEvict: PolicySpec = {
  name: 'learned-evict',
  description: 'learned eviction (LRB-like): bundle=DIR, candidates=64 sampled per eviction',
  create: (ctx) => createLearnedEvict(ctx),
};
