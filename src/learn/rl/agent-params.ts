/** Command-line parameters shared by the `scdl2` and `rl` policies. */
import type { ParamValues } from '../../sim/params.js';
import type { EvictionSchedule } from './cache-agent.js';

export const DEFAULT_K = 32;
/** per table update; epsilon falls to about 0.43 after 100 000 updates */
export const DEFAULT_EPSILON_DECAY = 1e-5;
export const DEFAULT_WINDOW = 8;

export const AGENT_PARAMS = {
  bundle: {
    type: 'string',
    placeholder: 'DIR',
    doc: 'trained agents; greedy and not learning unless learn=true',
  },
  learn: { type: 'boolean', doc: 'keep learning while replaying (default: true without a bundle)' },
  k: {
    type: 'integer',
    default: DEFAULT_K,
    min: 0,
    doc: 'the eviction agent runs every k + 1 requests (schedule=k)',
  },
  schedule: {
    type: 'choice',
    choices: ['k', 'day'],
    default: 'k',
    doc: 'eviction pass every k requests or at day end',
  },
  'epsilon-decay': {
    type: 'number',
    default: DEFAULT_EPSILON_DECAY,
    min: 0,
    max: 1,
    doc: 'exploration rate decay per table update',
  },
  window: { type: 'integer', default: DEFAULT_WINDOW, min: 2, max: 255, doc: 'remembered choices per file' },
} as const;

export interface AgentParams {
  bundle?: string;
  learn: boolean;
  k: number;
  schedule: EvictionSchedule;
  epsilonDecay: number;
  window: number;
}

export function agentParams(params: ParamValues<typeof AGENT_PARAMS>): AgentParams {
  return {
    bundle: params.bundle,
    learn: params.learn ?? params.bundle === undefined,
    k: params.k,
    schedule: params.schedule,
    epsilonDecay: params['epsilon-decay'],
    window: params.window,
  };
}
