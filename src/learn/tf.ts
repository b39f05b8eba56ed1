/**
 * TensorFlow.js for training: the wasm backend with its .wasm files read from the npm package
 * on disk (nothing is fetched), the cpu backend when wasm cannot start; seeded MLPs; a fit
 * loop with our own seeded shuffling; the model as bundle files (model.json + weights.bin).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { Random } from '../common/random.js';

export { tf };

let ready: Promise<string> | undefined;

/** Starts the backend once: `wasm` (default) or `cpu` (SMARTCACHE_TF_BACKEND=cpu). */
export function tfReady(): Promise<string> {
  ready ??= (async () => {
    const wanted = process.env.SMARTCACHE_TF_BACKEND ?? 'wasm';
    if (wanted === 'wasm') {
      const pkg = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json');
      // a file path with a trailing separator: the Node build of the backend reads it with fs
      setWasmPaths(`${join(dirname(pkg), 'dist')}/`);
      if (await tf.setBackend('wasm').catch(() => false)) return tf.getBackend();
    }
    await tf.setBackend('cpu');
    return tf.getBackend();
  })();
  return ready;
}

export type Task = 'binary' | 'regression';

export interface MlpShape {
  inputs: number;
  hidden: readonly number[];
  task: Task;
  seed: number;
}

/** Dense ReLU layers then one output: sigmoid score (binary) or linear value (regression). */
export function buildMlp(shape: MlpShape): tf.Sequential {
  const model = tf.sequential();
  shape.hidden.forEach((units, i) => {
    model.add(
      tf.layers.dense({
        units,
        activation: 'relu',
        inputShape: i === 0 ? [shape.inputs] : undefined,
        kernelInitializer: tf.initializers.glorotUniform({ seed: shape.seed + i }),
        biasInitializer: 'zeros',
      }),
    );
  });
  model.add(
    tf.layers.dense({
      units: 1,
      activation: shape.task === 'binary' ? 'sigmoid' : 'linear',
      inputShape: shape.hidden.length === 0 ? [shape.inputs] : undefined,
      kernelInitializer: tf.initializers.glorotUniform({ seed: shape.seed + shape.hidden.length }),
    }),
  );
  return model;
}

export interface Matrix {
  /** row-major float32, `rows × width` */
  x: Float32Array;
  y: Float32Array;
  rows: number;
  width: number;
}

export interface EpochReport {
  epoch: number;
  loss: number;
  /** validation loss and the task's metric (AUC for binary, MAE for regression) */
  valLoss: number;
  valMetric: number;
  metricName: string;
  seconds: number;
}

export interface FitOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  /** called after each batch with rows done in this epoch */
  onBatch?: (epoch: number, rows: number, loss: number) => void;
  onEpoch?: (report: EpochReport) => void;
}

/** Trains in place; each epoch sees the rows in a seeded permutation. */
export async function fitMlp(
  model: tf.Sequential,
  task: Task,
  train: Matrix,
  validation: Matrix,
  options: FitOptions,
): Promise<EpochReport[]> {
  await tfReady();
  model.compile({
    optimizer: tf.train.adam(options.learningRate),
    loss: task === 'binary' ? 'binaryCrossentropy' : 'meanSquaredError',
  });
  const random = new Random(options.seed);
  const order = Int32Array.from({ length: train.rows }, (_, i) => i);
  const reports: EpochReport[] = [];
  const { width } = train;
  // early stopping without stopping: the weights of the epoch with the best validation loss
  let best: { loss: number; weights: tf.Tensor[] } | undefined;
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const started = performance.now();
    for (let i = order.length - 1; i > 0; i--) {
      const j = random.uint32() % (i + 1);
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    let lossSum = 0;
    let seen = 0;
    for (let start = 0; start < order.length; start += options.batchSize) {
      const end = Math.min(order.length, start + options.batchSize);
      const n = end - start;
      const bx = new Float32Array(n * width);
      const by = new Float32Array(n);
      for (let k = 0; k < n; k++) {
        const r = order[start + k];
        bx.set(train.x.subarray(r * width, (r + 1) * width), k * width);
        by[k] = train.y[r];
      }
      const xs = tf.tensor2d(bx, [n, width]);
      const ys = tf.tensor2d(by, [n, 1]);
      const loss = (await model.trainOnBatch(xs, ys)) as number;
      xs.dispose();
      ys.dispose();
      lossSum += loss * n;
      seen += n;
      options.onBatch?.(epoch, seen, lossSum / seen);
    }
    const val = evaluateMlp(model, task, validation);
    const report: EpochReport = {
      epoch,
      loss: lossSum / Math.max(1, seen),
      valLoss: val.loss,
      valMetric: val.metric,
      metricName: val.metricName,
      seconds: (performance.now() - started) / 1000,
    };
    reports.push(report);
    options.onEpoch?.(report);
    if (validation.rows > 0 && (!best || report.valLoss < best.loss)) {
      if (best) tf.dispose(best.weights);
      best = { loss: report.valLoss, weights: model.getWeights().map((w) => w.clone()) };
    }
  }
  if (best) {
    model.setWeights(best.weights);
    tf.dispose(best.weights);
  }
  return reports;
}

/** Batched predictions, one value per row. */
export function predict(model: tf.LayersModel, x: Float32Array, rows: number, width: number): Float32Array {
  const out = new Float32Array(rows);
  const chunk = 16_384;
  for (let start = 0; start < rows; start += chunk) {
    const n = Math.min(chunk, rows - start);
    const values = tf.tidy(() => {
      const input = tf.tensor2d(x.subarray(start * width, (start + n) * width), [n, width]);
      return (model.predict(input) as tf.Tensor).dataSync();
    });
    out.set(values, start);
  }
  return out;
}

export function evaluateMlp(
  model: tf.LayersModel,
  task: Task,
  data: Matrix,
): { loss: number; metric: number; metricName: string } {
  if (data.rows === 0)
    return { loss: Number.NaN, metric: Number.NaN, metricName: task === 'binary' ? 'auc' : 'mae' };
  const p = predict(model, data.x, data.rows, data.width);
  let loss = 0;
  if (task === 'binary') {
    for (let i = 0; i < p.length; i++) {
      const q = Math.min(1 - 1e-7, Math.max(1e-7, p[i]));
      loss -= data.y[i] * Math.log(q) + (1 - data.y[i]) * Math.log(1 - q);
    }
    return { loss: loss / p.length, metric: auc(p, data.y), metricName: 'auc' };
  }
  let mae = 0;
  for (let i = 0; i < p.length; i++) {
    const d = p[i] - data.y[i];
    loss += d * d;
    mae += Math.abs(d);
  }
  return { loss: loss / p.length, metric: mae / p.length, metricName: 'mae' };
}

/** Area under the ROC curve (ties counted half), by sorting the scores. */
export function auc(scores: Float32Array, labels: Float32Array): number {
  const order = Array.from(scores.keys()).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let rankSum = 0;
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]] === scores[order[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[order[k]] > 0.5) {
        positives++;
        rankSum += rank;
      }
    }
    i = j + 1;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** The model as tfjs-layers bundle files: model.json (topology + manifest) and weights.bin. */
export async function modelFiles(model: tf.LayersModel): Promise<Record<string, string | Uint8Array>> {
  let files: Record<string, string | Uint8Array> = {};
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData;
      const buffers = data === undefined ? [] : Array.isArray(data) ? data : [data];
      const weights = Buffer.concat(buffers.map((b) => new Uint8Array(b)));
      const json = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      files = { 'model.json': `${JSON.stringify(json)}\n`, 'weights.bin': new Uint8Array(weights) };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return files;
}

/** The epoch whose weights fitMlp kept: the best validation loss (the last one without validation). */
export function keptEpoch(reports: readonly EpochReport[]): EpochReport {
  return reports.reduce((b, r) => (Number.isNaN(r.valLoss) || r.valLoss < b.valLoss ? r : b), reports[0]);
}
