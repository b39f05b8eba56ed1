/**
 * Rolling retraining, as a deployed system would do it: at every `every` seconds of the test
 * days a fresh model is trained on the `window` seconds before that moment (features with
 * the whole history, labels known by then), and it scores the requests until the next
 * retraining. The scores of all requests are returned for the replay (`scores=FILE`), for
 * admission as margins score - threshold, with the threshold tuned per cache size.
 */

import { lowerBound } from '../common/typed-arrays.js';
import { isoTime } from '../common/units.js';
import { FEATURE_NAMES } from '../prep/schema.js';
import type { Trace } from '../trace/model.js';
import { encode } from './encode.js';
import { trainFromTrace } from './from-trace.js';
import { mlpFromFiles } from './infer.js';
import { featureRows, onlineFeatures } from './online-features.js';
import { DEFAULT_NETWORK } from './registry.js';
import type { StoppableProgress } from './train.js';

export interface RetrainOptions {
  /** time-ordered: history and test days */
  trace: Trace;
  kind: string;
  testFrom: number;
  testTo: number;
  every: number;
  window: number;
  period: number;
  /** evaluated cache sizes (admission thresholds are tuned at each) */
  sizes: number[];
  seed: number;
  epochs: number;
  hidden: number[];
  bar?: (label: string) => StoppableProgress;
}

export interface RetrainRun {
  /** the size these scores are for; undefined = every size */
  capacity?: number;
  scores: Float32Array;
}

export async function retrainScores(o: RetrainOptions): Promise<RetrainRun[]> {
  const features = onlineFeatures(o.trace);
  const admit = o.kind === 'learned-admit';
  const runs: RetrainRun[] = admit
    ? o.sizes.map((capacity) => ({ capacity, scores: new Float32Array(o.trace.length) }))
    : [{ scores: new Float32Array(o.trace.length) }];
  const labelSize = o.sizes[Math.floor(o.sizes.length / 2)];
  const first = o.trace.time[0];
  for (let at = o.testFrom; at < o.testTo; at += o.every) {
    const from = Math.max(first, at - o.window);
    const bar = o.bar?.(`${o.kind} @ ${isoTime(at)}`);
    const trained = await trainFromTrace({
      trace: o.trace,
      features,
      kind: o.kind,
      range: { from, to: at, text: [isoTime(from), isoTime(at)] },
      period: o.period,
      settings: {
        seed: o.seed,
        epochs: o.epochs,
        batchSize: DEFAULT_NETWORK.batchSize,
        learningRate: DEFAULT_NETWORK.learningRate,
        hidden: o.hidden,
        tuneSize: labelSize,
      },
      progress: bar,
    });
    bar?.stop();
    // the first model also scores the history, where the replay only warms up
    const rowFrom = at === o.testFrom ? 0 : lowerBound(o.trace.time, at);
    const rowTo = lowerBound(o.trace.time, Math.min(o.testTo, at + o.every));
    const mlp = mlpFromFiles(trained.files, FEATURE_NAMES.length);
    const x = encode(
      featureRows(features, rowFrom, rowTo),
      trained.params.features,
      trained.params.normalization,
    );
    const y = mlp.predict(x, rowTo - rowFrom);
    for (const run of runs) {
      const shift =
        admit && run.capacity !== undefined && trained.thresholdAt ? trained.thresholdAt(run.capacity) : 0;
      for (let i = 0; i < rowTo - rowFrom; i++) run.scores[rowFrom + i] = y[i] - shift;
    }
  }
  return runs;
}
