import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ModelClient, type ModelClientOptions } from '../../src/cache/model-client.js';
import { FEATURE_NAMES } from '../../src/prep/schema.js';
import { loadModel } from '../../src/serve/models/load.js';
import type { RunningServer } from '../../src/serve/server.js';
import { FEATURES, randomRows, tinyBundle } from '../serve/bundles.js';
import { start } from '../serve/http.js';

const WIDTH = FEATURE_NAMES.length;

/** Rows of all prep features whose model columns (FEATURES) are `values`, the others NaN. */
function fullRows(values: Float32Array, rows: number): Float32Array[] {
  return Array.from({ length: rows }, (_, r) => {
    const row = new Float32Array(WIDTH).fill(Number.NaN);
    FEATURES.forEach((f, k) => {
      row[FEATURE_NAMES.indexOf(f)] = values[r * FEATURES.length + k];
    });
    return row;
  });
}

function listening(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    );
  });
}

describe('the cache node model client', () => {
  let service: RunningServer;
  let bundleDir: string;

  before(async () => {
    service = await start();
    const models = service.ctx.registry.dir;
    bundleDir = await tinyBundle({ name: 'admit' }, path.join(models, 'admit', '1'));
    await service.ctx.registry.rescan();
    await service.ctx.registry.setDefault('admit', 1);
  });
  after(() => service.close());

  const client = (options: Partial<ModelClientOptions>, batches: number[] = [], reasons: string[] = []) =>
    new ModelClient(
      { url: service.url, timeoutMs: 2000, fallback: 'bypass', batchWindowMs: 5, ...options },
      (rows, _s, reason) => {
        batches.push(rows);
        if (reason) reasons.push(reason);
      },
    );

  it('scores concurrent requests in one batch, as the model does', async () => {
    const n = 40;
    const values = randomRows(n, FEATURES.length);
    const batches: number[] = [];
    const answers = await Promise.all(fullRows(values, n).map((row) => client({}, batches).decide(row)));
    const expected = (await loadModel(bundleDir)).predict(values, n);
    answers.forEach((a, r) => {
      assert.equal(a.fallbackReason, undefined);
      assert.equal(a.version, 1);
      assert.ok(Math.abs(a.score - expected[r]) < 1e-6, `row ${r}: ${a.score} vs ${expected[r]}`);
      assert.equal(a.admit, expected[r] >= 0.5);
    });
    const shared = client({}, batches);
    batches.length = 0;
    await Promise.all(fullRows(values, n).map((row) => shared.decide(row)));
    assert.deepEqual(batches, [n], 'one client batches what arrives within its window');
  });

  it('follows the default model to a new version without a restart', async () => {
    const c = client({});
    const row = fullRows(randomRows(1, FEATURES.length), 1)[0];
    assert.equal((await c.decide(row)).version, 1);
    await tinyBundle({ name: 'admit', seed: 9 }, path.join(service.ctx.registry.dir, 'admit', '2'));
    await service.ctx.registry.rescan();
    await service.ctx.registry.setDefault('admit', 2);
    assert.equal((await c.decide(row)).version, 2);
  });

  it('falls back when the service refuses, is down, or is too slow, and says why', async () => {
    const row = fullRows(randomRows(1, FEATURES.length), 1)[0];
    const refused = await client({ model: 'nosuch', fallback: 'admit' }).decide(row);
    assert.equal(refused.admit, true);
    assert.match(refused.fallbackReason ?? '', /answered 404/);

    const closed = createServer();
    const closedUrl = await listening(closed);
    await new Promise((resolve) => closed.close(resolve));
    const down = await client({ url: closedUrl }).decide(row);
    assert.equal(down.admit, false);
    assert.match(down.fallbackReason ?? '', /unreachable \(ECONNREFUSED\)/);

    const silent = createServer(() => {});
    const silentUrl = await listening(silent);
    try {
      const started = performance.now();
      const slow = await client({ url: silentUrl, timeoutMs: 200 }).decide(row);
      assert.match(slow.fallbackReason ?? '', /no answer from the service within 200 ms/);
      assert.ok(performance.now() - started < 2000);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('answers what waits with the fallback on close', async () => {
    const c = client({ batchWindowMs: 10_000 });
    const waiting = c.decide(new Float32Array(WIDTH));
    c.close();
    assert.match((await waiting).fallbackReason ?? '', /shutting down/);
  });
});
