/** The TFaaS-compatible API over real HTTP, driven the way the TFaaS documentation shows. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { loadModel } from '../../src/serve/models/load.js';
import { PredictionsSchema, RowSchema } from '../../src/serve/proto/gen/tfaas_pb.js';
import type { RunningServer } from '../../src/serve/server.js';
import { FEATURES, onnxBundle, onnxExpected, tinyBundle } from './bundles.js';
import { AUTH, curl, postJson, rawTar, start } from './http.js';

const VALUES = [12, 300, 1, 2, 4, 3600];

function uploadArgs(url: string, dir: string, name: string): string[] {
  const files = readdirSync(dir);
  const form = ['-F', `name=${name}`, '-F', `params=@${path.join(dir, 'params.json')}`];
  for (const f of files) {
    if (f === 'params.json') continue;
    const field = f === 'labels.txt' ? 'labels' : f.startsWith('model') ? 'model' : f.replace(/\..*$/, '');
    form.push('-F', `${field}=@${path.join(dir, f)}`);
  }
  return ['-X', 'POST', `${url}/upload`, '-H', AUTH, ...form];
}

describe('TFaaS API', () => {
  let server: RunningServer;
  let url: string;
  let bundle: string;

  before(async () => {
    server = await start({ maxUploadBytes: 1e6 });
    url = server.url;
    bundle = await tinyBundle({ name: 'admit' });
  });
  after(() => server.close());

  it('uploads a bundle as a multipart form and lists it', async () => {
    const upload = await curl(...uploadArgs(url, bundle, 'admit'));
    assert.equal(upload.status, 200, upload.body);
    assert.deepEqual(JSON.parse(upload.body), { model: 'admit', version: 1, engine: 'dense' });
    const models = JSON.parse((await curl(`${url}/models`)).body);
    assert.deepEqual(
      models.map((m: { name: string; version: number }) => [m.name, m.version]),
      [['admit', 1]],
    );
    const params = JSON.parse((await curl(`${url}/params/admit`)).body);
    assert.deepEqual(params.features, FEATURES);
  });

  it('answers /json with the model output for the row, keys in any order', async () => {
    const expected = (await loadModel(bundle)).predict(Float32Array.from(VALUES), 1);
    const keys = [...FEATURES].reverse();
    const body = JSON.stringify({ keys, values: [...VALUES].reverse(), model: 'admit' });
    for (const route of ['/json', '/predict/json']) {
      const res = await curl(
        '-X',
        'POST',
        '-H',
        'Content-Type: application/json',
        '-d',
        body,
        `${url}${route}`,
      );
      assert.equal(res.status, 200, res.body);
      const out = JSON.parse(res.body);
      assert.equal(out.length, 1);
      assert.ok(Math.abs(out[0] - expected[0]) < 1e-6);
    }
  });

  it('answers /proto with protobuf Predictions labelled from labels.txt', async () => {
    const row = create(RowSchema, { key: FEATURES, value: VALUES, model: 'admit' });
    for (const route of ['/proto', '/predict/proto']) {
      const res = await fetch(`${url}${route}`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: toBinary(RowSchema, row),
      });
      assert.equal(res.status, 200);
      const predictions = fromBinary(PredictionsSchema, new Uint8Array(await res.arrayBuffer()));
      assert.deepEqual(
        predictions.prediction.map((c) => c.label),
        ['evict', 'admit'],
      );
      const [evict, admit] = predictions.prediction.map((c) => c.probability);
      assert.ok(Math.abs(evict + admit - 1) < 1e-6);
    }
  });

  it('runs an uploaded ONNX model', async () => {
    const upload = await curl(...uploadArgs(url, onnxBundle, 'onnx-admit'));
    assert.equal(upload.status, 200, upload.body);
    const res = await postJson<number[]>(`${url}/json`, {
      keys: ['log_size', 'count_ever', 'age'],
      values: onnxExpected.rows[1],
      model: 'onnx-admit',
    });
    assert.equal(res.status, 200);
    assert.ok(Math.abs(res.body[0] - onnxExpected.scores[1]) < 1e-6);
  });

  it('makes a new version on re-upload, and takes a tar.gz bundle on /bundle and /upload', async () => {
    const files = ['params.json', 'model.json', 'weights.bin', 'labels.txt'].map((f) => ({
      path: `admit/${f}`,
      content: readFileSync(path.join(bundle, f)),
    }));
    for (const route of ['/bundle', '/upload']) {
      const res = await fetch(`${url}${route}`, {
        method: 'POST',
        headers: {
          authorization: AUTH.split(': ')[1],
          'content-type': 'application/octet-stream',
          'content-encoding': 'gzip',
        },
        body: rawTar(files, true),
      });
      assert.equal(res.status, 200, await res.clone().text());
    }
    const versions = JSON.parse((await curl(`${url}/models`)).body)
      .filter((m: { name: string }) => m.name === 'admit')
      .map((m: { version: number }) => m.version);
    assert.deepEqual(versions, [1, 2, 3]);
    const pinned = await postJson(`${url}/json`, { keys: FEATURES, values: VALUES, model: 'admit@1' });
    assert.equal(pinned.status, 200);
  });

  it('sets the default model with POST /params', async () => {
    const set = await curl(
      '-X',
      'POST',
      '-H',
      AUTH,
      '-H',
      'Content-Type: application/json',
      '-d',
      '{"model":"onnx-admit"}',
      `${url}/params`,
    );
    assert.equal(set.status, 200, set.body);
    const res = await postJson(`${url}/json`, { keys: ['log_size', 'count_ever', 'age'], values: [1, 2, 3] });
    assert.equal(res.status, 200);
    const page = await curl(`${url}/`);
    assert.match(page.body, /onnx-admit/);
  });

  it('deletes a version by path and a model by form field', async () => {
    const one = await curl('-X', 'DELETE', '-H', AUTH, `${url}/delete/admit@3`);
    assert.equal(one.status, 200, one.body);
    const all = await curl('-X', 'DELETE', '-H', AUTH, '-F', 'model=onnx-admit', `${url}/delete`);
    assert.equal(all.status, 200, all.body);
    const names = JSON.parse((await curl(`${url}/models`)).body).map(
      (m: { name: string; version: number }) => `${m.name}@${m.version}`,
    );
    assert.deepEqual(names, ['admit@1', 'admit@2']);
  });

  it('answers client mistakes with 4xx and a JSON error', async () => {
    const json = (body: unknown) => postJson(`${url}/json`, body);
    const cases: [Promise<{ status: number; body: unknown }>, number, RegExp][] = [
      [json({ keys: FEATURES, values: VALUES, model: 'nope' }), 404, /unknown model/],
      [json({ keys: FEATURES, values: VALUES, model: 'admit@9' }), 404, /no version 9/],
      [
        json({ keys: FEATURES.slice(1), values: VALUES.slice(1), model: 'admit' }),
        400,
        /needs features log_size/,
      ],
      [json({ keys: FEATURES, values: VALUES.slice(1), model: 'admit' }), 400, /6 keys but 5 values/],
      [json({ values: VALUES }), 400, /keys/],
      [
        fetch(`${url}/json`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"keys": [',
        }).then(async (r) => ({ status: r.status, body: await r.json() })),
        400,
        /JSON/i,
      ],
      [
        fetch(`${url}/proto`, {
          method: 'POST',
          headers: { 'content-type': 'application/octet-stream' },
          body: 'garbage\xff',
        }).then(async (r) => ({ status: r.status, body: await r.json() })),
        400,
        /protobuf/,
      ],
    ];
    for (const [pending, status, message] of cases) {
      const res = await pending;
      assert.equal(res.status, status, JSON.stringify(res.body));
      assert.match((res.body as { error: string }).error, message);
    }
  });

  it('refuses bad uploads and keeps the old model serving', async () => {
    const params = JSON.parse(readFileSync(path.join(bundle, 'params.json'), 'utf8'));
    const upload = async (archive: Buffer, token = AUTH) => {
      const res = await fetch(`${url}/upload`, {
        method: 'POST',
        headers: { authorization: token.split(': ')[1], 'content-type': 'application/octet-stream' },
        body: archive,
      });
      return { status: res.status, body: (await res.json()) as { error: string } };
    };
    const file = (name: string, content?: string | Buffer) => ({
      path: name,
      content: content ?? readFileSync(path.join(bundle, name)),
    });
    const good = ['model.json', 'weights.bin', 'labels.txt'].map((f) => file(f));
    const cases: [Buffer, number, RegExp, string?][] = [
      [
        rawTar([file('params.json', JSON.stringify({ ...params, features: ['bogus'] })), ...good]),
        400,
        /features: unknown feature names bogus/,
      ],
      [
        rawTar([file('params.json', JSON.stringify({ ...params, model: 'model.pb' })), ...good]),
        415,
        /tf2onnx/,
      ],
      [rawTar([file('params.json'), ...good, { path: '../evil', content: 'x' }]), 400, /leaves the bundle/],
      [rawTar([file('params.json'), ...good, { path: '/etc/evil', content: 'x' }]), 400, /absolute/],
      [
        rawTar([file('params.json'), ...good, { path: 'link', type: '2', linkpath: '/etc/passwd' }]),
        400,
        /only plain files/,
      ],
      [
        rawTar([file('params.json'), ...good, { path: 'zeros', content: Buffer.alloc(5e6) }], true),
        413,
        /limit/,
      ],
      [Buffer.from('not a tar archive at all'), 400, /archive/],
      [rawTar([file('params.json')]), 400, /missing/],
      [rawTar([file('params.json'), ...good]), 401, /Bearer/, 'Authorization: none'],
      [rawTar([file('params.json'), ...good]), 403, /wrong/, 'Authorization: Bearer wrong'],
    ];
    for (const [archive, status, message, token] of cases) {
      const res = await upload(archive, token);
      assert.equal(res.status, status, JSON.stringify(res.body));
      assert.match(res.body.error, message);
    }
    const tooBig = await fetch(`${url}/upload`, {
      method: 'POST',
      headers: { authorization: AUTH.split(': ')[1], 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(2e6),
    });
    assert.equal(tooBig.status, 413);
    const mismatch = await curl(...uploadArgs(url, bundle, 'other-name'));
    assert.equal(mismatch.status, 400);
    assert.match(mismatch.body, /form field name/);
    const still = await postJson(`${url}/json`, { keys: FEATURES, values: VALUES, model: 'admit' });
    assert.equal(still.status, 200);
    const names = JSON.parse((await curl(`${url}/models`)).body).map((m: { name: string }) => m.name);
    assert.deepEqual([...new Set(names)], ['admit']);
  });

  it('reports status', async () => {
    const status = JSON.parse((await curl(`${url}/status`)).body);
    assert.ok(status.uptime > 0);
    assert.ok(status.requests['POST /json'] > 0);
    assert.ok(status.memory.rss > 0);
    assert.equal(status.load.length, 3);
  });
});
