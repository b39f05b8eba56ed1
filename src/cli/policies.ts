/**
 * The learned policies live in src/learn and register into the simulator's registry when
 * their module loads. Commands load them only when asked for one, so that a classic
 * simulation starts without the learning code.
 */
import { policyNames } from '../sim/plan.js';
import { isPolicy } from '../sim/policies/index.js';

export async function loadLearnedPolicies(): Promise<void> {
  await import('../learn/policies/index.js');
}

/** Loads the learned policies when a policy list (`lru,learned-admit(bundle=b)`) names one. */
export async function loadPoliciesFor(...lists: string[]): Promise<void> {
  const names = lists.flatMap(policyNames);
  if (names.some((name) => !isPolicy(name))) await loadLearnedPolicies();
}
