import { policySpec } from '../../sim/policies/index.js';
import type { PolicySpec } from '../../sim/policy.js';
import { createLearnedAdmit } from './mlp.js';

/** Learned admission (mlp.ts): a trained classifier gates admission over a classic policy. */
export const learnedAdmit: PolicySpec = {
  name: 'learned-admit',
  learned: true,
  description: 'learned admission: bundle=DIR, under=lru (eviction underneath), threshold=bundle',
  create: (ctx) => createLearnedAdmit(ctx, policySpec),
};
