import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OTHER_SITE } from '../../src/cluster/metrics.js';
import { startRedirector } from '../../src/cluster/server.js';
import { redirect } from './live.js';

/** `site outcome` -> count of smartcache_redirects_total in a /metrics text. */
function redirects(metrics: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [, labels, value] of metrics.matchAll(/^smartcache_redirects_total\{([^}]*)\} (\d+)$/gm)) {
    const site = /site="([^"]*)"/.exec(labels)?.[1];
    const outcome = /outcome="([^"]*)"/.exec(labels)?.[1];
    counts.set(`${site} ${outcome}`, Number(value));
  }
  return counts;
}

test('redirect metrics name only configured and member sites: a client inventing sites adds no series', async () => {
  const redirector = await startRedirector({
    host: '127.0.0.1',
    port: 0,
    sites: ['T2_IT_Pisa'],
    clients: [{ cidr: '10.1.0.0/16', site: 'T2_IT_Bari' }],
    distances: { T2_IT_Pisa: { T2_IT_Legnaro: 1 } },
    origin: 'http://origin.example:1094',
    // one heartbeat for the whole test: the 200 redirects may outlast the default timeout on a loaded machine
    heartbeatTimeoutMs: 600_000,
  });
  try {
    const beat = await fetch(`${redirector.url}/v1/nodes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'n1', url: 'http://10.0.0.1:8094', site: 'T1_MEMBER', capacity: 1e9 }),
    });
    assert.equal(beat.status, 200);
    const named = ['T2_IT_Pisa', 'T2_IT_Bari', 'T2_IT_Legnaro', 'T1_MEMBER'];
    for (const site of named)
      assert.equal((await redirect(redirector.url, '/store/a.root', site)).status, 302);
    const invented = Array.from({ length: 200 }, (_, i) => `attacker-${i}`);
    for (const site of invented) await redirect(redirector.url, `/store/${site}.root`, site);
    await redirect(redirector.url, '/store/b.root', 'T1_MEMBER');

    const counts = redirects(await (await fetch(`${redirector.url}/metrics`)).text());
    assert.deepEqual(
      [...counts.keys()].map((key) => key.split(' ')[0]).sort(),
      [...named, OTHER_SITE].sort(),
    );
    // a site unknown to the distances reaches no node: the origin
    assert.equal(counts.get(`${OTHER_SITE} origin`), invented.length);
    assert.equal(counts.get('T1_MEMBER site'), 2);
    assert.equal(counts.get('T2_IT_Pisa origin'), 1);
  } finally {
    await redirector.close();
  }
});
