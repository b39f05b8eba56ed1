/**
 * The RL agents as trainers of `smartcache train --model scdl2|rl`: the training days of the
 * feature set are replayed through the agents with learning on, at the prep `--opt-size`.
 */
import { dataTrace } from '../dataset.js';
import type { TrainerFn, TrainRequest } from '../train.js';
import type { TrainedBundle, TrainOptions } from './train-scdl2.js';

type RlTrain = (trace: ReturnType<typeof dataTrace>, options: TrainOptions) => Promise<TrainedBundle>;

export function rlTrainer(train: RlTrain): TrainerFn {
  return async (request: TrainRequest) => {
    const { settings } = request;
    const trained = await train(dataTrace(request.data), {
      capacity: settings.tuneSize,
      seed: settings.seed,
      epochs: settings.epochs,
      name: request.name,
    });
    const params = {
      ...trained.params,
      training: { ...trained.params.training, featureSet: request.featureSet, trainDays: request.range.text },
    };
    return { params, labels: trained.labels, files: trained.files, reports: [] };
  };
}
