import { definePolicy, traceOf } from '../../sim/policy.js';
import { LearnedEvict, scoreSource, scoreSourceParams } from './mlp.js';

/** Learned eviction (mlp.ts): evict the sampled object predicted to return last (LRB). */
export const learnedEvict = definePolicy({
  name: 'learned-evict',
  learned: true,
  description: 'learned eviction (LRB-like): evict the sampled object predicted to return last',
  params: {
    ...scoreSourceParams('learned-evict'),
    candidates: {
      type: 'integer',
      default: 64,
      min: 1,
      max: 4096,
      doc: 'resident objects sampled per eviction',
    },
  },
  create(ctx, params) {
    const source = scoreSource(ctx, 'learned-evict', params);
    return new LearnedEvict(traceOf(ctx, 'learned-evict'), source.scores, params.candidates, ctx.seed);
  },
});
