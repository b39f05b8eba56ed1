import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { getFile } from '../../src/cluster/client.js';
import type { DashboardState } from '../../src/deploy/dashboard/state.js';
import { startSyntheticOrigin, syntheticBytes } from '../../src/deploy/stack/origin-server.js';
import { type StackState, writeStackState } from '../../src/deploy/stack/state.js';
import type { StackStatus } from '../../src/deploy/stack/supervisor.js';
import { smartcache } from '../helpers.js';
import { settledCounters } from './node-counters.js';
import { runs, stackDir, status, until, up } from './stack-helpers.js';

const SMALL_STACK = {
  origin: { generated: { requests: 400, seed: 5, medianFileSize: '32KB' } },
  sites: [
    { name: 'T2_IT_Pisa', nodes: [{ capacity: '8MB' }, { capacity: '8MB', policy: 's3fifo' }] },
    { name: 'T2_IT_Bari', nodes: [{ capacity: '8MB' }] },
  ],
  stopTimeout: '5s',
  dashboard: { interval: '200ms' },
};

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const whole = (path: string, size: number) => Buffer.concat([...syntheticBytes(path, 0, size)]);

function collector(): { out: Writable; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  return { out, bytes: () => Buffer.concat(chunks) };
}

/**
 * The stack's dashboard lists every node of the stack under its site, with the counters of its
 * /metrics, in a poll that started after those counters held still and read every node (on a
 * loaded machine one poll may time out on a node, which the page then shows as its error).
 */
async function dashboardShowsNodes(dashboard: string, s: StackStatus): Promise<void> {
  const nodes = s.components.filter((c) => c.kind === 'cache');
  const expected = await Promise.all(nodes.map((c) => settledCounters(c.url)));
  const settled = Date.now();
  const readEveryNode = (st: DashboardState) =>
    st.updatedAt > settled && st.sites.every((site) => site.nodes.every((n) => n.error === undefined));
  let state = (await (await fetch(`${dashboard}/api/state`)).json()) as DashboardState;
  for (let i = 0; i < 100 && !readEveryNode(state); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    state = (await (await fetch(`${dashboard}/api/state`)).json()) as DashboardState;
  }
  assert.ok(readEveryNode(state), 'no dashboard poll read every node within 10 s');
  assert.equal(state.redirector.url, s.components.find((c) => c.kind === 'redirector')!.url);
  assert.equal(state.models.url, s.components.find((c) => c.kind === 'model')!.url);
  assert.equal(state.models.error, undefined);
  const shown = state.sites.flatMap((site) => site.nodes.map((n) => ({ ...n, site: site.name })));
  assert.deepEqual(shown.map((n) => n.url).sort(), nodes.map((c) => c.url).sort());
  assert.ok(
    expected.some((c) => c.opens > 0),
    'the nodes served the downloads',
  );
  for (const [i, node] of nodes.entries()) {
    const view = shown.find((n) => n.url === node.url)!;
    assert.equal(view.site, node.site);
    assert.equal(view.state, 'active');
    assert.deepEqual(view.totals, expected[i], node.name);
  }
}

const folders: string[] = [];
after(async () => {
  for (const dir of folders) await rm(dir, { recursive: true, force: true });
});

describe('the synthetic origin', () => {
  it('serves the same bytes whole and by any range, and 404 for files it does not list', async () => {
    const files = new Map([['/store/a.root', 100_003]]);
    const origin = await startSyntheticOrigin(files, '127.0.0.1', 0);
    try {
      const full = whole('/store/a.root', 100_003);
      const got = Buffer.from(await (await fetch(`${origin.url}/store/a.root`)).arrayBuffer());
      assert.equal(sha(got), sha(full));
      for (const [start, end] of [
        [0, 0],
        [15, 16],
        [17, 70_000],
        [65_535, 100_002],
      ]) {
        const response = await fetch(`${origin.url}/store/a.root`, {
          headers: { range: `bytes=${start}-${end}` },
        });
        assert.equal(response.status, 206);
        assert.equal(response.headers.get('content-range'), `bytes ${start}-${end}/100003`);
        assert.equal(sha(Buffer.from(await response.arrayBuffer())), sha(full.subarray(start, end + 1)));
      }
      const head = await fetch(`${origin.url}/store/a.root`, { method: 'HEAD' });
      assert.equal(head.headers.get('content-length'), '100003');
      assert.ok(head.headers.get('etag'));
      assert.equal((await fetch(`${origin.url}/store/b.root`)).status, 404);
      const past = await fetch(`${origin.url}/store/a.root`, { headers: { range: 'bytes=100003-' } });
      assert.equal(past.status, 416);
      await past.body?.cancel();
    } finally {
      await origin.close();
    }
  });
});

describe('smartcache up, status, down', () => {
  it('starts 2 sites and 3 nodes and a dashboard showing their /metrics, serves files through the redirector, and down leaves no process', async () => {
    const { dir, file } = await stackDir(SMALL_STACK);
    folders.push(dir);
    const running = await up(dir, file);
    let pids: number[] = [];
    try {
      const s = await status(file);
      assert.equal(s.phase, 'running');
      assert.equal(s.supervisor.pid, running.child.pid);
      assert.deepEqual(
        s.components.map((c) => [c.name, c.kind, c.site ?? '']),
        [
          ['origin', 'origin', ''],
          ['model', 'model', ''],
          ['redirector', 'redirector', ''],
          ['T2_IT_Pisa-1', 'cache', 'T2_IT_Pisa'],
          ['T2_IT_Pisa-2', 'cache', 'T2_IT_Pisa'],
          ['T2_IT_Bari-1', 'cache', 'T2_IT_Bari'],
          ['dashboard', 'dashboard', ''],
        ],
      );
      assert.ok(
        s.components.every((c) => c.health === 'ok' && c.running && c.pid > 0),
        JSON.stringify(s),
      );
      pids = s.components.map((c) => c.pid);
      const text = (await smartcache('status', '-f', file)).stdout;
      assert.match(text, /T2_IT_Bari-1\s+cache\s+T2_IT_Bari\s+\d+\s+http:\/\/127\.0\.0\.1:\d+\s+ok/);
      const dashboard = s.components.find((c) => c.kind === 'dashboard')!.url;
      assert.ok(text.includes(`dashboard: open ${dashboard}/ in a browser`), text);
      assert.ok(
        running.output().includes(`dashboard on ${dashboard}/; smartcache down to stop`),
        running.output(),
      );

      const redirector = s.components.find((c) => c.kind === 'redirector')!.url;
      const catalog = JSON.parse(
        await readFile(join(dir, '.smartcache', 'origin', 'catalog.json'), 'utf8'),
      ) as {
        files: Record<string, number>;
      };
      const picked = Object.entries(catalog.files).slice(0, 6);
      const servedBy = new Set<string>();
      for (const [i, [path, size]] of picked.entries()) {
        const { out, bytes } = collector();
        const site = i % 2 === 0 ? 'T2_IT_Pisa' : 'T2_IT_Bari';
        const result = await getFile(`${redirector}${path}`, out, { site, attempts: 2 });
        assert.equal(result.bytes, size);
        assert.equal(sha(bytes()), sha(whole(path, size)), path);
        for (const url of result.servedBy) servedBy.add(new URL(url).host);
      }
      const nodeHosts = s.components.filter((c) => c.kind === 'cache').map((c) => new URL(c.url).host);
      assert.ok(
        [...servedBy].every((host) => nodeHosts.includes(host)),
        `served by ${[...servedBy]}`,
      );
      await dashboardShowsNodes(dashboard, s);

      await assert.rejects(up(dir, file, 10_000), /a stack already runs in/);
    } finally {
      const { stderr } = await smartcache('down', '-f', file);
      assert.match(stderr, /stopped/);
    }
    assert.equal(await running.exited, 0);
    assert.equal(pids.length, 7);
    for (const pid of pids) assert.equal(runs(pid), false, `pid ${pid} still runs`);
    assert.equal(existsSync(join(dir, '.smartcache', 'stack.json')), false);
    await assert.rejects(smartcache('status', '-f', file), /no stack runs in/);
  });

  it('up --detach returns once the stack runs; down stops by pid the components of a killed supervisor', async () => {
    const { dir, file } = await stackDir({ ...SMALL_STACK, sites: [SMALL_STACK.sites[1]] });
    folders.push(dir);
    const { stderr } = await smartcache('up', '-f', file, '--detach');
    const supervisor = Number(/stack up in the background \(smartcache up, pid (\d+)\)/.exec(stderr)?.[1]);
    const s = await status(file);
    assert.equal(s.supervisor.pid, supervisor);
    const dashboard = s.components.find((c) => c.kind === 'dashboard')!;
    assert.ok(stderr.includes(`, dashboard on ${dashboard.url}/;`), stderr);
    assert.ok(s.components.every((c) => c.health === 'ok'));
    process.kill(supervisor, 'SIGKILL');
    await until(() => !runs(supervisor), 5000, 'the killed supervisor gone');
    const node = s.components.find((c) => c.kind === 'cache')!;
    process.kill(node.pid, 'SIGKILL');
    await until(() => !runs(node.pid), 5000, 'the killed node gone');
    // status exits 1 when a component is not healthy
    const failed = (await smartcache('status', '-f', file, '--json').then(
      () => assert.fail('status exited 0 with a dead node'),
      (err: { code: number; stdout: string }) => err,
    )) as { code: number; stdout: string };
    assert.equal(failed.code, 1);
    const seen = JSON.parse(failed.stdout) as StackStatus;
    assert.equal(seen.supervisor.running, false);
    assert.deepEqual(
      seen.components.map((c) => [c.name, c.running, c.health]),
      [
        ['origin', true, 'ok'],
        ['model', true, 'ok'],
        ['redirector', true, 'ok'],
        ['T2_IT_Bari-1', false, 'down'],
        ['dashboard', true, 'ok'],
      ],
    );
    const { stdout } = await smartcache('down', '-f', file, '--json');
    const stopped = JSON.parse(stdout) as { name: string; pid: number; how: string }[];
    assert.deepEqual(
      stopped.map((c) => [c.name, c.how]),
      [
        ['dashboard', 'exited'],
        ['T2_IT_Bari-1', 'gone'],
        ['redirector', 'exited'],
        ['model', 'exited'],
        ['origin', 'exited'],
      ],
    );
    for (const c of s.components) assert.equal(runs(c.pid), false, `${c.name} (pid ${c.pid}) still runs`);
  });

  it('down and status leave alone a process that reused a recorded pid', async () => {
    const { dir, file } = await stackDir(SMALL_STACK);
    folders.push(dir);
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const pid = other.pid!;
      const state: StackState = {
        file,
        supervisor: pid,
        supervisorSince: '1',
        started: new Date().toISOString(),
        phase: 'running',
        stopTimeout: 1,
        components: [
          { name: 'T2_IT_Pisa-1', kind: 'cache', pid, since: '1', url: 'http://127.0.0.1:9', log: '' },
        ],
      };
      await writeStackState(join(dir, '.smartcache', 'stack.json'), state);
      const seen = await smartcache('status', '-f', file, '--json').catch((err: { stdout: string }) => err);
      const shown = JSON.parse(seen.stdout) as StackStatus;
      assert.equal(shown.supervisor.running, false);
      assert.equal(shown.components[0].running, false);
      const { stdout } = await smartcache('down', '-f', file, '--json');
      assert.deepEqual(JSON.parse(stdout), [{ name: 'T2_IT_Pisa-1', pid, how: 'gone' }]);
      assert.equal(runs(pid), true, "down signalled a process that is not the stack's");
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('a component that cannot start fails up with its reason and log, and nothing is left running', async () => {
    const { dir, file } = await stackDir({
      ...SMALL_STACK,
      sites: [{ name: 'T2_IT_Bari', nodes: [{ capacity: '8MB', policy: 'nosuchpolicy' }] }],
    });
    folders.push(dir);
    const failure = await up(dir, file).then(
      () => assert.fail('up started a stack with a node that cannot start'),
      (err: Error) => err.message,
    );
    const log = join(dir, '.smartcache', 'logs', 'T2_IT_Bari-1.log');
    assert.match(failure, /T2_IT_Bari-1: exited \(1\) before it listened/);
    assert.match(failure, /nosuchpolicy/);
    assert.ok(failure.includes(`(log: ${log})`), failure);
    const pids = [...failure.matchAll(/ready at \S+ \(pid (\d+)\)/g)].map((m) => Number(m[1]));
    assert.doesNotMatch(failure, /dashboard ready/, 'the dashboard starts once every node has joined');
    assert.equal(pids.length, 3, failure);
    for (const pid of pids) assert.equal(runs(pid), false, `pid ${pid} still runs`);
    assert.equal(existsSync(join(dir, '.smartcache', 'stack.json')), false);
  });
});
