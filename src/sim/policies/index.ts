/** The policy registry: one line per policy. */
import type { PolicySpec } from '../policy.js';
import { fifo } from './fifo.js';
import { lru } from './lru.js';

export const POLICIES: readonly PolicySpec[] = [lru, fifo];

export class UnknownPolicyError extends Error {
  constructor(readonly policy: string) {
    super(`unknown policy "${policy}"; known: ${POLICIES.map((p) => p.name).join(', ')}`);
    this.name = 'UnknownPolicyError';
  }
}

export function policySpec(name: string): PolicySpec {
  const spec = POLICIES.find((p) => p.name === name);
  if (!spec) throw new UnknownPolicyError(name);
  return spec;
}
