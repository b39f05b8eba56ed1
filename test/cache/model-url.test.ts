import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { RunningServer } from '../../src/serve/server.js';
import { tempPath } from '../helpers.js';
import { tinyBundle } from '../serve/bundles.js';
import { start } from '../serve/http.js';
import { get, metric } from './client.js';
import {
  nodeArgs,
  type RunningNode,
  sha256,
  startNode,
  startTestOrigin,
  type TestOrigin,
} from './servers.js';

const FILES = new Map(Array.from({ length: 12 }, (_, i) => [`/f/${i}`, randomBytes(40_000 + i)]));

let origin: TestOrigin;
let service: RunningServer;

/** A model of the service whose every decision is `admit`: threshold 0 admits all, 2 none. */
async function addVersion(version: number, admitAll: boolean): Promise<void> {
  const dir = await tinyBundle(
    { name: 'admit' },
    path.join(service.ctx.registry.dir, 'admit', String(version)),
  );
  const file = path.join(dir, 'params.json');
  const params = JSON.parse(readFileSync(file, 'utf8'));
  params.threshold = admitAll ? 0 : 2;
  writeFileSync(file, JSON.stringify(params));
  await service.ctx.registry.rescan();
  await service.ctx.registry.setDefault('admit', version);
}

/** A node asking the service at `modelUrl`; the timeout is generous unless a test is about it (CI machines are loaded). */
const modelNodeArgs = (modelUrl: string, extra: string[] = [], timeout = '3s') =>
  nodeArgs({ origin: origin.url }, '--model-url', modelUrl, '--model-timeout', timeout, ...extra);

async function fetchAll(node: RunningNode, names: string[]): Promise<string[]> {
  return Promise.all(
    names.map(async (name) => {
      const response = await get(`${node.url}${name}`);
      assert.equal(response.status, 200, name);
      assert.equal(sha256(response.body), sha256(FILES.get(name) as Buffer), name);
      return response.headers.get('x-smartcache-decision') ?? '';
    }),
  );
}

before(async () => {
  origin = await startTestOrigin(FILES);
  service = await start();
  await addVersion(1, true);
});

after(async () => {
  await service?.close();
  await origin?.stop();
});

test('the model service decides admission, and its new default version is used without restart', async () => {
  const node = await startNode(modelNodeArgs(service.url));
  try {
    const version = async () =>
      ((await (await fetch(`${node.url}/healthz`)).json()) as { modelVersion?: number }).modelVersion;
    assert.equal(await version(), undefined, 'no version before the service answered');
    assert.deepEqual(await fetchAll(node, ['/f/0', '/f/1', '/f/2']), ['admit', 'admit', 'admit']);
    assert.equal(await version(), 1);
    await addVersion(2, false);
    assert.deepEqual(await fetchAll(node, ['/f/3', '/f/4']), ['bypass', 'bypass']);
    assert.equal(await version(), 2);
    assert.equal(await metric(node.url, 'smartcache_cache_model_version'), 2);
    assert.deepEqual(await fetchAll(node, ['/f/0']), ['hit']);
    assert.equal(await metric(node.url, 'smartcache_cache_model_decisions_total{source="model"}'), 6);
    assert.equal(await metric(node.url, 'smartcache_cache_model_decisions_total{source="fallback"}'), 0);
  } finally {
    await node.stop();
    await addVersion(3, true);
  }
});

test('a dead or silent model service never fails a request: the fallback decides and is counted', async () => {
  const silent = createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  const slow = await startNode(modelNodeArgs(silentUrl, ['--model-fallback', 'bypass'], '300ms'));
  try {
    const started = performance.now();
    assert.deepEqual(await fetchAll(slow, ['/f/5', '/f/6']), ['bypass', 'bypass']);
    assert.ok(performance.now() - started < 5000);
    assert.equal(await metric(slow.url, 'smartcache_cache_model_decisions_total{source="fallback"}'), 2);
    assert.match(
      slow.stdout(),
      /"msg":"model service failed, the fallback decides".*no answer from the service within 300 ms/,
    );
  } finally {
    await slow.stop();
    silent.closeAllConnections();
    silent.close();
  }
  const dead = await startNode(modelNodeArgs('http://127.0.0.1:9'));
  try {
    assert.deepEqual(await fetchAll(dead, ['/f/7', '/f/8']), ['admit', 'admit']);
    assert.equal(await metric(dead.url, 'smartcache_cache_model_decisions_total{source="fallback"}'), 2);
  } finally {
    await dead.stop();
  }
});

test('--model-url excludes --bundle, and --model needs --model-url', async () => {
  await assert.rejects(
    startNode(modelNodeArgs(service.url, ['--bundle', tempPath('b')])),
    /exclude each other/,
  );
  const args = modelNodeArgs(service.url).filter(
    (a, i, all) => a !== '--model-url' && all[i - 1] !== '--model-url',
  );
  await assert.rejects(startNode([...args, '--model', 'admit']), /go with --model-url/);
});
