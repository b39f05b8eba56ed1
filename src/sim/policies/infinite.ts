import { definePolicy, type Policy, PolicyStateError } from '../policy.js';

/** The infinite-cache baseline: every object stays forever; only first requests miss. */
class Infinite implements Policy {
  hit(): void {}

  insert(): void {}

  evict(): number {
    throw new PolicyStateError('infinite', 'evict called although the capacity is unbounded');
  }

  remove(): void {}
}

export const infinite = definePolicy({
  name: 'infinite',
  params: {},
  description: 'unbounded cache that never evicts (compulsory misses only)',
  unbounded: true,
  create: () => new Infinite(),
});
