import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { setTimeout } from 'node:timers/promises';
import { tempPath } from '../helpers.js';
import { dataFiles, get, health, metric, settledHealth } from './client.js';
import { nodeArgs, sha256, startNode, startTestOrigin } from './servers.js';

const BLOCK = 128 * 1024;

test('kill -9 during concurrent downloads: the restarted node recovers its index, serves no corrupt byte, and counts exactly the blocks present', async () => {
  const files = new Map<string, Buffer>();
  for (let i = 0; i < 6; i++) files.set(`/crash/f${i}.root`, randomBytes(9 * BLOCK + 1000 * i + 1));
  const origin = await startTestOrigin(files);
  const dir = tempPath('cache');
  const args = nodeArgs({ origin: origin.url, dir, capacity: '1GB', blockSize: '128KiB' }, '--prefetch', '3');
  try {
    origin.chunkDelayMs = 5;
    const node = await startNode(args);
    const downloads = [...files.keys()].flatMap((path) => [
      get(`${node.url}${path}`).catch(() => undefined),
      get(`${node.url}${path}`, { range: `bytes=${4 * BLOCK + 17}-` }).catch(() => undefined),
    ]);
    // kill once some blocks are stored and others are in flight
    for (let wait = 0; wait < 200 && (await health(node.url)).diskBytes < 8 * BLOCK; wait++)
      await setTimeout(10);
    await node.kill();
    await Promise.all(downloads);
    origin.chunkDelayMs = 0;

    const restarted = await startNode(args);
    try {
      const recovered = await health(restarted.url);
      assert.ok(recovered.files > 0 && recovered.files <= files.size, JSON.stringify(recovered));
      assert.ok(recovered.diskBytes >= 8 * BLOCK, JSON.stringify(recovered));
      assert.ok(dataFiles(dir).length <= recovered.files, 'no data file the index does not know');
      const askedBefore = new Map(origin.asked);
      for (const [path, bytes] of files) {
        const response = await get(`${restarted.url}${path}`);
        assert.equal(response.status, 200);
        assert.equal(sha256(response.body), sha256(bytes), path);
      }
      assert.equal(await metric(restarted.url, 'smartcache_cache_checksum_errors_total'), 0);
      // the blocks fetched after the restart are exactly the ones the recovered accounting lacked
      let fetchedAfter = 0;
      for (const [key, count] of origin.asked) {
        const range = /bytes=(\d+)-(\d+)$/.exec(key);
        if (range && count > (askedBefore.get(key) ?? 0))
          fetchedAfter += Number(range[2]) - Number(range[1]) + 1;
      }
      const total = [...files.values()].reduce((sum, b) => sum + b.length, 0);
      assert.equal(recovered.diskBytes + fetchedAfter, total);
      assert.deepEqual(await settledHealth(restarted.url).then((h) => [h.files, h.diskBytes]), [
        files.size,
        total,
      ]);
      assert.equal(dataFiles(dir).length, files.size);
    } finally {
      await restarted.stop();
    }
  } finally {
    await origin.stop();
  }
});
