/** The policy registry: one line per policy. */
import type { PolicySpec } from '../policy.js';
import { arc } from './arc.js';
import { belady } from './belady.js';
import { clock } from './clock.js';
import { fifo } from './fifo.js';
import { gdsf } from './gdsf.js';
import { infinite } from './infinite.js';
import { learnedAdmit } from './learned-admit.js';
import { learnedEvict } from './learned-evict.js';
import { lfu } from './lfu.js';
import { lfuda } from './lfuda.js';
import { lru } from './lru.js';
import { nocache } from './nocache.js';
import { random } from './random.js';
import { rl } from './rl.js';
import { s3fifo } from './s3fifo.js';
import { scdl2 } from './scdl2.js';
import { sieve } from './sieve.js';
import { sizebig } from './sizebig.js';
import { sizesmall } from './sizesmall.js';
import { twoq } from './twoq.js';
import { wlruAdditive } from './wlru-additive.js';
import { wlruAdditiveExp } from './wlru-additive-exp.js';
import { wlruMultiplicative } from './wlru-multiplicative.js';

export const POLICIES: readonly PolicySpec[] = [
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
  random,
  belady,
  nocache,
  infinite,
  sizebig,
  sizesmall,
  wlruAdditive,
  wlruAdditiveExp,
  wlruMultiplicative,
  learnedAdmit,
  learnedEvict,
  scdl2,
  rl,
];

/** Learned policies (they need a bundle or train while replaying): left out of `--policies all`. */
export const LEARNED_POLICIES: readonly string[] = ['learned-admit', 'learned-evict', 'scdl2', 'rl'];

/** Every policy that runs without a model: what `--policies all` means. */
export function classicPolicyNames(): string[] {
  return POLICIES.map((p) => p.name).filter((name) => !LEARNED_POLICIES.includes(name));
}

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
