/**
 * The policy registry: the classic policies, one line each, and an extension point through
 * which later layers add theirs (src/learn/policies registers the learned ones). A classic
 * simulation therefore loads no learning code; worker threads import the same registering
 * modules before they replay (policyPlugins).
 */
import type { PolicySpec } from '../policy.js';
import { arc } from './arc.js';
import { belady } from './belady.js';
import { clock } from './clock.js';
import { fifo } from './fifo.js';
import { gdsf } from './gdsf.js';
import { infinite } from './infinite.js';
import { lfu } from './lfu.js';
import { lfuda } from './lfuda.js';
import { lhd } from './lhd.js';
import { lirs } from './lirs.js';
import { lru } from './lru.js';
import { nocache } from './nocache.js';
import { random } from './random.js';
import { s3fifo } from './s3fifo.js';
import { sieve } from './sieve.js';
import { sizebig } from './sizebig.js';
import { sizesmall } from './sizesmall.js';
import { twoq } from './twoq.js';
import { wlruAdditive } from './wlru-additive.js';
import { wlruAdditiveExp } from './wlru-additive-exp.js';
import { wlruMultiplicative } from './wlru-multiplicative.js';
import { wtinylfu } from './wtinylfu.js';

const CLASSIC: readonly PolicySpec[] = [
  lru,
  fifo,
  clock,
  lfu,
  lfuda,
  gdsf,
  arc,
  twoq,
  s3fifo,
  sieve,
  wtinylfu,
  lirs,
  lhd,
  random,
  belady,
  nocache,
  infinite,
  sizebig,
  sizesmall,
  wlruAdditive,
  wlruAdditiveExp,
  wlruMultiplicative,
];

const registry = new Map<string, PolicySpec>(CLASSIC.map((spec) => [spec.name, spec]));
const plugins = new Set<string>();

/**
 * Adds policies from a later layer. `moduleUrl` is the registering module's own
 * `import.meta.url`: worker threads import it so that they know the same policies.
 */
export function registerPolicies(moduleUrl: string, specs: readonly PolicySpec[]): void {
  for (const spec of specs) {
    const known = registry.get(spec.name);
    if (known && known !== spec) throw new Error(`policy "${spec.name}" is registered twice`);
    registry.set(spec.name, spec);
  }
  plugins.add(moduleUrl);
}

/** Modules that registered policies, for worker threads to import before they replay. */
export function policyPlugins(): string[] {
  return [...plugins];
}

/** Every registered policy, classic ones first. */
export function policies(): PolicySpec[] {
  return [...registry.values()];
}

/** Every policy that runs without a model: what `--policies all` means. */
export function classicPolicyNames(): string[] {
  return policies()
    .filter((p) => !p.learned)
    .map((p) => p.name);
}

export class UnknownPolicyError extends Error {
  constructor(readonly policy: string) {
    super(`unknown policy "${policy}"; known: ${[...registry.keys()].join(', ')}`);
    this.name = 'UnknownPolicyError';
  }
}

export function isPolicy(name: string): boolean {
  return registry.has(name);
}

export function policySpec(name: string): PolicySpec {
  const spec = registry.get(name);
  if (!spec) throw new UnknownPolicyError(name);
  return spec;
}
