/**
 * Hostile and mistaken requests to a running service: each is answered with its 4xx (never a
 * 5xx), says what was wrong in the client's terms, and leaves the served model as it was.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { RunningServer } from '../../src/serve/server.js';
import { FEATURES, tinyBundle } from './bundles.js';
import { ADMIN, postJson, rawHttp, rawTar, start } from './http.js';

const VALUES = [1, 0.5, 1, 2, 3, 1];
const ADMIN_AUTH = { authorization: `Bearer ${ADMIN}` };
const MAX_UPLOAD = 200_000;

/** The files of a good bundle by name, read once the bundle is made. */
let good: Record<string, Buffer> = {};

/** A TFaaS upload form of the good bundle with some files replaced or left out (`undefined`). */
function form(changes: Record<string, Buffer | string | undefined> = {}): FormData {
  const files: Record<string, Buffer | string | undefined> = { ...good, ...changes };
  const data = new FormData();
  data.append('name', 'admit');
  const fields: Record<string, string> = {
    'params.json': 'params',
    'model.json': 'model',
    'labels.txt': 'labels',
    'weights.bin': 'weights',
  };
  for (const [file, content] of Object.entries(files)) {
    if (content !== undefined) data.append(fields[file] ?? file, new Blob([content]), file);
  }
  return data;
}

const upload = (body: RequestInit['body'], headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { ...ADMIN_AUTH, ...headers },
  body,
});

const MAX_BATCH = 100_000;
const REQUEST_TIMEOUT_MS = 1000;
const jsonRow = (values: unknown[]) => JSON.stringify({ keys: FEATURES, values });
const json = (body: string, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body,
});
const binaryBatch = (values: number[]): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/octet-stream', 'x-features': FEATURES.join(',') },
  body: new Float32Array(values),
});

/** A multipart body of one complete field and a file part cut off in the middle. */
const TRUNCATED_FORM =
  '--XX\r\nContent-Disposition: form-data; name="name"\r\n\r\nadmit\r\n' +
  '--XX\r\nContent-Disposition: form-data; name="params"; filename="params.json"\r\n\r\n{"na';

/** One mistaken request and the status it must get. */
interface HostileCase {
  name: string;
  status: number;
  send(url: string): Promise<{ status: number; error: string }>;
}

async function answer(response: Response): Promise<{ status: number; error: string }> {
  const text = await response.text();
  let error = text;
  try {
    error = (JSON.parse(text) as { error?: string }).error ?? text;
  } catch {}
  return { status: response.status, error };
}

const request =
  (route: string, init: RequestInit) =>
  (url: string): Promise<{ status: number; error: string }> =>
    fetch(`${url}${route}`, init).then(answer);

const CASES: HostileCase[] = [
  {
    name: 'a multipart upload cut off in a file part',
    status: 400,
    send: request('/upload', upload(TRUNCATED_FORM, { 'content-type': 'multipart/form-data; boundary=XX' })),
  },
  {
    name: 'a multipart upload without a boundary',
    status: 400,
    send: request('/upload', upload(TRUNCATED_FORM, { 'content-type': 'multipart/form-data' })),
  },
  {
    name: 'a multipart upload with no file part',
    status: 400,
    send: (url) => {
      const data = new FormData();
      data.append('name', 'admit');
      return request('/upload', upload(data))(url);
    },
  },
  {
    name: 'an upload as text/plain',
    status: 415,
    send: request('/upload', upload('hello', { 'content-type': 'text/plain' })),
  },
  {
    name: 'a bundle whose weights file is truncated',
    status: 400,
    send: (url) =>
      request('/upload', upload(form({ 'weights.bin': good['weights.bin'].subarray(0, 100) })))(url),
  },
  {
    name: 'a bundle whose weights file is not whole float32 values',
    status: 400,
    send: (url) =>
      request('/upload', upload(form({ 'weights.bin': good['weights.bin'].subarray(0, 101) })))(url),
  },
  {
    name: 'a bundle whose weights file is padded',
    status: 400,
    send: (url) =>
      request(
        '/upload',
        upload(form({ 'weights.bin': Buffer.concat([good['weights.bin'], Buffer.alloc(8)]) })),
      )(url),
  },
  {
    name: 'a bundle whose model.json names a layer no engine knows',
    status: 400,
    send: (url) =>
      request(
        '/upload',
        upload(form({ 'model.json': good['model.json'].toString().replaceAll('"Dense"', '"Densest"') })),
      )(url),
  },
  {
    name: 'a bundle without its weights file',
    status: 400,
    send: (url) => request('/upload', upload(form({ 'weights.bin': undefined })))(url),
  },
  {
    name: 'a form file larger than --max-upload',
    status: 413,
    send: (url) => request('/upload', upload(form({ 'weights.bin': Buffer.alloc(MAX_UPLOAD + 1) })))(url),
  },
  {
    name: 'a truncated tar.gz bundle',
    status: 400,
    send: (url) =>
      request(
        '/bundle',
        upload(
          rawTar(
            Object.entries(good).map(([file, content]) => ({ path: file, content })),
            true,
          ).subarray(0, 300),
          { 'content-type': 'application/octet-stream' },
        ),
      )(url),
  },
  ...['null', 'true', '[1]', '"1"'].map((value) => ({
    name: `/json with ${value} for a number`,
    status: 400,
    send: request(
      '/json',
      json(`{"keys": ${JSON.stringify(FEATURES)}, "values": [${value}, 0.5, 1, 2, 3, 1]}`),
    ),
  })),
  {
    name: '/v1/decide with a JSON row of nulls',
    status: 400,
    send: request(
      '/v1/decide',
      json(JSON.stringify({ features: FEATURES, rows: [FEATURES.map(() => null)] })),
    ),
  },
  {
    name: '/v1/decide with a binary Infinity',
    status: 400,
    send: request('/v1/decide', binaryBatch([...VALUES.slice(1), Number.POSITIVE_INFINITY])),
  },
  {
    name: '/json as text/plain',
    status: 415,
    send: request('/json', json(jsonRow(VALUES), { 'content-type': 'text/plain' })),
  },
  {
    name: '/json as application/xml',
    status: 415,
    send: request('/json', json(jsonRow(VALUES), { 'content-type': 'application/xml' })),
  },
  {
    name: '/v1/decide as text/plain',
    status: 415,
    send: request(
      '/v1/decide',
      json(JSON.stringify({ features: FEATURES, rows: [VALUES] }), { 'content-type': 'text/plain' }),
    ),
  },
  {
    name: '/proto as application/json',
    status: 415,
    send: request('/proto', json(jsonRow(VALUES))),
  },
  {
    name: '/json whose Content-Encoding says gzip but is not',
    status: 400,
    send: request('/json', json(jsonRow(VALUES), { 'content-encoding': 'gzip' })),
  },
  {
    name: '/json in an encoding the service does not decode',
    status: 415,
    send: request('/json', json(jsonRow(VALUES), { 'content-encoding': 'br' })),
  },
  {
    name: '/json whose gzip body expands beyond the body limit',
    status: 413,
    send: request('/json', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(' '.repeat(MAX_BATCH * 10)),
    }),
  },
  {
    name: 'a multipart upload with a Content-Encoding',
    status: 415,
    send: (url) => request('/upload', upload(form(), { 'content-encoding': 'gzip' }))(url),
  },
  {
    name: 'a body shorter than its Content-Length',
    status: 408,
    send: async (url) => {
      const head = 'POST /json HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100';
      return { ...(await rawHttp(url, head, 10, true)), error: '' };
    },
  },
  {
    name: '/resolve whose model output is not finite',
    status: 400,
    send: request('/resolve?lfn=/hostile&size=9e15&model=fragile', {}),
  },
  {
    name: 'DELETE /delete/ with an empty name',
    status: 400,
    send: request('/delete/', { method: 'DELETE', headers: ADMIN_AUTH }),
  },
  {
    name: 'DELETE /delete/@1: a version without a name',
    status: 400,
    send: request('/delete/@1', { method: 'DELETE', headers: ADMIN_AUTH }),
  },
  {
    name: 'DELETE /delete/admit@x: a version that is not a number',
    status: 400,
    send: request('/delete/admit@x', { method: 'DELETE', headers: ADMIN_AUTH }),
  },
  {
    name: 'a lower-case bearer scheme with a wrong token',
    status: 403,
    send: request('/delete/admit', { method: 'DELETE', headers: { authorization: 'bearer wrong' } }),
  },
];

function caseNamed(part: string): HostileCase {
  const found = CASES.find((c) => c.name.includes(part));
  assert.ok(found, part);
  return found;
}

describe('hostile requests to the model service', () => {
  let server: RunningServer;
  let url: string;
  const score = async () => {
    const res = await postJson<number[]>(`${url}/json`, { keys: FEATURES, values: VALUES });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body;
  };

  before(async () => {
    server = await start({
      maxUploadBytes: MAX_UPLOAD,
      maxBatchBytes: MAX_BATCH,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
    });
    url = server.url;
    const dir = await tinyBundle({ name: 'admit' }, path.join(server.ctx.registry.dir, 'admit', '1'));
    good = Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(path.join(dir, f))]));
    const fragile = await tinyBundle(
      { name: 'fragile', seed: 2 },
      path.join(server.ctx.registry.dir, 'fragile', '1'),
    );
    // log_size scaled so far that ln(1 + 9e15) / 1e-37 leaves float32: the model answers NaN
    const params = JSON.parse(readFileSync(path.join(fragile, 'params.json'), 'utf8'));
    params.normalization.std[FEATURES.indexOf('log_size')] = 1e-37;
    writeFileSync(path.join(fragile, 'params.json'), JSON.stringify(params));
    await server.ctx.registry.rescan();
    await server.ctx.registry.setDefault('admit');
  });
  after(() => server.close());

  it("refuses malformed forms and broken bundles with 4xx in the client's terms, and keeps the old model", async () => {
    const served = await score();
    const truncated = await caseNamed('cut off').send(url);
    assert.match(truncated.error, /^multipart form: /);
    for (const weights of [100, 101]) {
      const res = await request(
        '/upload',
        upload(form({ 'weights.bin': good['weights.bin'].subarray(0, weights) })),
      )(url);
      assert.equal(res.status, 400);
      assert.equal(
        res.error,
        `model bundle: model: the weight files hold ${weights} bytes; the weightsManifest of model.json needs ${good['weights.bin'].length}`,
      );
    }
    const unknownLayer = await caseNamed('no engine knows').send(url);
    assert.equal(unknownLayer.error, 'model bundle: model: model.json cannot be loaded as tfjs-layers');
    assert.deepEqual(await score(), served);
    assert.deepEqual(
      readdirSync(server.ctx.registry.dir).filter((f) => f.startsWith('.')),
      [],
      'no staging folder is left behind',
    );
  });

  it('takes numbers only where numbers belong, and no NaN or infinity', async () => {
    for (const value of ['null', 'true', '[1]', '"1"']) {
      const res = await caseNamed(`/json with ${value}`).send(url);
      assert.equal(res.error, 'body/values/0 must be number', value);
    }
    const nulls = await caseNamed('JSON row of nulls').send(url);
    assert.equal(nulls.error, 'body/rows/0/0 must be number');
    const infinity = await caseNamed('binary Infinity').send(url);
    assert.match(infinity.error, /^row 0, feature age: Infinity is not a finite float32 number/);
    const beyond = await request('/json', json(jsonRow([...VALUES.slice(1), 1e39])))(url);
    assert.equal(beyond.status, 400);
    assert.match(beyond.error, /^row 0, feature age: 1e\+39 is not a finite float32 number/);
  });

  it('answers 415 for a body type or encoding a route does not take, 400 for a body that does not decode', async () => {
    const plain = await caseNamed('/json as text/plain').send(url);
    assert.equal(plain.error, 'POST /json takes application/json, not text/plain');
    const decide = await caseNamed('/v1/decide as text/plain').send(url);
    assert.equal(
      decide.error,
      'POST /v1/decide takes application/json or application/octet-stream, not text/plain',
    );
    const notGzip = await caseNamed('says gzip but is not').send(url);
    assert.match(notGzip.error, /^the body does not decode as gzip, as its Content-Encoding says/);
    const served = await score();
    const gzipped = await fetch(`${url}/json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(jsonRow(VALUES)),
    });
    assert.equal(gzipped.status, 200, 'a gzip body that is gzip is decoded');
    assert.deepEqual(await gzipped.json(), served);
    const form = await fetch(`${url}/params`, {
      method: 'POST',
      headers: { ...ADMIN_AUTH, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'model=admit&version=1',
    });
    assert.equal(form.status, 200, 'a form still gives the version as text');
  });

  it('answers 408 to a request whose body never arrives in full, and closes it', async () => {
    const res = await caseNamed('shorter than its Content-Length').send(url);
    assert.equal(res.status, 408);
  });

  it('refuses an upload without a valid token before reading its body', async () => {
    const body = 256 << 20;
    for (const auth of ['', `\r\nAuthorization: Bearer wrong`]) {
      const head = `POST /bundle HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: ${body}${auth}`;
      const res = await rawHttp(url, head, body);
      assert.ok(res.sent < body / 4, `${auth || 'no token'}: ${res.sent} of ${body} bytes were taken`);
    }
  });

  it('refuses a /resolve request whose model output is not finite without recording it', async () => {
    type Hint = { score: number; error: string };
    const hint = async (query: string) => {
      const res = await fetch(`${url}/resolve?model=fragile&${query}`);
      return { status: res.status, body: (await res.json()) as Hint };
    };
    const scores = async (lfn: string, times: number[]) => {
      const out: number[] = [];
      for (const time of times) {
        const res = await hint(`lfn=${lfn}&time=${time}&size=0`);
        assert.equal(res.status, 200, res.body.error);
        out.push(res.body.score);
      }
      return out;
    };
    const [, without] = await scores('/y', [1000, 1200]);
    const [, , withRequest] = await scores('/z', [1000, 1100, 1200]);
    assert.notEqual(withRequest, without, 'a request recorded at 1100 changes the answer at 1200');
    await scores('/x', [1000]);
    const refused = await hint('lfn=/x&time=1100&size=9e15');
    assert.equal(refused.status, 400);
    assert.match(refused.body.error, /^row 0: the model's output is not a finite number/);
    const [, ...twin] = await scores('/w', [1000, 1050, 1200]);
    assert.deepEqual(
      await scores('/x', [1050, 1200]),
      twin,
      '/x answers as if the refused request was never sent',
    );
  });

  it('never shows the client a server path or an internal message', async () => {
    for (const c of CASES) {
      const res = await c.send(url);
      assert.doesNotMatch(res.error, /\.staging-|\/tmp\/|typed array|Float32Array|Cannot read/, c.name);
      assert.ok(!res.error.includes(server.ctx.registry.dir), c.name);
    }
  });

  it('refuses DELETE /delete/ without a name, and deletes nothing', async () => {
    const models = server.ctx.registry.list();
    const empty = await caseNamed('an empty name').send(url);
    assert.equal(empty.status, 400);
    assert.match(empty.error, /name the model in the path/);
    assert.deepEqual(server.ctx.registry.list(), models);
  });

  it('takes the bearer scheme in any case (RFC 7235)', async () => {
    for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
      const res = await fetch(`${url}/delete/nothing`, {
        method: 'DELETE',
        headers: { authorization: `${scheme} ${ADMIN}` },
      });
      assert.equal(res.status, 404, `${scheme}: the token is accepted and the model is unknown`);
    }
  });

  it('answers every hostile case with its 4xx, never 5xx, and keeps serving the same model', async () => {
    const served = await score();
    const versions = server.ctx.registry.list().map((p) => `${p.name}@${p.version}`);
    for (const c of CASES) {
      const res = await c.send(url);
      assert.equal(res.status, c.status, `${c.name}: ${res.error}`);
    }
    assert.deepEqual(await score(), served);
    assert.deepEqual(
      server.ctx.registry.list().map((p) => `${p.name}@${p.version}`),
      versions,
      'no version was added or removed',
    );
  });
});

describe('model service timeouts', () => {
  it('closes a connection that sends nothing for the idle timeout', async () => {
    const server = await start({ idleTimeoutMs: 300 });
    try {
      const res = await rawHttp(server.url, 'POST /json HTTP/1.1\r\nHost: x\r\nContent-Length: 10', 2, true);
      assert.ok(res.ms < 3000, `closed after ${res.ms} ms`);
    } finally {
      await server.close();
    }
  });
});
