import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { get, health, metric } from './client.js';
import {
  freePort,
  nodeArgs,
  type RunningNode,
  sha256,
  startNode,
  startTestOrigin,
  type TestOrigin,
} from './servers.js';

const BLOCK = 128 * 1024;
const failingNodeArgs = (origin: string) =>
  nodeArgs({ origin, blockSize: '128KiB' }, '--origin-timeout', '400ms', '--revalidate', '0');

let origin: TestOrigin;
let node: RunningNode;

before(async () => {
  origin = await startTestOrigin(new Map([['/f/a', randomBytes(3 * BLOCK + 5)]]));
  node = await startNode(failingNodeArgs(origin.url));
});

after(async () => {
  await node?.stop();
  await origin?.stop();
});

test('an origin that refuses connections is a 502 naming it; nothing is cached', async () => {
  const down = await startNode(failingNodeArgs(`http://127.0.0.1:${await freePort()}`));
  try {
    const response = await get(`${down.url}/f/a`);
    assert.equal(response.status, 502);
    assert.match(
      JSON.parse(response.body.toString()).error,
      /origin http:\/\/127\.0\.0\.1:\d+\/f\/a: .*ECONNREFUSED/,
    );
    assert.deepEqual(await health(down.url).then((h) => [h.files, h.diskBytes]), [0, 0]);
    assert.equal(await metric(down.url, 'smartcache_cache_origin_errors_total{kind="down"}'), 1);
  } finally {
    await down.stop();
  }
});

test('a silent origin is a 504 naming the timeout; once it answers, the file is served whole', async () => {
  const bytes = randomBytes(2 * BLOCK + 1);
  origin.files.set('/f/slow', bytes);
  origin.stall = true;
  try {
    const response = await get(`${node.url}/f/slow`);
    assert.equal(response.status, 504);
    assert.match(JSON.parse(response.body.toString()).error, /no answer or data for 400 ms/);
  } finally {
    origin.stall = false;
  }
  assert.deepEqual(
    await health(node.url).then((h) => [h.files, h.diskBytes]),
    [0, 0],
    'no entry for /f/slow',
  );
  const served = await get(`${node.url}/f/slow`);
  assert.equal(served.status, 200);
  assert.equal(sha256(served.body), sha256(bytes));
});

test('an origin that stalls mid-block aborts the transfer and leaves no partial block behind', async () => {
  const bytes = randomBytes(2 * BLOCK + 3);
  origin.files.set('/f/stalls', bytes);
  origin.chunkDelayMs = 2000; // the first 64 KiB come at once, the next after the timeout
  try {
    await assert.rejects(get(`${node.url}/f/stalls`));
  } finally {
    origin.chunkDelayMs = 0;
  }
  assert.ok((await metric(node.url, 'smartcache_cache_origin_errors_total{kind="timeout"}')) >= 1);
  const served = await get(`${node.url}/f/stalls`);
  assert.equal(served.status, 200);
  assert.equal(sha256(served.body), sha256(bytes));
  assert.equal(await metric(node.url, 'smartcache_cache_checksum_errors_total'), 0);
});

test('a file changed at the origin is served with its new bytes after revalidation', async () => {
  const first = await get(`${node.url}/f/a`);
  assert.equal(sha256(first.body), sha256(origin.files.get('/f/a')!));
  const changed = randomBytes(3 * BLOCK + 5);
  origin.files.set('/f/a', changed);
  const second = await get(`${node.url}/f/a`);
  assert.equal(second.status, 200);
  assert.equal(sha256(second.body), sha256(changed));
  assert.equal(second.headers.get('x-smartcache-decision'), 'admit');
  assert.equal(await metric(node.url, 'smartcache_cache_evictions_total{reason="changed"}'), 1);
  const third = await get(`${node.url}/f/a`, { range: `bytes=${BLOCK}-${BLOCK + 99}` });
  assert.equal(sha256(third.body), sha256(changed.subarray(BLOCK, BLOCK + 100)));
});
