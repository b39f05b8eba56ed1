import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { getFile, parseLinks } from '../../src/cluster/client.js';
import { keyHash, Placement } from '../../src/cluster/placement.js';
import { type RunningRedirector, startRedirector } from '../../src/cluster/server.js';
import { fileBytes } from './file-node.js';

const NODE_SCRIPT = fileURLToPath(new URL('./file-node.js', import.meta.url));
const nodes = new Map<string, ChildProcess>();
let redirector: RunningRedirector;

async function startNode(id: string, site: string): Promise<void> {
  const child = spawn(process.execPath, [NODE_SCRIPT, id, site, redirector.url], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  nodes.set(id, child);
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`node ${id} exited with ${code}`)));
  });
}

async function waitFor(check: () => Promise<boolean>, ms: number): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`not true within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - started;
}

async function cluster(): Promise<{ nodes: { id: string }[] }> {
  return (await fetch(`${redirector.url}/v1/cluster`)).json() as Promise<{ nodes: { id: string }[] }>;
}

before(async () => {
  redirector = await startRedirector({
    host: '127.0.0.1',
    port: 0,
    heartbeatTimeoutMs: 2500,
    distances: { A: { B: 1 } },
  });
  await Promise.all([startNode('a1', 'A'), startNode('a2', 'A'), startNode('b1', 'B')]);
  await waitFor(async () => (await cluster()).nodes.length === 3, 5000);
});

after(async () => {
  for (const child of nodes.values()) child.kill('SIGKILL');
  await redirector.close();
});

async function redirect(path: string, site: string): Promise<{ location: string; links: string[] }> {
  const response = await fetch(`${redirector.url}${path}`, {
    headers: { 'x-smartcache-site': site },
    redirect: 'manual',
  });
  await response.body?.cancel();
  assert.equal(response.status, 302);
  return {
    location: response.headers.get('location') ?? '',
    links: parseLinks(response.headers.get('link')),
  };
}

test("a client of site A is sent to A's nodes, evenly (within 10 %), with B's node as the alternative", async () => {
  const { nodes: members } = (await cluster()) as { nodes: { id: string; url: string }[] };
  const idOf = new Map(members.map((m) => [new URL(m.url).host, m.id]));
  const counts = new Map<string, number>();
  for (let i = 0; i < 1000; i++) {
    const { location, links } = await redirect(`/store/f${i}.root`, 'A');
    const id = idOf.get(new URL(location).host) ?? 'unknown';
    counts.set(id, (counts.get(id) ?? 0) + 1);
    assert.deepEqual(
      links.map((l) => idOf.get(new URL(l).host)).sort(),
      ['a1', 'a2']
        .filter((n) => n !== id)
        .concat('b1')
        .sort(),
    );
  }
  assert.equal(counts.get('b1'), undefined);
  for (const id of ['a1', 'a2'])
    assert.ok(Math.abs((counts.get(id) ?? 0) - 500) < 50, `${id}: ${counts.get(id)} of 1000`);
});

test('the live redirector routes as the simulator placement does for the same membership', async () => {
  const { nodes: members } = (await cluster()) as {
    nodes: { id: string; url: string; site: string; capacity: number; weight: number }[];
  };
  const placement = new Placement(members, { distances: { A: { B: 1 } } });
  for (let i = 0; i < 200; i++) {
    const file = `/store/g${i}.root`;
    for (const site of ['A', 'B']) {
      const view = (await (await fetch(`${redirector.url}/v1/cluster?file=${file}&site=${site}`)).json()) as {
        route: { order: string[] };
      };
      const route = placement.route(site, ...keyHash(file));
      assert.deepEqual(
        view.route.order,
        [route.node, ...route.alternatives].map((n) => n?.id),
      );
    }
  }
});

test('kill -9 of a node under load: every download completes intact, and the node leaves within the timeout', async () => {
  const files = Array.from({ length: 48 }, (_, i) => `/store/load/file${i}.root`);
  const expected = new Map(files.map((f) => [f, createHash('sha256').update(fileBytes(f)).digest('hex')]));
  let killedAt = 0;
  const download = async (file: string) => {
    const hash = createHash('sha256');
    const sink = new Writable({
      write(chunk, _enc, done) {
        hash.update(chunk);
        done();
      },
    });
    await getFile(`${redirector.url}${file}`, sink, { site: 'A', attempts: 10 });
    return hash.digest('hex');
  };
  const clients = Array.from({ length: 8 }, async (_, c) => {
    const results: [string, string][] = [];
    for (let i = c; i < files.length; i += 8) results.push([files[i], await download(files[i])]);
    return results;
  });
  const gone = new Promise<number>((resolve) => {
    setTimeout(async () => {
      killedAt = Date.now();
      nodes.get('a1')?.kill('SIGKILL');
      await waitFor(async () => !(await cluster()).nodes.some((n) => n.id === 'a1'), 5000);
      resolve(Date.now() - killedAt);
    }, 300);
  });
  const results = (await Promise.all(clients)).flat();
  assert.equal(results.length, files.length);
  for (const [file, digest] of results) assert.equal(digest, expected.get(file), `${file} is corrupt`);
  assert.ok(killedAt > 0);
  const leftAfter = await gone;
  assert.ok(leftAfter <= 3000, `a1 left ${leftAfter} ms after its death`);
  for (let i = 0; i < 100; i++) {
    const { location, links } = await redirect(`/store/h${i}.root`, 'A');
    const a2 = (await cluster()) as { nodes: { id: string; url: string }[] };
    const urls = new Set(a2.nodes.map((n) => new URL(n.url).host));
    assert.ok(urls.has(new URL(location).host));
    for (const link of links) assert.ok(urls.has(new URL(link).host));
  }
});

test('a second redirector given the same heartbeats answers the same routes', async () => {
  // given heartbeats once: a timeout longer than the test keeps them, however slow the machine
  const second = await startRedirector({
    host: '127.0.0.1',
    port: 0,
    distances: { A: { B: 1 } },
    heartbeatTimeoutMs: 600_000,
  });
  try {
    const beats = (await cluster()) as {
      nodes: { id: string; url: string; site: string; capacity: number; weight: number }[];
    };
    for (const n of beats.nodes) {
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
  await redirect('/store/metrics.root', 'A');
  const metrics = await (await fetch(`${redirector.url}/metrics`)).text();
  assert.match(metrics, /smartcache_redirects_total\{[^}]*outcome="site"[^}]*\} [1-9]/);
  // the three nodes joined, and earlier tests may have made some leave and rejoin
  const joins = Number(/smartcache_membership_changes_total\{change="join"\} (\d+)/.exec(metrics)?.[1]);
  assert.ok(joins >= 3, `joins ${joins}`);
});
