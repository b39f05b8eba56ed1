import { Random } from '../../common/random.js';
import { definePolicy, traceOf } from '../../sim/policy.js';
import { readBundleSync } from '../bundle.js';
import { ADDITION_ACTIONS, EVICTION_ACTIONS } from '../rl/actions.js';
import { AGENT_PARAMS, agentParams } from '../rl/agent-params.js';
import { CacheAgent } from '../rl/cache-agent.js';
import { QTable } from '../rl/q-table.js';
import { RequestStats } from '../rl/request-stats.js';
import { ADDITION_SPACE, EVICTION_SPACE, TableEncoder } from '../rl/table-encoder.js';
import { readScdl2Tables } from '../rl/table-file.js';

/**
 * SCDL2, the original CMS smart-cache tabular Q-learning agents (docs/rl.md). Parameters:
 * `bundle=DIR` (a q-table bundle; greedy and not learning unless `learn=true`), `k` (32),
 * `schedule=k|day`, `learn`, `epsilon-decay`, `window` (remembered choices per file, 8).
 */
export const scdl2 = definePolicy({
  name: 'scdl2',
  learned: true,
  description: 'tabular Q-learning addition + eviction agents of the CMS smart-cache studies',
  params: AGENT_PARAMS,
  create(ctx, params) {
    const p = agentParams(params);
    const rng = new Random(ctx.seed ^ 0x5cd12);
    let tables = {
      addition: new QTable(ADDITION_SPACE.size, ADDITION_ACTIONS.length, rng),
      eviction: new QTable(EVICTION_SPACE.size, EVICTION_ACTIONS.length, rng),
    };
    if (p.bundle) {
      readBundleSync(p.bundle, { kind: 'scdl2', format: 'q-table' });
      tables = readScdl2Tables(p.bundle, rng);
    }
    const trace = traceOf(ctx, 'scdl2');
    const stats = new RequestStats(trace.objectCount);
    return new CacheAgent(ctx, {
      ...p,
      ...tables,
      stats,
      encoder: new TableEncoder(trace, stats),
    });
  },
});
