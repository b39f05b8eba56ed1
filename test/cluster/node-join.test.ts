import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { get } from 'node:http';
import { after, before, test } from 'node:test';
import { type RunningRedirector, startRedirector } from '../../src/cluster/server.js';
import { smartcache, tempPath } from '../helpers.js';
import { members, type Origin, redirect, startClusterNode, startOrigin, waitFor } from './live.js';

const FILE = '/store/drain/big.root';
const SIZE = 16 << 20;
let origin: Origin;
let redirector: RunningRedirector;

before(async () => {
  origin = await startOrigin(new Map([[FILE, SIZE]]));
  redirector = await startRedirector({
    host: '127.0.0.1',
    port: 0,
    heartbeatTimeoutMs: 2500,
    origin: origin.url,
  });
});

after(async () => {
  await redirector?.close();
  await origin?.stop();
});

/** Reads `url` slowly (a pause after every chunk), so that its transfer outlasts a shutdown. */
function slowDownload(url: string, progress: { bytes: number }): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, (response) => {
      if (response.statusCode !== 200) reject(new Error(`${url}: ${response.statusCode}`));
      const hash = createHash('sha256');
      response.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        progress.bytes += chunk.length;
        response.pause();
        setTimeout(() => response.resume(), 8);
      });
      response.on('end', () => resolve(hash.digest('hex')));
      response.on('error', reject);
    }).on('error', reject);
  });
}

test('a node registers with its site, capacity, weight and URL; on SIGTERM it drains, finishes its transfer, then leaves', async () => {
  const node = await startClusterNode(origin.url, 'A', [redirector.url], ['--weight', '2']);
  try {
    const [member] = await members(redirector.url);
    assert.deepEqual(
      { ...member, joinedAt: undefined, lastSeen: undefined },
      {
        id: new URL(node.url).host,
        url: node.url,
        site: 'A',
        capacity: 2e9,
        weight: 2,
        state: 'active',
        joinedAt: undefined,
        lastSeen: undefined,
      },
    );
    assert.ok((await redirect(redirector.url, FILE, 'A')).location.startsWith(node.url));

    const progress = { bytes: 0 };
    const download = slowDownload(`${node.url}${FILE}`, progress);
    await waitFor(async () => progress.bytes >= 1 << 20, 10_000, 'the first MiB');
    const exited = new Promise<number | null>((resolve) => node.child.once('exit', resolve));
    node.child.kill('SIGTERM');
    await waitFor(
      async () => (await members(redirector.url))[0]?.state === 'draining',
      1000,
      'the node draining',
    );
    assert.ok(progress.bytes < SIZE / 2, `${progress.bytes} bytes read when the node drained`);
    const rerouted = await redirect(redirector.url, FILE, 'A');
    assert.ok(rerouted.location.startsWith(origin.url), `a new client is sent to ${rerouted.location}`);

    assert.equal(await download, origin.digests.get(FILE));
    assert.equal(await exited, 0);
    // it said goodbye: gone at once, not after the heartbeat timeout
    assert.deepEqual(await members(redirector.url), []);
  } finally {
    await node.kill();
  }
});

test('cluster options: an address of every interface needs --advertise; --weight needs --redirector', async () => {
  const common = ['cache', '--origin', origin.url, '--dir', tempPath('cache-x'), '--capacity', '1GB'];
  await assert.rejects(
    smartcache(...common, '--site', 'A', '--listen', '0.0.0.0:0', '--redirector', redirector.url),
    (err: { code: number; stderr: string }) => {
      assert.equal(err.code, 1);
      assert.match(
        err.stderr,
        /--listen 0\.0\.0\.0:0 names no address clients can be sent to: give --advertise/,
      );
      return true;
    },
  );
  await assert.rejects(smartcache(...common, '--site', 'A', '--weight', '2'), (err: { stderr: string }) =>
    /--weight and --advertise go with --redirector/.test(err.stderr),
  );
  await assert.rejects(
    smartcache(...common, '--site', 'A', '--redirector', redirector.url, '--advertise', 'http://h:1/x'),
    (err: { stderr: string }) => /--advertise.*expected a base URL without a path/.test(err.stderr),
  );
});

test('--advertise names the URL and id the redirector knows the node by', async () => {
  const node = await startClusterNode(
    origin.url,
    'B',
    [redirector.url],
    ['--listen', '0.0.0.0:0', '--advertise', 'http://cache1.example:8094/'],
  );
  try {
    const member = (await members(redirector.url)).find((m) => m.site === 'B');
    assert.equal(member?.url, 'http://cache1.example:8094');
    assert.equal(member?.id, 'cache1.example:8094');
    assert.equal(member?.weight, 1);
  } finally {
    await node.stop();
  }
});
