/** The two DQNs of the `rl` agents and their encoder, fresh or from a bundle. */

import { Random } from '../../common/random.js';
import type { Trace } from '../../trace/model.js';
import { readBundleSync } from '../bundle.js';
import { ADDITION_ACTIONS, EVICTION_ACTIONS } from './actions.js';
import { Dqn } from './dqn.js';
import { DqnEncoder, EVICTION_INPUTS } from './dqn-encoder.js';
import { featureSource } from './feature-source.js';
import { ADDITION_MODEL, EVICTION_MODEL, loadWeights } from './network-file.js';
import type { AgentModels } from './train-scdl2.js';

export interface RlModels extends AgentModels {
  addition: Dqn;
  eviction: Dqn;
  /** the addition network's input names */
  inputs: string[];
}

export function rlModels(trace: Trace, seed: number, learn: boolean, bundle?: string): RlModels {
  const rng = new Random(seed ^ 0xd9a);
  const source = featureSource(trace);
  const inputs = DqnEncoder.additionInputs(source);
  const addition = new Dqn(inputs.length, ADDITION_ACTIONS.length, rng, learn);
  const eviction = new Dqn(EVICTION_INPUTS, EVICTION_ACTIONS.length, rng, learn);
  if (bundle) {
    readBundleSync(bundle, { kind: 'rl', format: 'tfjs-layers' });
    loadWeights(bundle, ADDITION_MODEL, addition.model);
    loadWeights(bundle, EVICTION_MODEL, eviction.model);
  }
  return { addition, eviction, inputs, encoder: () => new DqnEncoder(source, addition, eviction) };
}
