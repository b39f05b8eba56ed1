import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '../../src/serve/server.js';
import { smartcache, tempFile, tempPath } from '../helpers.js';
import { tinyBundle } from '../serve/bundles.js';
import { ADMIN, start } from '../serve/http.js';

describe('smartcache publish', { timeout: 60_000 }, () => {
  let server: RunningServer;
  let bundle: string;
  const tokenFile = tempFile('admin.token', `${ADMIN}\n`);

  before(async () => {
    server = await start();
    bundle = await tinyBundle({ name: 'admit' });
  });
  after(() => server.close());

  it('uploads a bundle as the next version, which the service then serves by default', async () => {
    const first = await smartcache(
      'publish',
      '--bundle',
      bundle,
      '--url',
      server.url,
      '--token-file',
      tokenFile,
      '--json',
    );
    assert.deepEqual(JSON.parse(first.stdout), { model: 'admit', version: 1, engine: 'dense' });
    const second = await smartcache(
      'publish',
      '--bundle',
      bundle,
      '--url',
      `${server.url}/`,
      '--token-file',
      tokenFile,
      '--json',
    );
    assert.equal(JSON.parse(second.stdout).version, 2);
    assert.match(second.stderr, /published admit version 2 \(dense\)/);
    const models = (await (await fetch(`${server.url}/models`)).json()) as {
      name: string;
      version: number;
    }[];
    assert.deepEqual(models.map((m) => m.version).sort(), [1, 2]);
    const ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 200);
  });

  it("names the service's reason when it refuses the upload", async () => {
    const wrong = tempFile('wrong.token', 'not-the-token');
    await assert.rejects(
      smartcache('publish', '--bundle', bundle, '--url', server.url, '--token-file', wrong),
      (err: { stderr: string }) => {
        assert.match(err.stderr, /publishing to http:\/\/127\.0\.0\.1:\d+\/bundle: 403 /);
        return true;
      },
    );
  });

  it('refuses a folder that is not a bundle before sending anything', async () => {
    const dir = tempPath('not-a-bundle');
    mkdirSync(dir);
    await assert.rejects(
      smartcache('publish', '--bundle', dir, '--url', server.url, '--token-file', tokenFile),
      (err: { stderr: string }) => {
        assert.match(err.stderr, /model bundle .*not-a-bundle: params\.json: missing/);
        return true;
      },
    );
  });

  it('needs a token', async () => {
    await assert.rejects(
      smartcache('publish', '--bundle', bundle, '--url', server.url),
      (err: { stderr: string }) => /give --token-file or set SMARTCACHE_ADMIN_TOKEN/.test(err.stderr),
    );
  });
});
