/**
 * Training from a prepared feature set (`smartcache train`): picks the training days (given,
 * or the first 70 % of the feature set's days), reads their rows, holds out the last fifth
 * of them for validation and runs the model kind's trainer.
 */
import { resolveSizes } from '../sim/plan.js';
import { policySpec } from '../sim/policies/index.js';
import {
  type DayRange,
  featureSetSpan,
  parseDayRange,
  periodOrigin,
  readFeatureRows,
  readFeatureSet,
} from './dataset.js';
import { checkTrainOptions, DEFAULT_TRAIN_SHARE, type ModelKind, type TrainOption } from './registry.js';
import { tfReady } from './tf.js';
import { type Trained, type TrainProgress, type TrainSettings, validationStart } from './train.js';

export interface FeatureTraining {
  /** feature set directory (smartcache prep --out) */
  features: string;
  kind: ModelKind;
  /** `A..B` (dates or indices from 0); default: the first DEFAULT_TRAIN_SHARE of the days */
  trainDays?: string;
  period: number;
  settings: Omit<TrainSettings, 'tuneSize' | 'tuneSizes' | 'tuneUnders'>;
  /** cache sizes the admission threshold is tuned at: fractions of unique bytes or sizes */
  tuneSizes: string;
  tuneUnders: string[];
  /** the settings the user gave (the others are defaults): each must be one the kind reads */
  given: readonly TrainOption[];
  name?: string;
  progress?: TrainProgress;
  /** told what was chosen before training starts */
  onStart?: (start: TrainingStart) => void;
}

export interface TrainingStart {
  range: DayRange;
  /** days in the feature set, and whether the training days are the default share of them */
  days: number;
  defaulted: boolean;
  trainRows: number;
  validationRows: number;
  backend: string;
}

export async function trainFromFeatures(t: FeatureTraining): Promise<Trained> {
  checkTrainOptions(t.kind, t.given);
  const featureSet = await readFeatureSet(t.features);
  const span = await featureSetSpan(t.features);
  const origin = periodOrigin(span.first, t.period);
  const days = Math.floor((span.last - origin) / t.period) + 1;
  const trainDays = t.trainDays ?? `0..${Math.max(1, Math.floor(days * DEFAULT_TRAIN_SHARE)) - 1}`;
  const range = parseDayRange(trainDays, origin, t.period, '--train-days');
  const data = await readFeatureRows(t.features, range);
  if (data.time.length === 0) throw new RangeError(`--train-days ${trainDays}: no requests in those days`);
  const validationFrom = validationStart(data, range.from, range.to, t.period);
  const settings: TrainSettings = {
    ...t.settings,
    tuneSize: featureSet.settings.optSize,
    tuneSizes: resolveSizes(t.tuneSizes, featureSet.settings.uniqueBytes),
    tuneUnders: t.tuneUnders.map((name) => policySpec(name).name),
  };
  const backend = await tfReady();
  t.onStart?.({
    range,
    days,
    defaulted: t.trainDays === undefined,
    trainRows: validationFrom,
    validationRows: data.time.length - validationFrom,
    backend,
  });
  const trainer = await t.kind.load();
  return trainer({
    data,
    validationFrom,
    range,
    name: t.name ?? t.kind.kind,
    featureSet: t.features,
    settings,
    progress: t.progress,
  });
}
