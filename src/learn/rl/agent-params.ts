/** Command-line parameters shared by the `scdl2` and `rl` policies. */
import { numberParam, type PolicyContext } from '../../sim/policy.js';
import type { EvictionSchedule } from './cache-agent.js';

export const DEFAULT_K = 32;
/** per table update; epsilon falls to about 0.43 after 100 000 updates */
export const DEFAULT_EPSILON_DECAY = 1e-5;
export const DEFAULT_WINDOW = 8;

export class AgentParamError extends RangeError {
  constructor(param: string, value: string, expected: string) {
    super(`policy parameter ${param}=${value}: expected ${expected}`);
    this.name = 'AgentParamError';
  }
}

export interface AgentParams {
  bundle?: string;
  learn: boolean;
  k: number;
  schedule: EvictionSchedule;
  epsilonDecay: number;
  window: number;
}

export function agentParams(ctx: PolicyContext): AgentParams {
  const bundle = ctx.params.bundle;
  const learnRaw = ctx.params.learn ?? (bundle ? 'false' : 'true');
  if (learnRaw !== 'true' && learnRaw !== 'false')
    throw new AgentParamError('learn', learnRaw, 'true or false');
  const schedule = ctx.params.schedule ?? 'k';
  if (schedule !== 'k' && schedule !== 'day') throw new AgentParamError('schedule', schedule, 'k or day');
  const k = numberParam(ctx, 'k', DEFAULT_K);
  if (!(Number.isInteger(k) && k >= 0)) throw new AgentParamError('k', String(k), 'an integer >= 0');
  const window = numberParam(ctx, 'window', DEFAULT_WINDOW);
  if (!(Number.isInteger(window) && window >= 2 && window <= 255)) {
    throw new AgentParamError('window', String(window), 'an integer in 2..255');
  }
  return {
    bundle,
    learn: learnRaw === 'true',
    k,
    schedule,
    epsilonDecay: numberParam(ctx, 'epsilon-decay', DEFAULT_EPSILON_DECAY),
    window,
  };
}
