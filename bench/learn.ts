/**
 * Learning throughput: online features (requests/s), training time per epoch of each model
 * kind, and simulator throughput with each learned policy (requests/s, scoring included)
 * next to LRU, on a generated data-lake trace. Run by `npm run bench` after prep, or alone:
 * `node dist/bench/learn.js [requests]`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeBundle } from '../src/learn/bundle.js';
import { parseDayRange } from '../src/learn/dataset.js';
import { trainFromTrace } from '../src/learn/from-trace.js';
import { onlineFeatures } from '../src/learn/online-features.js';
import { tfReady } from '../src/learn/tf.js';
import { simulate } from '../src/sim/engine.js';
import { policySpec } from '../src/sim/policies/index.js';
import '../src/learn/policies/index.js';
import { DEFAULT_START, generateWorkload } from '../src/trace/generate.js';
import { uniqueBytes } from '../src/trace/model.js';

const DAY = 86_400;

export async function benchLearn(requests = 1_000_000): Promise<void> {
  const trace = generateWorkload({ requests, seed: 7 });
  const capacity = Math.floor(0.1 * uniqueBytes(trace));
  let t = performance.now();
  const features = onlineFeatures(trace);
  const featureSeconds = (performance.now() - t) / 1000;
  console.log(
    `learning on a generated data-lake trace of ${requests} requests (30 days), tfjs backend ${await tfReady()}`,
  );
  console.log(
    `online features: ${featureSeconds.toFixed(2)} s, ${(requests / featureSeconds / 1e6).toFixed(2)} M requests/s`,
  );
  const scratch = await mkdtemp(path.join(tmpdir(), 'smartcache-bench-learn-'));
  try {
    const bundles: Record<string, string> = {};
    for (const kind of ['learned-admit', 'learned-evict']) {
      const trained = await trainFromTrace({
        trace,
        features,
        kind,
        range: parseDayRange('0..20', DEFAULT_START, DAY),
        period: DAY,
        settings: {
          seed: 1,
          epochs: 2,
          batchSize: 512,
          learningRate: 0.001,
          hidden: [32, 32],
          tuneSize: capacity,
        },
      });
      const perEpoch = trained.reports.map((r) => r.seconds);
      const { rows = 0 } = trained.params.training ?? {};
      console.log(
        `train ${kind}: ${rows} rows, ${perEpoch.map((s) => s.toFixed(2)).join(' / ')} s per epoch ` +
          `(${(rows / Math.min(...perEpoch) / 1e3).toFixed(0)} k rows/s)`,
      );
      bundles[kind] = path.join(scratch, kind);
      await writeBundle(bundles[kind], trained.params, trained.labels, trained.files);
    }
    for (const [policy, params] of [
      ['lru', {}],
      ['learned-admit', { bundle: bundles['learned-admit'] }],
      ['learned-evict', { bundle: bundles['learned-evict'] }],
      // lrb trains while it replays: its time includes its GBDT fits
      ['lrb', {}],
      // select replays lrb and four classic policies on the real cache, and all five on miniature caches
      ['select', {}],
    ] as const) {
      // a fresh trace object per run, so that cached features and scores do not carry over
      const fresh = { ...trace };
      t = performance.now();
      const r = simulate(fresh, policySpec(policy), { capacity, params });
      const seconds = (performance.now() - t) / 1000;
      console.log(
        `simulate ${policy.padEnd(14)} ${seconds.toFixed(2)} s, ${(requests / seconds / 1e6).toFixed(2)} M requests/s ` +
          `(features and scoring included), byte hit ratio ${r.byteHitRatio.toFixed(4)}`,
      );
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  await benchLearn(process.argv[2] ? Number(process.argv[2]) : undefined);
}
