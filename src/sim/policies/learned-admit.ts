import { createLearnedAdmit } from '../../learn/policies.js';
import type { PolicySpec } from '../policy.js';
import { policySpec } from './index.js';

/** Learned admission (src/learn/policies.ts): a trained classifier gates admission over a classic policy. */
export const learnedAdmit: PolicySpec = {
  name: 'learned-admit',
  description: 'learned admission: bundle=DIR, under=lru (eviction underneath), threshold=bundle',
  create: (ctx) => createLearnedAdmit(ctx, policySpec),
};
