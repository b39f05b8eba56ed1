import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { parseLinks } from '../../src/cluster/client.js';
import { keyHash } from '../../src/cluster/placement.js';
import { type RunningRedirector, startRedirector } from '../../src/cluster/server.js';
import { sha256, startTestOrigin } from '../cache/servers.js';
import { redirect } from './live.js';

async function register(redirector: RunningRedirector, id: string, url: string, site = 'A'): Promise<void> {
  const response = await fetch(`${redirector.url}/v1/nodes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id, url, site, capacity: 1e9 }),
  });
  assert.equal(response.status, 200);
}

test('proxy mode streams the file from its node, Range passed through; the origin when no node can take it', async () => {
  const bytes = randomBytes(300_000);
  const files = new Map([['/store/p.root', bytes]]);
  const [node, origin] = [await startTestOrigin(files), await startTestOrigin(files)];
  const redirector = await startRedirector({ host: '127.0.0.1', port: 0, proxy: true, origin: origin.url });
  try {
    await register(redirector, 'n1', node.url);
    const whole = await fetch(`${redirector.url}/store/p.root`, { headers: { 'x-smartcache-site': 'A' } });
    assert.equal(whole.status, 200);
    assert.equal(sha256(new Uint8Array(await whole.arrayBuffer())), sha256(bytes));
    const part = await fetch(`${redirector.url}/store/p.root`, {
      headers: { 'x-smartcache-site': 'A', range: 'bytes=1000-1999' },
    });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), `bytes 1000-1999/${bytes.length}`);
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), bytes.subarray(1000, 2000));
    assert.equal(node.asked.get('/store/p.root bytes=1000-1999'), 1);
    // a client of a site without nodes is served from the origin
    const far = await fetch(`${redirector.url}/store/p.root`, { headers: { 'x-smartcache-site': 'Z' } });
    assert.equal(sha256(new Uint8Array(await far.arrayBuffer())), sha256(bytes));
    assert.equal(origin.asked.get('/store/p.root '), 1);
  } finally {
    await redirector.close();
    await Promise.all([node.stop(), origin.stop()]);
  }
});

test('without a node or an origin a file request is 503, counted as unavailable, in both modes', async () => {
  for (const proxy of [false, true]) {
    const redirector = await startRedirector({ host: '127.0.0.1', port: 0, proxy });
    try {
      const answer = await redirect(redirector.url, '/store/x.root', 'A');
      assert.equal(answer.status, 503);
      const metrics = await (await fetch(`${redirector.url}/metrics`)).text();
      // no config and no member names site A: it is counted as another site
      assert.match(metrics, /smartcache_redirects_total\{site="other",outcome="unavailable"\} 1/);
    } finally {
      await redirector.close();
    }
  }
});

test('a hot file is redirected over the first `replicas` nodes of the site, each answer naming the rest', async () => {
  const redirector = await startRedirector({
    host: '127.0.0.1',
    port: 0,
    replicas: 2,
    hotThreshold: 1,
    hotHalfLife: 1,
    origin: 'http://origin.example:8080',
  });
  try {
    const ids = ['n1', 'n2', 'n3', 'n4'];
    for (const id of ids) await register(redirector, id, `http://${id}.example:8094`);
    const ranked = redirector.membership
      .placement()
      .rank('A', ...keyHash('/store/hot.root'))
      .map((n) => n.id);
    const firsts = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const { location, link } = await redirect(redirector.url, '/store/hot.root', 'A');
      const order = [location, ...parseLinks(link)].map((url) => new URL(url).hostname.split('.')[0]);
      firsts.add(order[0]);
      assert.deepEqual(order.slice(0, 4).sort(), [...ids].sort());
      assert.equal(order[4], 'origin');
    }
    assert.deepEqual([...firsts].sort(), ranked.slice(0, 2).sort());
    // a file asked once is not hot: its node is the first of the ranking
    const cold = await redirect(redirector.url, '/store/cold.root', 'A');
    const coldRanked = redirector.membership.placement().rank('A', ...keyHash('/store/cold.root'));
    assert.equal(new URL(cold.location).hostname.split('.')[0], coldRanked[0].id);
  } finally {
    await redirector.close();
  }
});
