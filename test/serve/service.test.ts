/** Batch decisions, XCache hints, versions, hot reload, security options and operations routes over HTTP. */
import assert from 'node:assert/strict';
import { cpSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadModel } from '../../src/serve/models/load.js';
import type { RunningServer } from '../../src/serve/server.js';
import { FEATURES, onnxBundle, randomRows, tinyBundle } from './bundles.js';
import { ADMIN, postJson, start } from './http.js';

interface DecideJson {
  model: string;
  version: number;
  decision: string;
  scores: number[];
  decisions: boolean[];
}

async function decideBinary(url: string, features: string[], values: Float32Array, query = '') {
  const res = await fetch(`${url}/v1/decide${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', 'x-features': features.join(',') },
    body: values,
  });
  const bytes = new Uint8Array(await res.arrayBuffer());
  const rows = Number(res.headers.get('x-rows'));
  return {
    status: res.status,
    headers: res.headers,
    text: new TextDecoder().decode(bytes),
    scores: new Float32Array(bytes.slice(0, rows * 4).buffer),
    decisions: bytes.slice(rows * 4),
  };
}

describe('model service', () => {
  let server: RunningServer;
  let url: string;
  let bundle: string;

  before(async () => {
    server = await start();
    url = server.url;
    const models = server.ctx.registry.dir;
    bundle = await tinyBundle({ name: 'admit' }, path.join(models, 'admit', '1'));
    await tinyBundle({ name: 'admit', seed: 42 }, path.join(models, 'admit', '2'));
    await tinyBundle(
      { name: 'users', features: ['count_ever', 'distinct_users'] },
      path.join(models, 'users'),
    );
    await server.ctx.registry.rescan();
    await server.ctx.registry.setDefault('admit', 1);
  });
  after(() => server.close());

  it('decides a JSON batch with the model name and version', async () => {
    const rows = Array.from({ length: 5 }, (_, r) => FEATURES.map((_, k) => r + k));
    const res = await postJson<DecideJson>(`${url}/v1/decide`, { features: FEATURES, rows });
    assert.equal(res.status, 200);
    assert.equal(res.body.model, 'admit');
    assert.equal(res.body.version, 1);
    assert.equal(res.body.decision, 'admit');
    const expected = (await loadModel(bundle)).predict(Float32Array.from(rows.flat()), 5);
    res.body.scores.forEach((s, i) => {
      assert.ok(Math.abs(s - expected[i]) < 1e-6);
      assert.equal(res.body.decisions[i], expected[i] >= 0.5);
    });
  });

  it('reads NaN in a binary matrix as a NULL feature: the training mean, as in training', async () => {
    const means = FEATURES.map((_, i) => i);
    const nulls = Float32Array.from(FEATURES, (_, i) => (i % 2 === 0 ? Number.NaN : means[i]));
    const [withNulls, withMeans] = await Promise.all([
      decideBinary(url, FEATURES, nulls, '?model=admit@1'),
      decideBinary(url, FEATURES, Float32Array.from(means), '?model=admit@1'),
    ]);
    assert.equal(withNulls.status, 200, withNulls.text);
    assert.equal(withNulls.scores[0], withMeans.scores[0]);
    const withOther = await decideBinary(
      url,
      FEATURES,
      Float32Array.from(means, (m) => m + 3),
      '?model=admit@1',
    );
    assert.notEqual(withOther.scores[0], withMeans.scores[0], 'the row of means is not any row');
  });

  it('decides a binary Float32 matrix, in any column order, pinned to a version', async () => {
    const rows = 1000;
    const values = randomRows(rows, FEATURES.length);
    const direct = await decideBinary(url, FEATURES, values, '?model=admit@2');
    assert.equal(direct.status, 200);
    assert.equal(direct.headers.get('x-model-version'), '2');
    const expected = (await loadModel(path.join(server.ctx.registry.dir, 'admit', '2'))).predict(
      values,
      rows,
    );
    assert.ok(direct.scores.every((s, i) => Math.abs(s - expected[i]) < 1e-6));
    const order = FEATURES.map((_, k) => FEATURES.length - 1 - k);
    const swapped = new Float32Array(values.length);
    for (let r = 0; r < rows; r++) {
      order.forEach((from, k) => {
        swapped[r * order.length + k] = values[r * order.length + from];
      });
    }
    const reordered = await decideBinary(
      url,
      order.map((k) => FEATURES[k]),
      swapped,
      '?model=admit@2',
    );
    assert.deepEqual(reordered.scores, direct.scores);
    assert.deepEqual(reordered.decisions, direct.decisions);
  });

  it('refuses malformed batches', async () => {
    const short = await decideBinary(url, FEATURES, new Float32Array(FEATURES.length + 1));
    assert.equal(short.status, 400);
    assert.match(short.text, /whole rows/);
    const unnamed = await decideBinary(url, [], new Float32Array(6));
    assert.equal(unnamed.status, 400);
    assert.match(unnamed.text, /X-Features/);
    const ragged = await postJson(`${url}/v1/decide`, { features: FEATURES, rows: [[1, 2]] });
    assert.equal(ragged.status, 400);
    assert.match(ragged.body.error, /row 0 has 2 values/);
  });

  it('answers 400, not 500, naming the row and feature of a value beyond float32', async () => {
    const huge = FEATURES.map((_, i) => (i === 0 ? 1e308 : 1));
    const batch = await postJson(`${url}/v1/decide`, {
      features: FEATURES,
      rows: [FEATURES.map(() => 1), huge],
    });
    assert.equal(batch.status, 400);
    assert.match(batch.body.error, /^row 1, feature log_size: 1e\+308 is not a finite float32 number/);
    const one = await postJson(`${url}/json`, { keys: FEATURES, values: huge });
    assert.equal(one.status, 400);
    assert.match(one.body.error, /not a finite float32 number/);
    const fine = await postJson<number[]>(`${url}/json`, { keys: FEATURES, values: FEATURES.map(() => 1) });
    assert.equal(fine.status, 200, 'the service keeps answering');
  });

  it('answers XCache hints from per-file statistics', async () => {
    type Hint = { store: boolean; filename: string; score: number; error: string };
    const hint = (query: string) =>
      fetch(`${url}/resolve?${query}`).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as Hint,
      }));
    const first = await hint('lfn=/store/a.root&time=1000&size=2e9&naccess=0&downloaded=0');
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.filename, '/store/a.root');
    assert.equal(typeof first.body.store, 'boolean');
    const second = await hint('lfn=/store/a.root&time=1060&size=2e9');
    assert.notEqual(second.body.score, first.body.score, 'the second request sees a history');
    const noSize = await hint('lfn=/store/a.root&time=1100');
    assert.equal(noSize.status, 422);
    assert.match(noSize.body.error, /log_size.*size/);
    const users = await hint('lfn=/store/b.root&time=1000&model=users');
    assert.equal(users.status, 422);
    assert.match(users.body.error, /distinct_users.*user/);
    assert.equal((await hint('lfn=/store/b.root&time=1000&model=users&user=alice')).status, 200);
    const missing = await hint('time=5');
    assert.equal(missing.status, 400);
    // refused requests change nothing: /store/a.root keeps answering for ordinary times
    for (const bad of [
      'time=1e300',
      'time=-5',
      'time=1200&size=1e308',
      'time=1200&naccess=99999999999999999',
    ]) {
      const refused = await hint(`lfn=/store/a.root&size=2e9&${bad}`);
      assert.equal(refused.status, 400, `${bad}: ${JSON.stringify(refused.body)}`);
    }
    const after = await hint('lfn=/store/a.root&time=1300&size=2e9');
    assert.equal(after.status, 200, JSON.stringify(after.body));
    const earlier = await hint('lfn=/store/a.root&time=1200&size=2e9');
    assert.equal(earlier.status, 400);
    assert.match(earlier.body.error, /time: time 1200 is earlier than 1300, the last request of its file/);
  });

  it('switches the default version atomically: no request fails during switches', async () => {
    const body = JSON.stringify({ features: FEATURES, rows: [FEATURES.map(() => 1)] });
    const switches = (async () => {
      for (let i = 0; i < 20; i++) await server.ctx.registry.setDefault('admit', (i % 2) + 1);
    })();
    const requests = Array.from({ length: 200 }, () =>
      fetch(`${url}/v1/decide`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      }).then((r) => r.status),
    );
    const statuses = await Promise.all(requests);
    await switches;
    assert.deepEqual(new Set(statuses), new Set([200]));
  });

  it('hot-reloads bundles added to and removed from the models directory', async () => {
    const copy = path.join(server.ctx.registry.dir, 'dropped-in');
    cpSync(onnxBundle, copy, { recursive: true });
    await server.ctx.registry.rescan();
    const res = await postJson<number[]>(`${url}/json`, {
      keys: ['log_size', 'count_ever', 'age'],
      values: [1, 2, 3],
      model: 'onnx-admit',
    });
    assert.equal(res.status, 200);
    rmSync(copy, { recursive: true });
    await server.ctx.registry.rescan();
    assert.equal((await postJson(`${url}/json`, { keys: [], values: [], model: 'onnx-admit' })).status, 404);
  });

  it('serves health, readiness, Prometheus metrics and the OpenAPI document', async () => {
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    assert.equal((await fetch(`${url}/readyz`)).status, 200);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.match(
      metrics,
      /smartcache_http_requests_total\{route="\/v1\/decide",method="POST",status="200"\}/,
    );
    assert.match(metrics, /smartcache_http_request_duration_seconds_bucket/);
    assert.match(metrics, /smartcache_decide_batch_rows_bucket/);
    assert.match(metrics, /smartcache_model_rows_total\{model="admit",version="2"\} \d+/);
    const openapi = (await (await fetch(`${url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { parameters: { name: string }[] }>>;
    };
    for (const route of [
      '/json',
      '/proto',
      '/v1/decide',
      '/resolve',
      '/upload',
      '/delete/{model}',
      '/models',
    ]) {
      assert.ok(openapi.paths[route], route);
    }
    assert.equal(openapi.paths['/resolve'].get.parameters[0].name, 'lfn');
  });
});

describe('model service options', () => {
  it('mounts every route under --base and protects prediction with a token', async () => {
    const server = await start({ base: '/tfaas/', predictToken: 'reader' });
    try {
      const models = server.ctx.registry.dir;
      cpSync(onnxBundle, path.join(models, 'onnx'), { recursive: true });
      await server.ctx.registry.rescan();
      const body = { keys: ['log_size', 'count_ever', 'age'], values: [1, 2, 3] };
      assert.equal((await postJson(`${server.url}/json`, body)).status, 404);
      assert.equal((await postJson(`${server.url}/tfaas/json`, body)).status, 401);
      assert.equal(
        (await postJson(`${server.url}/tfaas/json`, body, { authorization: 'Bearer wrong' })).status,
        403,
      );
      assert.equal(
        (await postJson(`${server.url}/tfaas/json`, body, { authorization: 'Bearer reader' })).status,
        200,
      );
      assert.equal(
        (await postJson(`${server.url}/tfaas/json`, body, { authorization: `Bearer ${ADMIN}` })).status,
        200,
      );
    } finally {
      await server.close();
    }
  });

  it('refuses admin routes when no admin token is configured', async () => {
    const server = await start({ adminToken: undefined });
    try {
      const res = await postJson(`${server.url}/params`, { model: 'x' });
      assert.equal(res.status, 403);
      assert.match(res.body.error, /--admin-token/);
    } finally {
      await server.close();
    }
  });
});
