/** File-count and byte watermarks of a cache node, and a shutdown that finishes running transfers. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { get, health } from './client.js';
import { nodeArgs, sha256, startNode, startTestOrigin, type TestOrigin } from './servers.js';

const SIZE = 100_000;
const FILES = new Map(Array.from({ length: 10 }, (_, i) => [`/f/${i}`, randomBytes(SIZE)]));
let origin: TestOrigin;

interface PolicyHealth {
  policyFiles: number;
  policyBytes: number;
}

before(async () => {
  origin = await startTestOrigin(FILES);
});
after(() => origin?.stop());

test('--max-files caps the files cached at once', async () => {
  const node = await startNode(nodeArgs({ origin: origin.url }, '--max-files', '3'));
  try {
    for (let i = 0; i < 6; i++) assert.equal((await get(`${node.url}/f/${i}`)).status, 200);
    const state = (await health(node.url)) as unknown as PolicyHealth;
    assert.equal(state.policyFiles, 3);
    assert.equal((await get(`${node.url}/f/5`)).headers.get('x-smartcache-decision'), 'hit');
    assert.equal((await get(`${node.url}/f/0`)).headers.get('x-smartcache-decision'), 'admit');
  } finally {
    await node.stop();
  }
});

test('--watermarks: passing the high mark evicts down to the low one', async () => {
  // room for 10 files; 0.5 of it is passed by the 6th, which leaves 2 (0.2 of it)
  const node = await startNode(
    nodeArgs({ origin: origin.url, capacity: String(10 * SIZE) }, '--watermarks', '0.5,0.2'),
  );
  try {
    const sizes: number[] = [];
    for (let i = 0; i < 6; i++) {
      await get(`${node.url}/f/${i}`);
      sizes.push(((await health(node.url)) as unknown as PolicyHealth).policyBytes);
    }
    assert.deepEqual(
      sizes,
      [1, 2, 3, 4, 5, 2].map((n) => n * SIZE),
    );
  } finally {
    await node.stop();
  }
});

test('SIGTERM lets a running transfer finish before the node exits', async () => {
  const node = await startNode(nodeArgs({ origin: origin.url }));
  origin.chunkDelayMs = 100;
  try {
    const download = get(`${node.url}/f/9`);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const exited = new Promise<number | null>((resolve) => node.child.once('exit', (code) => resolve(code)));
    node.child.kill('SIGTERM');
    const response = await download;
    assert.equal(response.status, 200);
    assert.equal(sha256(response.body), sha256(FILES.get('/f/9') as Buffer));
    assert.equal(await exited, 0);
  } finally {
    origin.chunkDelayMs = 0;
    await node.stop();
  }
});
