/**
 * `learned-evict`, in the spirit of LRB (Learning Relaxed Belady): a regressor of
 * log(1 + seconds to the object's next request) over the prep features. A request whose
 * object is not requested again before the end of the training range gets the target
 * log(1 + 2 × range length): "later than anything seen", large but finite so that the
 * squared loss stays bounded (LRB uses twice its memory window the same way).
 */
import { VERSION } from '../../common/version.js';
import { FEATURE_NAMES } from '../../prep/schema.js';
import type { LabelledData } from '../dataset.js';
import { keptEpoch, modelFiles } from '../tf.js';
import {
  epochMetrics,
  fitModel,
  prepareMatrices,
  type Trained,
  type TrainRequest,
  trainingRecord,
} from '../train.js';

/** Target per row: log1p(next gap), or log1p(never) without a next request inside the range. */
export function gapTarget(data: LabelledData, rangeEnd: number, never: number): (row: number) => number {
  return (r) => {
    const gap = data.nextGap[r];
    return !Number.isNaN(gap) && data.time[r] + gap < rangeEnd ? Math.log1p(gap) : Math.log1p(never);
  };
}

export async function trainEvict(request: TrainRequest): Promise<Trained> {
  const { data, validationFrom, range } = request;
  const never = 2 * (range.to - range.from);
  const matrices = prepareMatrices(data, validationFrom, gapTarget(data, range.to, never));
  const { model, reports } = await fitModel(request, 'regression', matrices);
  const last = keptEpoch(reports);
  const files = await modelFiles(model);
  model.dispose();
  return {
    params: {
      name: request.name,
      version: 1,
      kind: 'learned-evict',
      format: 'tfjs-layers',
      model: 'model.json',
      labels: 'labels.txt',
      features: [...FEATURE_NAMES],
      normalization: matrices.norm,
      outputs: ['log_next_gap'],
      training: {
        ...trainingRecord(request, matrices),
        label: 'next_gap',
        target: 'log1p(next_gap), log1p(neverGap) when none before the end of the training days',
        neverGap: never,
      },
      metrics: epochMetrics(last, 'valMae'),
      createdAt: new Date().toISOString(),
      smartcache: VERSION,
    },
    labels: ['log_next_gap'],
    files,
    reports,
  };
}
