import { definePolicy, type Policy, PolicyStateError } from '../policy.js';

/** The no-cache baseline: nothing is admitted, every request goes to remote storage. */
class NoCache implements Policy {
  admit(): boolean {
    return false;
  }

  hit(): void {}

  insert(): void {
    throw new PolicyStateError('nocache', 'insert called although nothing is admitted');
  }

  evict(): number {
    throw new PolicyStateError('nocache', 'evict called although the cache is always empty');
  }

  remove(): void {}
}

export const nocache = definePolicy({
  name: 'nocache',
  params: {},
  description: 'admits nothing (every request is a miss)',
  create: () => new NoCache(),
});
