import { parsePolicies } from '../../sim/plan.js';
import { definePolicy } from '../../sim/policy.js';
import { bundleThreshold, LearnedAdmit, LearnedPolicyError, scoreSource, scoreSourceParams } from './mlp.js';

/**
 * Learned admission (mlp.ts): a trained classifier gates admission over a classic policy.
 * `under` is a policy with its own parameters: `under=s3fifo(fifo-size-ratio=0.2)`.
 */
export const learnedAdmit = definePolicy({
  name: 'learned-admit',
  learned: true,
  description: 'learned admission: a trained classifier admits misses into a classic policy underneath',
  params: {
    ...scoreSourceParams('learned-admit'),
    under: {
      type: 'string',
      placeholder: 'POLICY',
      doc: "eviction underneath, with its parameters (default: the bundle's tuned one, else lru)",
    },
    threshold: {
      type: 'number',
      min: 0,
      max: 1,
      doc: "admit when the score is at least this (default: the bundle's, tuned per size)",
    },
  },
  create(ctx, params) {
    const source = scoreSource(ctx, 'learned-admit', params);
    const tuned = source.bundle
      ? bundleThreshold(source.bundle.params, ctx.capacity)
      : { threshold: source.threshold ?? 0 };
    const [under] = parsePolicies(params.under ?? tuned.under ?? 'lru');
    if (under.spec.learned)
      throw new LearnedPolicyError('learned-admit', `under=${under.label} is not a classic policy`);
    const policy = under.spec.create({ ...ctx, params: under.params });
    return new LearnedAdmit(policy, source.scores, params.threshold ?? tuned.threshold);
  },
});
