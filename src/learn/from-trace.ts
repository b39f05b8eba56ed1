/**
 * Training straight from a trace, without a prepared feature set: the online features equal
 * prep's, and the labels are computed on the training range alone (no request after it is
 * known). Used by rolling retraining (`smartcache evaluate --retrain-every`).
 */

import { DAY } from '../common/time.js';
import { lowerBound } from '../common/typed-arrays.js';
import type { Trace } from '../trace/model.js';
import { type DayRange, labelTraceRows } from './dataset.js';
import type { FeatureMatrix } from './online-features.js';
import { modelKind } from './registry.js';
import { type Trained, type TrainProgress, type TrainSettings, validationStart } from './train.js';

export interface TraceTraining {
  trace: Trace;
  /** online features of the whole trace */
  features: FeatureMatrix;
  kind: string;
  range: DayRange;
  period: number;
  settings: TrainSettings;
  /** reused horizon, seconds (default one day) */
  horizon?: number;
  name?: string;
  source?: string;
  progress?: TrainProgress;
}

export async function trainFromTrace(t: TraceTraining): Promise<Trained> {
  const from = lowerBound(t.trace.time, t.range.from);
  const to = lowerBound(t.trace.time, t.range.to);
  if (to <= from) throw new RangeError(`no requests in the training days ${t.range.text.join('..')}`);
  const data = labelTraceRows(t.trace, t.features, from, to, {
    optSize: t.settings.tuneSize,
    horizon: t.horizon ?? DAY,
  });
  const trainer = await modelKind(t.kind).load();
  return trainer({
    data,
    validationFrom: validationStart(data, t.range.from, t.range.to, t.period),
    range: t.range,
    settings: t.settings,
    name: t.name ?? t.kind,
    featureSet: t.source ?? 'trace',
    progress: t.progress,
  });
}
