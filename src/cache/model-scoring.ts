/**
 * Admission by a model service, for a cache node: each file open gets its prep feature row
 * from the node's own request history (the hint endpoint's bounded state, so features match
 * training), the model client scores it in batches, and the answer (or the fallback's) goes
 * to the policy as the request's score.
 */
import { FEATURE_NAMES } from '../prep/schema.js';
import { computableFeatures, type HintRequest, RequestStats } from '../serve/file-stats.js';
import { lfnDataset } from '../trace/lfn.js';
import type { ModelAnswer, ModelClient } from './model-client.js';

export class ModelScoring {
  private readonly history: RequestStats;

  /** `historyFiles`: files whose request history is kept for their features */
  constructor(
    private readonly client: ModelClient,
    historyFiles: number,
  ) {
    this.history = new RequestStats(historyFiles);
  }

  /** The service's answer for an open of `path`; records the open in the history. Never rejects. */
  admission(path: string, size: number, time: number, user: string): Promise<ModelAnswer> {
    const request: HintRequest = {
      lfn: path,
      time,
      size,
      user: user === '' ? undefined : user,
      dataset: lfnDataset(path),
    };
    const features = computableFeatures(request);
    const { row, record } = this.history.prepare(
      'the model service',
      features,
      features.map(() => Number.NaN),
      request,
    );
    record();
    const full = new Float32Array(FEATURE_NAMES.length).fill(Number.NaN);
    features.forEach((f, i) => {
      full[FEATURE_NAMES.indexOf(f)] = row[i];
    });
    return this.client.decide(full);
  }

  close(): void {
    this.client.close();
  }
}
