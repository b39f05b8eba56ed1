/**
 * Trains the `rl` agents like SCDL2 (train-scdl2.ts) and writes a tfjs-layers bundle: the
 * addition network as model.json / weights.bin, the eviction network beside it.
 */
import type { Trace } from '../../trace/model.js';
import { writeBundle } from '../bundle.js';
import { ADDITION_ACTIONS, EVICTION_ACTIONS } from './actions.js';
import { ADDITION_MODEL, EVICTION_MODEL, networkFiles } from './network-file.js';
import { rlModels } from './rl-models.js';
import { bundleParams, replayLearning, type TrainedBundle, type TrainOptions } from './train-scdl2.js';

export async function trainRl(trace: Trace, o: TrainOptions): Promise<TrainedBundle> {
  const models = rlModels(o.seed ?? 1, true);
  const passes = replayLearning(trace, models, o);
  const params = bundleParams('rl', 'tfjs-layers', models.heads, trace, o, passes);
  params.metrics = { ...params.metrics, trainSteps: models.addition.trainSteps + models.eviction.trainSteps };
  const bundle: TrainedBundle = {
    params,
    labels: [...ADDITION_ACTIONS, ...EVICTION_ACTIONS],
    files: {
      ...(await networkFiles(models.addition.model, ADDITION_MODEL)),
      ...(await networkFiles(models.eviction.model, EVICTION_MODEL)),
    },
    passes,
  };
  if (o.out) await writeBundle(o.out, bundle.params, bundle.labels, bundle.files, { overwrite: true });
  return bundle;
}
