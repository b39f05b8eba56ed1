import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout } from 'node:timers/promises';
import { Random } from '../../src/common/random.js';
import { smartcache, tempPath } from '../helpers.js';
import {
  assertRangeAnswer,
  dataFiles,
  get,
  health,
  metric,
  randomRanges,
  rawStatus,
  settledHealth,
} from './client.js';
import {
  nodeArgs,
  type RunningNode,
  sha256,
  startNode,
  startTestOrigin,
  type TestOrigin,
} from './servers.js';

const BLOCK = 128 * 1024;
// sizes that are not multiples of the block size, one under a block, one empty
const FILES = new Map<string, Buffer>([
  ['/store/a.root', randomBytes(5 * BLOCK + 12_345)],
  ['/store/b.root', randomBytes(2 * BLOCK - 1)],
  ['/store/small.root', randomBytes(1000)],
  ['/store/empty.root', Buffer.alloc(0)],
  ['/store/sub/c.root', randomBytes(3 * BLOCK + 7)],
]);

let origin: TestOrigin;
let node: RunningNode;
let dir: string;

before(async () => {
  origin = await startTestOrigin(new Map(FILES));
  dir = tempPath('cache');
  node = await startNode(
    nodeArgs(
      { origin: origin.url, dir, blockSize: '128KiB' },
      '--prefetch',
      '1',
      '--admin-token',
      'admin-secret',
    ),
  );
});

after(async () => {
  await node?.stop();
  await origin?.stop();
});

test('whole files, random single and multiple ranges equal the origin byte for byte, cold and warm', async () => {
  const rng = new Random(11);
  for (const [path, bytes] of FILES) {
    const whole = await get(`${node.url}${path}`);
    assert.equal(whole.status, 200, path);
    assert.equal(sha256(whole.body), sha256(bytes), path);
    assert.equal(whole.headers.get('accept-ranges'), 'bytes');
    if (bytes.length === 0) continue;
    for (let round = 0; round < 6; round++) {
      const { header, ranges } = randomRanges(rng, bytes.length, 1 + rng.int(4));
      const response = await get(`${node.url}${path}`, { range: header });
      assertRangeAnswer(response, bytes, ranges, `${path} ${header}`);
    }
  }
  const warm = await get(`${node.url}/store/a.root`);
  assert.equal(warm.headers.get('x-smartcache-decision'), 'hit');
  assert.equal(sha256(warm.body), sha256(FILES.get('/store/a.root')!));
  // every byte of the cached files is on disk now, and nothing else
  const cachedBytes = [...FILES.values()].reduce((sum, b) => sum + b.length, 0);
  assert.deepEqual(await settledHealth(node.url).then((h) => [h.diskBytes, h.files]), [
    cachedBytes,
    FILES.size,
  ]);
  assert.equal(dataFiles(dir).length, FILES.size - 1, 'the empty file has no data file');
});

test('unsatisfiable ranges get 416, If-None-Match 304, a stale If-Range the whole file', async () => {
  const bytes = FILES.get('/store/b.root')!;
  const url = `${node.url}/store/b.root`;
  const past = await get(url, { range: `bytes=${bytes.length}-` });
  assert.equal(past.status, 416);
  assert.equal(past.headers.get('content-range'), `bytes */${bytes.length}`);
  const { headers } = await get(url);
  const etag = headers.get('etag')!;
  assert.equal((await get(url, { 'if-none-match': etag })).status, 304);
  assert.equal((await get(url, { range: 'bytes=0-9', 'if-range': etag })).status, 206);
  const stale = await get(url, { range: 'bytes=0-9', 'if-range': '"other"' });
  assert.equal(stale.status, 200);
  assert.equal(stale.body.length, bytes.length);
  const head = await fetch(url, { method: 'HEAD' });
  assert.equal(head.headers.get('content-length'), String(bytes.length));
});

test('concurrent misses on one block share one origin fetch', async () => {
  const path = '/store/collapse.root';
  const bytes = randomBytes(3 * BLOCK + 99);
  origin.files.set(path, bytes);
  origin.chunkDelayMs = 20;
  try {
    const range = `bytes=${BLOCK + 10}-${BLOCK + 5000}`;
    const answers = await Promise.all(Array.from({ length: 8 }, () => get(`${node.url}${path}`, { range })));
    for (const answer of answers) {
      assert.equal(answer.status, 206);
      assert.equal(sha256(answer.body), sha256(bytes.subarray(BLOCK + 10, BLOCK + 5001)));
    }
    assert.equal(
      origin.asked.get(`${path} bytes=${BLOCK}-${2 * BLOCK - 1}`),
      1,
      JSON.stringify([...origin.asked]),
    );
  } finally {
    origin.chunkDelayMs = 0;
  }
});

test('--fetch-memory bounds the blocks on their way to disk: readers of more wait, and get every byte', async () => {
  const paths = ['/bound/1.root', '/bound/2.root', '/bound/3.root', '/bound/4.root'];
  for (const path of paths) origin.files.set(path, randomBytes(5 * BLOCK + 77));
  const bounded = await startNode(
    nodeArgs({ origin: origin.url, blockSize: '128KiB' }, '--prefetch', '2', '--fetch-memory', '256KiB'),
  );
  origin.chunkDelayMs = 5;
  origin.mostSending = 0;
  try {
    const answers = await Promise.all(paths.map((path) => get(`${bounded.url}${path}`)));
    for (const [i, answer] of answers.entries()) {
      assert.equal(answer.status, 200);
      assert.equal(sha256(answer.body), sha256(origin.files.get(paths[i])!));
    }
    // 4 readers with 2 blocks prefetched would have 12 fetches running without the bound
    assert.ok(origin.mostSending >= 1 && origin.mostSending <= 2, `${origin.mostSending} at once`);
  } finally {
    origin.chunkDelayMs = 0;
    await bounded.stop();
  }
});

test('a block corrupted on disk is detected, fetched again and never served; the counter moves', async () => {
  const path = '/store/sub/c.root';
  const bytes = FILES.get(path)!;
  assert.equal(sha256((await get(`${node.url}${path}`)).body), sha256(bytes));
  const before = await metric(node.url, 'smartcache_cache_checksum_errors_total');
  const fetchesBefore = origin.asked.get(`${path} bytes=${BLOCK}-${2 * BLOCK - 1}`) ?? 0;
  // the data file of c.root is the one whose second block holds c.root's bytes
  const dataFile = dataFiles(dir)
    .map((name) => join(dir, 'data', name.slice(0, 2), name))
    .find((file) => {
      const probe = Buffer.alloc(64);
      readSync(openSync(file, 'r'), probe, 0, 64, BLOCK);
      return probe.equals(bytes.subarray(BLOCK, BLOCK + 64));
    });
  assert.ok(dataFile);
  const fd = openSync(dataFile, 'r+');
  writeSync(fd, Buffer.from([bytes[BLOCK + 70_000] ^ 0xff]), 0, 1, BLOCK + 70_000);
  const again = await get(`${node.url}${path}`);
  assert.equal(sha256(again.body), sha256(bytes));
  assert.equal(await metric(node.url, 'smartcache_cache_checksum_errors_total'), before + 1);
  assert.equal(origin.asked.get(`${path} bytes=${BLOCK}-${2 * BLOCK - 1}`), fetchesBefore + 1);
  assert.equal(
    sha256((await get(`${node.url}${path}`)).body),
    sha256(bytes),
    'the refetched block is stored',
  );
  assert.equal(await metric(node.url, 'smartcache_cache_checksum_errors_total'), before + 1);
});

test('paths with dot segments, encoded or not, get 400 and touch nothing', async () => {
  const files = (await health(node.url)).files;
  const asked = origin.asked.size;
  for (const bad of [
    '/store/../etc/passwd',
    '/store/%2e%2e/etc/passwd',
    '/store/%2E%2e/x',
    '/./store/a.root',
    '/%00',
  ]) {
    assert.equal(await rawStatus(node.url, bad), 400, bad);
  }
  assert.equal((await health(node.url)).files, files);
  assert.equal(origin.asked.size, asked);
});

test('admin routes need the admin token, and evict one file or a prefix', async () => {
  const evict = (query: string, token?: string) =>
    fetch(`${node.url}/admin/evict?${query}`, {
      method: 'POST',
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
  assert.equal((await evict('path=/store/small.root')).status, 403);
  assert.equal((await evict('path=/store/small.root', 'wrong')).status, 403);
  const one = await evict('path=/store/small.root', 'admin-secret');
  assert.deepEqual(await one.json(), { evicted: ['/store/small.root'] });
  const prefix = await evict('prefix=/store/sub', 'admin-secret');
  assert.deepEqual(await prefix.json(), { evicted: ['/store/sub/c.root'] });
  const left = await get(`${node.url}/store/small.root`);
  assert.equal(left.headers.get('x-smartcache-decision'), 'admit');
  assert.ok((await metric(node.url, 'smartcache_cache_evictions_total{reason="admin"}')) >= 2);
});

test("the node's access log is read by simulate --format xrootd, which finds the node's hits", async () => {
  const opens = async () => {
    let total = 0;
    for (const decision of ['hit', 'admit', 'bypass']) {
      total += await metric(node.url, `smartcache_cache_file_opens_total{decision="${decision}"}`);
    }
    return total;
  };
  const lines = () => readFileSync(join(dir, 'access.jsonl'), 'utf8').trim().split('\n');
  // a line is written once the file's transfer and its block writes are done
  for (let wait = 0; wait < 100 && lines().length < (await opens()); wait++) await setTimeout(20);
  const log = lines().map((line) => JSON.parse(line));
  assert.equal(log.length, await opens());
  assert.ok(log.length > 20);
  for (const record of log) {
    assert.equal(record.event, 'file_close');
    assert.equal(record.site_name, 'T2_TEST');
    assert.ok(record.attach_t <= record.detach_t);
    assert.ok(record.b_hit + record.b_miss + record.b_bypass <= record.size * 4, 'at most the ranges asked');
  }
  const hits = await metric(node.url, 'smartcache_cache_file_opens_total{decision="hit"}');
  const { stdout } = await smartcache(
    'simulate',
    '--trace',
    join(dir, 'access.jsonl'),
    '--format',
    'xrootd',
    '--policies',
    'lru',
    '--sizes',
    '100MB',
    '--json',
  );
  const [result] = JSON.parse(stdout);
  assert.equal(result.requests, log.length);
  // the admin evictions removed two files the simulator still holds: its one extra hit
  assert.equal(result.hits, hits + 1);
});
