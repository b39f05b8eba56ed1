import { definePolicy, traceOf } from '../../sim/policy.js';
import { AGENT_PARAMS, agentParams } from '../rl/agent-params.js';
import { CacheAgent } from '../rl/cache-agent.js';
import { RequestStats } from '../rl/request-stats.js';
import { rlModels } from '../rl/rl-models.js';

/**
 * The SCDL2 agents with deep Q-networks in place of the tables (docs/rl.md). Parameters as
 * `scdl2`; `bundle=DIR` is a tfjs-layers rl bundle.
 */
export const rl = definePolicy({
  name: 'rl',
  learned: true,
  description: 'deep Q-network version of the scdl2 addition + eviction agents',
  params: AGENT_PARAMS,
  create(ctx, params) {
    const p = agentParams(params);
    const trace = traceOf(ctx, 'rl');
    const stats = new RequestStats(trace.objectCount);
    const models = rlModels(trace, ctx.seed, p.learn, p.bundle);
    return new CacheAgent(ctx, { ...p, ...models, stats, encoder: models.encoder(trace, stats) });
  },
});
