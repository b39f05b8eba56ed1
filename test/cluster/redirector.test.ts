import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { getFile, parseLinks } from '../../src/cluster/client.js';
import { keyHash, Placement } from '../../src/cluster/placement.js';
import type { ClusterView } from '../../src/cluster/redirector.js';
import { type RunningRedirector, startRedirector } from '../../src/cluster/server.js';
import type { RunningNode } from '../cache/servers.js';
import { members, type Origin, redirect, startClusterNode, startOrigin, waitFor } from './live.js';

/** 50 files of 1-3 MB for the downloads under load. */
const LOAD_FILES = Array.from({ length: 50 }, (_, i) => `/store/load/file${i}.root`);
const loadSize = (i: number) => 1_000_000 + ((i * 7_919_333) % 2_000_000);
const HEARTBEAT_TIMEOUT_MS = 2500;
const DISTANCES = { A: { B: 1 } };

let origin: Origin;
let redirector: RunningRedirector;
/** node name -> the running node */
const nodes = new Map<string, RunningNode>();

async function startMember(name: string, site: string, weight: number): Promise<void> {
  nodes.set(name, await startClusterNode(origin.url, site, [redirector.url], ['--weight', String(weight)]));
}

/** The node name of a URL the redirector sent a client to ('origin' for the origin). */
function nameOf(url: string): string {
  const host = new URL(url).host;
  if (host === new URL(origin.url).host) return 'origin';
  for (const [name, node] of nodes) if (new URL(node.url).host === host) return name;
  return `unknown ${host}`;
}

/** Runs `work` over `items`, `width` at a time. */
async function inParallel<T, R>(items: T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]);
      }
    }),
  );
  return results;
}

/** The first choice of the redirector for a client of `site`, by node name, for each file. */
const firstChoices = (files: string[], site: string) =>
  inParallel(files, 16, async (file) => nameOf((await redirect(redirector.url, file, site)).location));

before(async () => {
  origin = await startOrigin(new Map(LOAD_FILES.map((file, i) => [file, loadSize(i)])));
  redirector = await startRedirector({
    host: '127.0.0.1',
    port: 0,
    heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS,
    distances: DISTANCES,
    origin: origin.url,
  });
  await Promise.all([startMember('a1', 'A', 1), startMember('a2', 'A', 2), startMember('b1', 'B', 1)]);
});

after(async () => {
  await Promise.all([...nodes.values()].map((node) => node.kill()));
  await redirector?.close();
  await origin?.stop();
});

test("3 nodes on 2 sites: a client of A is sent to A's nodes, files spread within 10 % of their weights", async (t) => {
  const files = Array.from({ length: 3000 }, (_, i) => `/store/spread/f${i}.root`);
  const answers = await inParallel(files, 16, (file) => redirect(redirector.url, file, 'A'));
  const counts = new Map<string, number>();
  for (const { status, location, link } of answers) {
    assert.equal(status, 302);
    const first = nameOf(location);
    counts.set(first, (counts.get(first) ?? 0) + 1);
    // the other node of A, then B's node, then the origin
    assert.deepEqual(parseLinks(link).map(nameOf), [first === 'a1' ? 'a2' : 'a1', 'b1', 'origin']);
  }
  assert.deepEqual([...counts.keys()].sort(), ['a1', 'a2']);
  t.diagnostic(`first choices of ${files.length} files: a1 ${counts.get('a1')}, a2 ${counts.get('a2')}`);
  // weights 1 and 2: a third and two thirds
  for (const [name, share] of [
    ['a1', 1 / 3],
    ['a2', 2 / 3],
  ] as const) {
    const expected = share * files.length;
    const got = counts.get(name) ?? 0;
    assert.ok(Math.abs(got - expected) <= 0.1 * expected, `${name}: ${got} of ${files.length}`);
  }
  const fromB = await firstChoices(files.slice(0, 200), 'B');
  assert.ok(
    fromB.every((name) => name === 'b1'),
    'a client of B goes to b1',
  );
});

test('the live redirector routes as the simulator placement does for the same membership', async () => {
  const placement = new Placement(await members(redirector.url), { distances: DISTANCES });
  for (let i = 0; i < 200; i++) {
    const file = `/store/g${i}.root`;
    for (const site of ['A', 'B']) {
      const view = (await (
        await fetch(`${redirector.url}/v1/cluster?file=${file}&site=${site}`)
      ).json()) as ClusterView;
      const route = placement.route(site, ...keyHash(file));
      assert.deepEqual(
        view.route?.order,
        [route.node, ...route.alternatives].map((n) => n?.id),
      );
    }
  }
});

test('a second redirector given the same heartbeats answers the same routes', async () => {
  // given heartbeats once: a timeout longer than the test keeps them, however slow the machine
  const second = await startRedirector({
    host: '127.0.0.1',
    port: 0,
    distances: DISTANCES,
    heartbeatTimeoutMs: 600_000,
  });
  try {
    for (const n of await members(redirector.url)) {
      const response = await fetch(`${second.url}/v1/nodes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: n.id, url: n.url, site: n.site, capacity: n.capacity, weight: n.weight }),
      });
      assert.equal(response.status, 200);
    }
    for (let i = 0; i < 100; i++) {
      const path = `/store/r${i}.root`;
      const one = await fetch(`${redirector.url}/v1/cluster?file=${path}&site=A`).then((r) => r.json());
      const two = await fetch(`${second.url}/v1/cluster?file=${path}&site=A`).then((r) => r.json());
      assert.deepEqual((one as { route: unknown }).route, (two as { route: unknown }).route);
    }
  } finally {
    await second.close();
  }
});

test('a node joining takes only the files that now hash to it: a share close to its weight over the total', async (t) => {
  const files = Array.from({ length: 4000 }, (_, i) => `/store/join/f${i}.root`);
  const before = await firstChoices(files, 'A');
  await startMember('a3', 'A', 1);
  const after = await firstChoices(files, 'A');
  let moved = 0;
  for (let i = 0; i < files.length; i++) {
    if (after[i] === before[i]) continue;
    assert.equal(after[i], 'a3', `${files[i]} moved from ${before[i]} to ${after[i]}`);
    moved++;
  }
  // weights 1, 2 and now 1: the new node takes a quarter
  const share = moved / files.length;
  t.diagnostic(`moved ${moved} of ${files.length} files, all to a3`);
  assert.ok(Math.abs(share - 0.25) < 0.03, `moved share ${share}`);
});

test('kill -9 of a node under load: 200 downloads complete intact, and the redirector stops sending to it within 3 s', async (t) => {
  const digests = origin.digests;
  const victim = 'a2';
  const victimHost = new URL(nodes.get(victim)?.url ?? '').host;
  const victimFiles = (await firstChoices(LOAD_FILES, 'A')).flatMap((name, i) =>
    name === victim ? [LOAD_FILES[i]] : [],
  );
  assert.ok(victimFiles.length > 5, `${victim} holds ${victimFiles.length} of the load files`);
  let retries = 0;
  let done = 0;
  const download = async (file: string) => {
    const hash = createHash('sha256');
    const sink = new Writable({
      write(chunk, _enc, callback) {
        hash.update(chunk);
        callback();
      },
    });
    await getFile(`${redirector.url}${file}`, sink, { site: 'A', attempts: 10, onRetry: () => retries++ });
    done++;
    return [file, hash.digest('hex')] as const;
  };
  const downloads = Array.from({ length: 200 }, (_, i) => LOAD_FILES[i % LOAD_FILES.length]);
  const results = inParallel(downloads, 8, download);

  await waitFor(async () => done >= 40, 60_000, '40 downloads');
  const killedAt = Date.now();
  await nodes.get(victim)?.kill();
  // asks for the victim's files until it has been gone from the answers for a while
  let lastToVictim = killedAt;
  let probes = 0;
  while (Date.now() - lastToVictim < 1000 && Date.now() - killedAt < 10_000) {
    const { location } = await redirect(redirector.url, victimFiles[probes++ % victimFiles.length], 'A');
    if (new URL(location).host === victimHost) lastToVictim = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }

  const downloaded = await results;
  assert.equal(downloaded.length, 200);
  for (const [file, digest] of downloaded) assert.equal(digest, digests.get(file), `${file} is corrupt`);
  assert.ok(retries > 0, 'no download met the dead node: the test did not test failover');
  const lastRedirect = lastToVictim - killedAt;
  t.diagnostic(`${retries} retries; last redirect to the dead node ${lastRedirect} ms after its death`);
  assert.ok(lastRedirect <= 3000, `last redirect to the dead node ${lastRedirect} ms after its death`);
  const live = new Set((await members(redirector.url)).map((m) => new URL(m.url).host));
  assert.ok(!live.has(victimHost));
  for (let i = 0; i < 100; i++) {
    const { location, link } = await redirect(redirector.url, `/store/h${i}.root`, 'A');
    for (const url of [location, ...parseLinks(link)])
      assert.ok(live.has(new URL(url).host) || nameOf(url) === 'origin', url);
  }
});

test('bad requests are 4xx: dot segments, a heartbeat without a site, an unknown node leaving', async () => {
  for (const path of ['/store/%2e%2e/etc/passwd', '/store/../etc/passwd', '/a/%2E/b']) {
    const status = await new Promise<number>((resolve, reject) => {
      const { hostname, port } = new URL(redirector.url);
      request({ hostname, port, path, headers: { 'x-smartcache-site': 'A' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    assert.equal(status, 400, path);
  }
  const beat = await fetch(`${redirector.url}/v1/nodes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'x', url: 'http://127.0.0.1:1', capacity: 1 }),
  });
  assert.equal(beat.status, 400);
  assert.equal((await fetch(`${redirector.url}/v1/nodes/nobody`, { method: 'DELETE' })).status, 404);
  assert.equal((await redirect(redirector.url, '/store/metrics.root', 'A')).status, 302);
  const metrics = await (await fetch(`${redirector.url}/metrics`)).text();
  assert.match(metrics, /smartcache_redirects_total\{[^}]*outcome="site"[^}]*\} [1-9]/);
  const joins = Number(/smartcache_membership_changes_total\{change="join"\} (\d+)/.exec(metrics)?.[1]);
  assert.ok(joins >= 4, `joins ${joins}`);
  assert.match(metrics, /smartcache_membership_changes_total\{change="expire"\} 1/);
});
