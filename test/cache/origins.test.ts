import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { Random } from '../../src/common/random.js';
import { tempPath } from '../helpers.js';
import { assertRangeAnswer, get, randomRanges, settledHealth } from './client.js';
import { nodeArgs, type RunningOrigin, sha256, startNginx, startNode, startXrootd } from './servers.js';

const BLOCK = 64 * 1024;

/** Files that are not multiples of the block size, in a folder every user may read (XRootD runs as nobody under root). */
function originFiles(): { root: string; files: Map<string, Buffer> } {
  const root = tempPath('origin');
  const files = new Map<string, Buffer>([
    ['/store/data/a.root', randomBytes(7 * BLOCK + 321)],
    ['/store/data/b.root', randomBytes(BLOCK - 1)],
    ['/store/mc/c.root', randomBytes(2 * BLOCK + 1)],
  ]);
  for (const [path, bytes] of files) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), bytes);
  }
  for (const folder of [
    dirname(root),
    root,
    join(root, 'store'),
    join(root, 'store/data'),
    join(root, 'store/mc'),
  ]) {
    chmodSync(folder, 0o755);
  }
  return { root, files };
}

async function rangesEqualTheOrigin(originServer: RunningOrigin, files: Map<string, Buffer>, seed: number) {
  const node = await startNode(nodeArgs({ origin: originServer.url, capacity: '1GB' }));
  try {
    const rng = new Random(seed);
    for (let round = 0; round < 2; round++) {
      for (const [path, bytes] of files) {
        for (let i = 0; i < 5; i++) {
          const { header, ranges } = randomRanges(rng, bytes.length, 1 + rng.int(3));
          const response = await get(`${node.url}${path}`, { range: header });
          assertRangeAnswer(response, bytes, ranges, `${path} ${header}`);
        }
        const whole = await get(`${node.url}${path}`);
        assert.equal(sha256(whole.body), sha256(bytes), path);
      }
    }
    const total = [...files.values()].reduce((sum, b) => sum + b.length, 0);
    assert.equal((await settledHealth(node.url)).diskBytes, total);
  } finally {
    await node.stop();
  }
}

test('through nginx: random single and multiple ranges equal the origin byte for byte, and only closed in-file ranges reach it', async () => {
  const { root, files } = originFiles();
  const nginx = await startNginx(root);
  try {
    await rangesEqualTheOrigin(nginx, files, 5);
    const asked = readFileSync(nginx.accessLog, 'utf8');
    assert.ok(asked.includes('/store/data/a.root'));
    assert.doesNotMatch(asked, /" 416 /, 'no range past the end');
  } finally {
    await nginx.stop();
  }
});

test('through XRootD 5 (its HTTP door): random single and multiple ranges equal the origin byte for byte', async () => {
  const { root, files } = originFiles();
  const xrootd = await startXrootd(root);
  try {
    await rangesEqualTheOrigin(xrootd, files, 6);
  } finally {
    await xrootd.stop();
  }
});
