/**
 * The dashboard against a running deployment, in a real browser: a redirector, two cache nodes
 * on two sites over an nginx origin, a model service with two versions and a loop history file.
 * The page must show each node's counters exactly as its /metrics says, group the nodes by site,
 * mark the serving model, and show a new loop event and a model promotion without reload.
 *
 * With SMARTCACHE_SCREENSHOT=docs/img/dashboard.png the test also saves the page there.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { type RunningRedirector, startRedirector } from '../../src/cluster/server.js';
import { formatBytes, formatPercent } from '../../src/common/units.js';
import { type RunningDashboard, startDashboard } from '../../src/deploy/dashboard/server.js';
import type { DashboardState, DashboardUpdate } from '../../src/deploy/dashboard/state.js';
import { appendLoopEvent, type LoopEvent } from '../../src/deploy/loop-history.js';
import type { RunningServer } from '../../src/serve/server.js';
import type { RunningNode } from '../cache/servers.js';
import { members, type Origin, startClusterNode, startOrigin, waitFor } from '../cluster/live.js';
import { repoRoot, tempPath } from '../helpers.js';
import { onnxBundle } from '../serve/bundles.js';
import { start as startModelService } from '../serve/http.js';
import { type RunningChromium, startChromium } from './browser.js';
import { settledCounters } from './node-counters.js';

const FILES = new Map(Array.from({ length: 6 }, (_, i) => [`/store/dash/file${i}.root`, (i + 1) * 300_000]));
const SITES = ['T2_IT_Pisa', 'T2_US_UCSD'];
const MODEL = 'onnx-admit';

let origin: Origin;
let redirector: RunningRedirector;
const nodes: RunningNode[] = [];
let service: RunningServer;
let dashboard: RunningDashboard;
let chromium: RunningChromium;
const history = tempPath('loop.jsonl');

/** A models folder with two versions of the ONNX fixture, the first one serving. */
function modelsDir(): string {
  const dir = tempPath('models');
  for (const [version, auc] of [
    [1, 0.81],
    [2, 0.86],
  ]) {
    const target = join(dir, MODEL, String(version));
    cpSync(onnxBundle, target, { recursive: true });
    const params = JSON.parse(readFileSync(join(target, 'params.json'), 'utf8'));
    writeFileSync(join(target, 'params.json'), JSON.stringify({ ...params, version, metrics: { auc } }));
  }
  writeFileSync(join(dir, MODEL, 'default'), '1\n');
  return dir;
}

const step = (round: number, name: LoopEvent['step'], detail: string, extra: Partial<LoopEvent> = {}) => ({
  time: new Date().toISOString(),
  round,
  step: name,
  ok: true,
  seconds: 1.2,
  detail,
  ...extra,
});

before(async () => {
  origin = await startOrigin(FILES);
  redirector = await startRedirector({ host: '127.0.0.1', port: 0, origin: origin.url });
  for (const site of SITES) nodes.push(await startClusterNode(origin.url, site, [redirector.url]));
  service = await startModelService({ models: modelsDir() });
  for (const event of [
    step(1, 'collect', 'collected 2 access logs, 48 opens'),
    step(1, 'prep', 'features of 1 day'),
    step(1, 'train', `trained ${MODEL}@2 on 48 rows`),
    step(1, 'evaluate', `${MODEL}@2 against ${MODEL}@1 on the held-out window`, {
      candidate: { model: MODEL, version: 2, byteHitRatio: 0.62, hitRatio: 0.55 },
      serving: { model: MODEL, version: 1, byteHitRatio: 0.48, hitRatio: 0.41 },
    }),
  ])
    await appendLoopEvent(history, event);
  dashboard = await startDashboard({
    host: '127.0.0.1',
    port: 0,
    redirector: redirector.url,
    modelUrl: service.url,
    loopHistory: history,
    intervalMs: 250,
  });
  chromium = await startChromium();
});

after(async () => {
  await chromium?.close();
  await dashboard?.close();
  await service?.close();
  for (const node of nodes) await node.stop();
  await redirector?.close();
  await origin?.stop();
});

/** Reads files through the redirector as a client of `site` (fetch follows its 302). */
async function readFiles(site: string, paths: string[]): Promise<void> {
  for (const path of paths) {
    const response = await fetch(`${redirector.url}${path}`, { headers: { 'x-smartcache-site': site } });
    assert.equal(response.status, 200, path);
    assert.equal((await response.arrayBuffer()).byteLength, FILES.get(path));
  }
}

/** The next update the dashboard sends, of a poll that started after now. */
function nextUpdate(): Promise<DashboardUpdate> {
  const asked = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error('no poll within 10 s'));
    }, 10_000);
    const stop = dashboard.poller.onUpdate((update) => {
      if (update.updatedAt <= asked) return;
      clearTimeout(timer);
      stop();
      resolve(update);
    });
  });
}

/** Waits until the page shows a poll at least as recent as `update`. */
async function shown(page: Page, update: DashboardUpdate): Promise<void> {
  await page.waitForFunction(`Number(document.body.dataset.updated) >= ${update.updatedAt}`, undefined, {
    timeout: 10_000,
  });
}

const cell = (page: Page, node: string, field: string) =>
  page.locator(`#nodes tr[data-node="${node}"] td[data-field="${field}"]`).textContent();

test('the page shows the cluster by site, counters equal to each node’s /metrics, the models and the loop, live', async () => {
  const context = await chromium.browser.newContext({ viewport: { width: 1300, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  const outside: string[] = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(dashboard.url)) return route.continue();
    outside.push(url);
    return route.abort();
  });
  await page.goto(`${dashboard.url}/`);
  await page.locator('body[data-plots="ready"]').waitFor({ state: 'attached', timeout: 20_000 });

  // traffic in rounds, a poll after each, so that the plots have several points per node
  const paths = [...FILES.keys()];
  for (let round = 0; round < 3; round++) {
    for (const [i, site] of SITES.entries()) await readFiles(site, paths.slice(0, 2 + round + i));
    await nextUpdate();
  }
  const cluster = await members(redirector.url);
  assert.deepEqual(cluster.map((m) => m.site).sort(), SITES);
  const expected = await Promise.all(cluster.map((m) => settledCounters(m.url)));
  await shown(page, await nextUpdate());

  for (const [i, member] of cluster.entries()) {
    const c = expected[i];
    assert.ok(c.hits > 0 && c.hits < c.opens, `node ${member.id} has hits and misses: ${JSON.stringify(c)}`);
    assert.equal(await cell(page, member.id, 'requests'), c.opens.toLocaleString('en-US'));
    assert.equal(await cell(page, member.id, 'hits'), c.hits.toLocaleString('en-US'));
    assert.equal(await cell(page, member.id, 'hitRatio'), formatPercent(c.hits / c.opens));
    assert.equal(
      await cell(page, member.id, 'byteHitRatio'),
      formatPercent(c.bytesHit / (c.bytesHit + c.bytesOrigin)),
    );
    assert.equal(await cell(page, member.id, 'wanSaved'), formatBytes(c.bytesHit));
    assert.equal(await cell(page, member.id, 'fromOrigin'), formatBytes(c.bytesOrigin));
    assert.equal(await cell(page, member.id, 'state'), 'active');
    const card = page.locator(`.site[data-site="${member.site}"] .node[data-node="${member.id}"]`);
    assert.equal(await card.count(), 1, `node ${member.id} under its site ${member.site}`);
  }
  // /api/state, serialised by its schema, loses nothing of what the page was sent
  let api: DashboardState | undefined;
  let kept = dashboard.poller.state();
  // compared when no poll came between the two reads
  for (let tries = 0; tries < 20 && api?.updatedAt !== kept.updatedAt; tries++) {
    api = (await (await fetch(`${dashboard.url}/api/state`)).json()) as DashboardState;
    kept = dashboard.poller.state();
  }
  assert.ok(api && api.updatedAt === kept.updatedAt, 'no read of /api/state between two polls');
  assert.deepEqual(
    { sites: api.sites, models: api.models, loop: api.loop, series: api.series },
    JSON.parse(
      JSON.stringify({ sites: kept.sites, models: kept.models, loop: kept.loop, series: kept.series }),
    ),
  );
  const saved = expected.reduce((sum, c) => sum + c.bytesHit, 0);
  assert.equal(await page.locator('[data-total="wanSaved"]').textContent(), formatBytes(saved));
  assert.equal(await page.locator('[data-total="nodes"]').textContent(), '2');

  // three rounds of traffic: at least three points per node on each plot
  for (const plot of ['hit-ratio', 'byte-hit-ratio', 'wan-saved']) {
    const marks = await page.locator(`#plot-${plot} svg .mark-symbol.role-mark path`).count();
    assert.ok(marks >= 3 * cluster.length, `${plot}: ${marks} points drawn`);
  }

  const serving = (version: number) =>
    page
      .locator(`#model-versions tr[data-model="${MODEL}@${version}"] td[data-field="serving"]`)
      .textContent();
  assert.equal(await serving(1), 'serving');
  assert.equal(await serving(2), '');
  const heldOut = page.locator(`#model-versions tr[data-model="${MODEL}@2"] td`).last();
  assert.equal(await heldOut.textContent(), '62.0%');
  assert.equal(await page.locator('#plot-model-scores svg .mark-symbol.role-mark path').count(), 2);
  assert.equal(await page.locator('#loop-events tbody tr').count(), 4);

  // the loop promotes version 2: the page shows the step and the new serving version, not reloaded
  await page.evaluate('window.notReloaded = true');
  const promoted = `promoted ${MODEL}@2: byte hit ratio 62.0% against 48.0%`;
  await appendLoopEvent(history, step(1, 'promote', promoted));
  await service.ctx.registry.setDefault(MODEL, 2);
  const newest = page.locator('#loop-events tbody tr td[data-field="detail"]').first();
  await waitFor(async () => (await newest.textContent()) === promoted, 10_000, 'the promote step shown');
  await waitFor(async () => (await serving(2)) === 'serving', 10_000, 'version 2 shown serving');
  assert.equal(await serving(1), '');
  assert.equal(await page.evaluate('window.notReloaded'), true);
  assert.equal(await page.locator('#loop-events tbody tr').count(), 5);

  assert.deepEqual(pageErrors, []);
  assert.deepEqual(outside, [], 'the page asked for nothing outside the dashboard');
  assert.equal(await page.locator('#errors li').count(), 0);

  const screenshot = process.env.SMARTCACHE_SCREENSHOT;
  if (screenshot) {
    const file = resolve(repoRoot, screenshot);
    mkdirSync(dirname(file), { recursive: true });
    await page.screenshot({ path: file, fullPage: true });
  }
});

test('a node that stops answering is shown unreachable, the other still polled', async () => {
  const page = await (await chromium.browser.newContext()).newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(`${dashboard.url}/`);
  const [first, second] = await members(redirector.url);
  const down = nodes.find((n) => n.url === second.url)!;
  await down.kill();
  await shown(page, await nextUpdate());
  await waitFor(
    async () => (await cell(page, second.id, 'state')) === 'unreachable',
    10_000,
    'the stopped node shown unreachable',
  );
  assert.equal(await cell(page, first.id, 'state'), 'active');
  const errors = await page.locator('#errors li').allTextContents();
  assert.ok(
    errors.some((e) => e.startsWith(`node ${second.id}: ${second.url}/metrics`)),
    `errors shown: ${errors.join(' | ')}`,
  );
});
