/** The two DQNs of the `rl` agents and their encoder, fresh or from a bundle. */

import { Random } from '../../common/random.js';
import { FEATURE_NAMES } from '../../prep/schema.js';
import { BundleError, type BundleHead, readBundleSync } from '../bundle.js';
import { ADDITION_ACTIONS, EVICTION_ACTIONS } from './actions.js';
import { Dqn } from './dqn.js';
import { DqnEncoder } from './dqn-encoder.js';
import { featureSource } from './feature-source.js';
import { ADDITION_MODEL, EVICTION_MODEL, loadWeights } from './network-file.js';
import { RL_CACHE_INPUTS, RL_EVICTION_INPUTS, squashedName } from './state-inputs.js';
import type { AgentModels } from './train-scdl2.js';

export interface RlModels extends AgentModels {
  addition: Dqn;
  eviction: Dqn;
  /** the heads of the bundle these networks make */
  heads: BundleHead[];
}

/** The addition head reads the request's features squashed, then occupancy and hit rate. */
function rlHeads(features: readonly string[]): BundleHead[] {
  return [
    {
      name: 'addition',
      model: ADDITION_MODEL,
      inputs: [...features.map(squashedName), ...RL_CACHE_INPUTS],
      outputs: [...ADDITION_ACTIONS],
    },
    {
      name: 'eviction',
      model: EVICTION_MODEL,
      inputs: [...RL_EVICTION_INPUTS],
      outputs: [...EVICTION_ACTIONS],
    },
  ];
}

export function rlModels(seed: number, learn: boolean, bundle?: string): RlModels {
  const rng = new Random(seed ^ 0xd9a);
  const heads = rlHeads(FEATURE_NAMES);
  const addition = new Dqn(heads[0].inputs.length, ADDITION_ACTIONS.length, rng, learn);
  const eviction = new Dqn(heads[1].inputs.length, EVICTION_ACTIONS.length, rng, learn);
  if (bundle) {
    const { dir, params } = readBundleSync(bundle, { kind: 'rl', format: 'tfjs-layers' });
    if (JSON.stringify(params.heads) !== JSON.stringify(heads))
      throw new BundleError(
        dir,
        'heads',
        `must be the rl agents' addition and eviction heads: ${JSON.stringify(heads)}`,
      );
    loadWeights(bundle, ADDITION_MODEL, addition.model);
    loadWeights(bundle, EVICTION_MODEL, eviction.model);
  }
  return {
    addition,
    eviction,
    heads,
    encoder: (ctx) => new DqnEncoder(featureSource(ctx), addition, eviction),
  };
}
