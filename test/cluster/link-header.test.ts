import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseLinks } from '../../src/cluster/client.js';
import { buildRedirector, LINK_ALTERNATIVES } from '../../src/cluster/redirector.js';
import { joinUrl } from '../../src/common/paths.js';

test('a redirect names at most LINK_ALTERNATIVES other nodes, then the origin, with the path encoded once', async () => {
  const { app } = buildRedirector({ origin: 'http://origin:8080/' });
  try {
    const urls = new Set<string>();
    for (let n = 0; n < 8; n++) {
      const url = `http://10.0.0.${n + 1}:8443/`;
      urls.add(url.slice(0, -1));
      const beat = await app.inject({
        method: 'POST',
        url: '/v1/nodes',
        payload: { id: `s-${n}`, url, site: 'S', capacity: 1 },
      });
      assert.equal(beat.statusCode, 200);
    }
    const answer = await app.inject({ url: '/store/a%20b/x.root', headers: { 'x-smartcache-site': 'S' } });
    assert.equal(answer.statusCode, 302);
    const location = String(answer.headers.location);
    const links = parseLinks(String(answer.headers.link));
    assert.equal(links.length, LINK_ALTERNATIVES + 1);
    assert.equal(links.at(-1), 'http://origin:8080/store/a%20b/x.root');
    const nodeCopies = [location, ...links.slice(0, -1)];
    assert.equal(new Set(nodeCopies).size, nodeCopies.length, 'every copy named once');
    for (const url of nodeCopies) {
      assert.ok(url.endsWith('/store/a%20b/x.root'), url);
      assert.ok(urls.has(url.slice(0, -'/store/a%20b/x.root'.length)), url);
    }
  } finally {
    await app.close();
  }
});

test('joinUrl drops the base URL trailing slashes', () => {
  assert.equal(joinUrl('http://h:1//', '/a'), 'http://h:1/a');
  assert.equal(joinUrl('http://h:1', '/a'), 'http://h:1/a');
});
