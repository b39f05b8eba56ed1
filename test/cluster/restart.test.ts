import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Member } from '../../src/cluster/membership.js';
import { freePort, type RunningNode, startTestOrigin, type TestOrigin } from '../cache/servers.js';
import {
  members,
  type RedirectorProcess,
  redirect,
  startClusterNode,
  startRedirectorProcess,
  waitFor,
} from './live.js';

/** The redirector asks for a heartbeat every third of its timeout: 500 ms here. */
const TIMEOUT = '1500ms';
const HEARTBEAT_MS = 500;
/** what a loaded 2-core machine adds to one heartbeat interval: process start-up excluded, the heartbeat's own round trip and timers */
const SLACK_MS = 1000;
const FILES = Array.from({ length: 300 }, (_, i) => `/store/restart/f${i}.root`);
const SITES = ['A', 'B'];

/** never asked for a file: redirects only name the nodes */
let origin: TestOrigin;
let redirector: RedirectorProcess | undefined;
const nodes: RunningNode[] = [];

/** What a heartbeat says of a node: the view without the times of this redirector's own memory. */
const described = (list: Member[]) =>
  list.map(({ id, url, site, capacity, weight, state }) => ({ id, url, site, capacity, weight, state }));

/** The Location of every file for a client of every site. */
async function locations(url: string): Promise<string[]> {
  const out: string[] = [];
  for (const site of SITES) for (const file of FILES) out.push((await redirect(url, file, site)).location);
  return out;
}

before(async () => {
  origin = await startTestOrigin(new Map());
  redirector = await startRedirectorProcess(await freePort(), ['--heartbeat-timeout', TIMEOUT]);
  const url = redirector.url;
  for (const [site, weight] of [
    ['A', '1'],
    ['A', '2'],
    ['B', '1'],
  ])
    nodes.push(await startClusterNode(origin.url, site, [url], ['--weight', weight]));
});

after(async () => {
  await Promise.all(nodes.map((node) => node.kill()));
  await redirector?.kill();
  await origin?.stop();
});

test('a redirector killed and started again on its port rebuilds the membership from heartbeats within one interval and routes every file as before', async (t) => {
  const first = redirector as RedirectorProcess;
  const url = first.url;
  const membersBefore = described(await members(url));
  assert.equal(membersBefore.length, 3);
  const routesBefore = await locations(url);
  assert.equal(new Set(routesBefore.map((l) => new URL(l).host)).size, 3, 'files spread over the 3 nodes');

  await first.kill();
  redirector = undefined;
  const port = Number(new URL(url).port);
  redirector = await startRedirectorProcess(port, ['--heartbeat-timeout', TIMEOUT]);
  assert.equal(redirector.url, url);
  const rebuiltMs = await waitFor(
    async () => (await members(url)).length === 3,
    HEARTBEAT_MS + SLACK_MS,
    'the membership rebuilt from heartbeats',
  );
  t.diagnostic(`membership of 3 nodes rebuilt ${rebuiltMs} ms after the new redirector listened`);

  assert.deepEqual(described(await members(url)), membersBefore);
  assert.deepEqual(await locations(url), routesBefore);
});
