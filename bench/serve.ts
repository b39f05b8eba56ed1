/**
 * Model service throughput: /json requests/s and p99 at 64 connections, /v1/decide rows/s with
 * binary batches, and the same model called in process, so the HTTP overhead is visible. The
 * service runs in its own process; the load generator in this one. Runs alone with
 * `node dist/bench/serve.js` or after the simulator bench in `npm run bench`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { FEATURE_NAMES } from '../src/prep/schema.js';
import { loadModel } from '../src/serve/models/load.js';
import { randomRows, tinyBundle } from '../test/serve/bundles.js';
import { cli } from './generated.js';

const SECONDS = Number(process.env.BENCH_SERVE_SECONDS ?? 10);
const PORT = Number(process.env.BENCH_SERVE_PORT ?? 18_383);
const BATCH_ROWS = 65_536;
const HIDDEN = [32, 16];
/** TFaaS documents 400-480 requests/s for its /json route */
const TFAAS_JSON_RPS = 480;

async function startService(models: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [cli, 'serve', '--models', models, '--listen', `127.0.0.1:${PORT}`, '-q'],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  for (let i = 0; i < 100; i++) {
    const ready = await fetch(`http://127.0.0.1:${PORT}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('the model service did not become ready');
}

function load(options: autocannon.Options): Promise<autocannon.Result> {
  return autocannon({ duration: SECONDS, ...options });
}

function rate(count: number, seconds: number): number {
  return count / seconds;
}

/** Rows per second of `predict` on repeated batches for about `seconds`. */
function inProcessRows(
  predict: (batch: Float32Array, rows: number) => unknown,
  rows: number,
  seconds: number,
): number {
  const batch = randomRows(rows, FEATURE_NAMES.length);
  for (let i = 0; i < 3; i++) predict(batch, rows);
  const started = performance.now();
  let calls = 0;
  while (performance.now() - started < seconds * 1000) {
    predict(batch, rows);
    calls++;
  }
  return rate(calls * rows, (performance.now() - started) / 1000);
}

function line(label: string, value: string, note = ''): void {
  console.log(`${label.padEnd(44)} ${value.padStart(14)}  ${note}`);
}

export async function benchServe(): Promise<void> {
  const models = mkdtempSync(path.join(tmpdir(), 'smartcache-bench-models-'));
  const bundle = await tinyBundle(
    { name: 'admit', features: [...FEATURE_NAMES], hidden: HIDDEN },
    path.join(models, 'admit', '1'),
  );
  const dense = await loadModel(bundle);
  const tfjs = await loadModel(bundle, { engine: 'tfjs' });
  // in-process figures first, while the service is not yet competing for the cores
  const denseRows = inProcessRows((b, r) => dense.predict(b, r), BATCH_ROWS, 3);
  const denseSingle = inProcessRows((b, r) => dense.predict(b, r), 1, 2);
  const tfjsRows = inProcessRows((b, r) => tfjs.predict(b, r), BATCH_ROWS, 3);
  const tfjsSingle = inProcessRows((b, r) => tfjs.predict(b, r), 1, 2);
  const service = await startService(models);
  try {
    const url = `http://127.0.0.1:${PORT}`;
    const json = await load({
      url: `${url}/json`,
      connections: 64,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ keys: FEATURE_NAMES, values: FEATURE_NAMES.map((_, i) => i + 0.5) }),
    });
    const matrix = Buffer.from(randomRows(BATCH_ROWS, FEATURE_NAMES.length).buffer);
    const decide = await load({
      url: `${url}/v1/decide`,
      connections: 2,
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'x-features': FEATURE_NAMES.join(',') },
      body: matrix,
    });
    const decideRows = decide.requests.average * BATCH_ROWS;
    console.log(
      `\nmodel service: MLP ${FEATURE_NAMES.length}-${HIDDEN.join('-')}-1, ${SECONDS} s per HTTP run, service in its own process`,
    );
    line(
      '/json requests/s (64 connections)',
      json.requests.average.toFixed(0),
      `${(json.requests.average / TFAAS_JSON_RPS).toFixed(1)}x TFaaS's documented ${TFAAS_JSON_RPS}/s`,
    );
    line(
      '/json p99 latency ms',
      json.latency.p99.toFixed(2),
      `errors ${json.errors}, non-2xx ${json.non2xx}`,
    );
    line(
      `/v1/decide rows/s (binary, ${BATCH_ROWS}-row batches)`,
      decideRows.toFixed(0),
      `p99 ${decide.latency.p99} ms per batch, non-2xx ${decide.non2xx}`,
    );
    line(
      'in-process dense rows/s (same batches)',
      denseRows.toFixed(0),
      `HTTP keeps ${((decideRows / denseRows) * 100).toFixed(0)}%`,
    );
    line(
      'in-process dense single-row calls/s',
      denseSingle.toFixed(0),
      `/json reaches ${((json.requests.average / denseSingle) * 100).toFixed(1)}%`,
    );
    line(
      'in-process tfjs-wasm rows/s (same batches)',
      tfjsRows.toFixed(0),
      `dense is ${(denseRows / tfjsRows).toFixed(1)}x`,
    );
    line(
      'in-process tfjs-wasm single-row calls/s',
      tfjsSingle.toFixed(0),
      `dense is ${(denseSingle / tfjsSingle).toFixed(0)}x`,
    );
  } finally {
    service.kill('SIGTERM');
    tfjs.dispose();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await benchServe();
