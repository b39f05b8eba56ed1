import { definePolicy } from '../../sim/policy.js';
import { LearnedEvict, scoreSource, scoreSourceParams } from './mlp.js';

/** Resident objects a sampling eviction draws: learned-evict's and lrb's parameter. */
export const SAMPLED_CANDIDATES = {
  type: 'integer',
  default: 64,
  min: 1,
  max: 4096,
  doc: 'resident objects sampled per eviction',
} as const;

/** Learned eviction (mlp.ts): evict the sampled object predicted to return last (LRB). */
export const learnedEvict = definePolicy({
  name: 'learned-evict',
  learned: true,
  description: 'learned eviction (LRB-like): evict the sampled object predicted to return last',
  params: {
    ...scoreSourceParams('learned-evict'),
    candidates: SAMPLED_CANDIDATES,
  },
  create(ctx, params) {
    const source = scoreSource(ctx, 'learned-evict', params);
    return new LearnedEvict(ctx, source.scores, params.candidates);
  },
});
