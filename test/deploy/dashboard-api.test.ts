/**
 * The dashboard's API without a browser: /api/state against a redirector and nodes whose
 * /metrics say known numbers, the event stream, the assets route, sources that fail, and the
 * CLI that starts it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningRedirector, startRedirector } from '../../src/cluster/server.js';
import { type RunningDashboard, startDashboard } from '../../src/deploy/dashboard/server.js';
import type { DashboardState } from '../../src/deploy/dashboard/state.js';
import { appendLoopEvent } from '../../src/deploy/loop-history.js';
import { browserBundleFile, PLOT_BUNDLES } from '../../src/report/html.js';
import { repoRoot, smartcache, tempPath } from '../helpers.js';

/** A stand-in cache node whose /metrics answers `metrics` (changeable) and nothing else. */
async function fakeNode(): Promise<{ url: string; server: Server; metrics: { text: string } }> {
  const metrics = {
    text: `# TYPE smartcache_cache_file_opens_total counter
smartcache_cache_file_opens_total{decision="hit"} 30
smartcache_cache_file_opens_total{decision="admit"} 10
smartcache_cache_bytes_total{outcome="hit"} 3000000
smartcache_cache_bytes_total{outcome="miss"} 1000000
`,
  };
  const server = createServer((req, res) => {
    if (req.url === '/metrics') res.writeHead(200, { 'content-type': 'text/plain' }).end(metrics.text);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, metrics };
}

async function heartbeat(redirector: string, id: string, url: string, site: string): Promise<void> {
  const response = await fetch(`${redirector}/v1/nodes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id, url, site, capacity: 1e9 }),
  });
  assert.equal(response.status, 200);
}

const state = async (dashboard: RunningDashboard): Promise<DashboardState> =>
  (await fetch(`${dashboard.url}/api/state`)).json() as Promise<DashboardState>;

describe('the dashboard API', () => {
  let redirector: RunningRedirector;
  let node: Awaited<ReturnType<typeof fakeNode>>;
  let dashboard: RunningDashboard;
  const history = tempPath('loop.jsonl');

  before(async () => {
    redirector = await startRedirector({ host: '127.0.0.1', port: 0, heartbeatTimeoutMs: 60_000 });
    node = await fakeNode();
    await heartbeat(redirector.url, 'n1', node.url, 'T2_IT_Pisa');
    await appendLoopEvent(history, {
      time: '2026-12-03T19:00:00.000Z',
      round: 1,
      step: 'collect',
      ok: true,
      seconds: 2,
      detail: 'collected',
    });
    appendFileSync(history, 'not an event\n');
    dashboard = await startDashboard({
      host: '127.0.0.1',
      port: 0,
      redirector: redirector.url,
      // a closed port: nothing listens there
      modelUrl: 'http://127.0.0.1:9',
      loopHistory: history,
      intervalMs: 100,
      points: 3,
    });
  });

  after(async () => {
    await dashboard?.close();
    await redirector?.close();
    await new Promise((resolve) => node?.server.close(resolve));
  });

  it('serves the counters of /metrics, the site map and a series bounded to --points', async () => {
    const first = await state(dashboard);
    assert.deepEqual(
      first.sites.map((s) => [s.name, s.nodes.map((n) => [n.id, n.state])]),
      [['T2_IT_Pisa', [['n1', 'active']]]],
    );
    const [view] = first.sites[0].nodes;
    assert.deepEqual(view.totals, { opens: 40, hits: 30, bytesHit: 3e6, bytesOrigin: 1e6 });
    assert.deepEqual(view.shown, {
      requests: '40',
      hits: '30',
      hitRatio: '75.0%',
      byteHitRatio: '75.0%',
      wanSaved: '3 MB',
      fromOrigin: '1 MB',
    });
    assert.equal(first.series.n1[0].hitRatio, 0.75);
    // 10 more opens, all hits: the next point's interval ratio is 1
    node.metrics.text = node.metrics.text.replace('{decision="hit"} 30', '{decision="hit"} 40');
    for (let i = 0; i < 100 && (await state(dashboard)).series.n1.length < 3; i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const later = await state(dashboard);
    assert.equal(later.series.n1.length, 3);
    assert.equal(later.series.n1.at(-1)?.opens, 50);
    assert.ok(later.series.n1.some((p) => p.hitRatio === 1));
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal((await state(dashboard)).series.n1.length, 3, 'never more than --points');
  });

  it('reports sources that fail beside the ones that answer', async () => {
    const s = await state(dashboard);
    assert.match(s.models.error ?? '', /^http:\/\/127\.0\.0\.1:9\/models: /);
    assert.deepEqual(s.loop.skippedLines, [2]);
    assert.deepEqual(
      s.loop.events.map((e) => e.detail),
      ['collected'],
    );
    node.metrics.text = 'smartcache_cache_file_opens_total{decision="hit" 1\n';
    for (let i = 0; i < 100 && !(await state(dashboard)).sites[0].nodes[0].error; i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    assert.match(
      (await state(dashboard)).sites[0].nodes[0].error ?? '',
      new RegExp(`^${node.url}/metrics, line 1: expected , or \\} after label decision`),
    );
  });

  it('streams a snapshot, then an update per poll with the loop events appended since', async () => {
    const controller = new AbortController();
    const response = await fetch(`${dashboard.url}/api/events`, { signal: controller.signal });
    assert.equal(response.headers.get('content-type'), 'text/event-stream');
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const events: { event: string; data: { loop: { from?: number; events: { detail: string }[] } } }[] = [];
    const deadline = Date.now() + 10_000;
    let appended = false;
    while (!events.some((e) => e.event === 'update' && e.data.loop.events.length > 0)) {
      assert.ok(Date.now() < deadline, `no update with the new event within 10 s: ${text.slice(0, 300)}`);
      const { value, done } = await Promise.race([
        reader.read(),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('the stream sent nothing for 2 s')), 2000).unref(),
        ),
      ]);
      assert.equal(done, false);
      text += value;
      for (let end = text.indexOf('\n\n'); end >= 0; end = text.indexOf('\n\n')) {
        const [eventLine, dataLine] = text.slice(0, end).split('\n');
        text = text.slice(end + 2);
        events.push({
          event: eventLine.slice('event: '.length),
          data: JSON.parse(dataLine.slice('data: '.length)),
        });
      }
      if (!appended && events.length > 0) {
        appended = true;
        await appendLoopEvent(history, {
          time: '2026-12-03T19:00:02.000Z',
          round: 1,
          step: 'prep',
          ok: false,
          seconds: 0.5,
          detail: 'no access logs yet',
        });
      }
    }
    controller.abort();
    assert.equal(events[0].event, 'snapshot');
    const update = events.find((e) => e.event === 'update' && e.data.loop.events.length > 0)!;
    assert.equal(update.data.loop.from, 1);
    assert.deepEqual(
      update.data.loop.events.map((e) => e.detail),
      ['no access logs yet'],
    );
  });

  it('serves the plotting bundles from node_modules, and only them', async () => {
    for (const name of PLOT_BUNDLES) {
      const response = await fetch(`${dashboard.url}/assets/${name}.js`);
      assert.equal(response.status, 200, name);
      assert.match(response.headers.get('content-type') ?? '', /^text\/javascript/);
      assert.equal(await response.text(), readFileSync(browserBundleFile(name), 'utf8'), name);
    }
    assert.equal((await fetch(`${dashboard.url}/assets/fastify.js`)).status, 400);
    const page = await (await fetch(`${dashboard.url}/`)).text();
    assert.doesNotMatch(page, /<script src="(https?:)?\/\//, 'no script from elsewhere');
  });

  it('keeps the last membership when the redirector stops answering, and says so', async () => {
    await redirector.close();
    for (let i = 0; i < 100 && !(await state(dashboard)).redirector.error; i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const s = await state(dashboard);
    assert.match(s.redirector.error ?? '', new RegExp(`^${redirector.url}/v1/cluster: `));
    assert.deepEqual(
      s.sites.flatMap((site) => site.nodes.map((n) => n.id)),
      ['n1'],
    );
  });
});

describe('smartcache dashboard', () => {
  it('needs --redirector, and --model-url with a token file', async () => {
    await assert.rejects(smartcache('dashboard'), /required option '-r, --redirector <url>' not specified/);
    await assert.rejects(
      smartcache('dashboard', '--redirector', 'http://127.0.0.1:9', '--model-token-file', 'token'),
      /--model-token-file needs --model-url/,
    );
  });

  it('listens, answers, and exits 0 on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [
        join(repoRoot, 'dist/src/cli/main.js'),
        'dashboard',
        '--listen',
        '127.0.0.1:0',
        '-r',
        'http://127.0.0.1:9',
        '-q',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let err = '';
        const timer = setTimeout(() => reject(new Error(`no start within 15 s: ${err}`)), 15_000);
        child.stderr.on('data', (chunk) => {
          err += chunk;
          const started = /dashboard on (\S+)\//.exec(err);
          if (started) {
            clearTimeout(timer);
            resolve(started[1]);
          }
        });
      });
      assert.deepEqual(await (await fetch(`${url}/healthz`)).json(), { status: 'ok' });
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
