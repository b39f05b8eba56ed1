/**
 * Hostile and mistaken requests to a running service: each is answered with its 4xx (never a
 * 5xx), says what was wrong in the client's terms, and leaves the served model as it was.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from '../../src/serve/server.js';
import { FEATURES, tinyBundle } from './bundles.js';
import { ADMIN, postJson, start } from './http.js';

const VALUES = [1, 0.5, 1, 2, 3, 1];
const ADMIN_AUTH = { authorization: `Bearer ${ADMIN}` };

/** One mistaken request and the status it must get. */
interface HostileCase {
  name: string;
  status: number;
  send(url: string): Promise<{ status: number; error: string }>;
}

async function answer(response: Response): Promise<{ status: number; error: string }> {
  const text = await response.text();
  let error = text;
  try {
    error = (JSON.parse(text) as { error?: string }).error ?? text;
  } catch {}
  return { status: response.status, error };
}

const request =
  (route: string, init: RequestInit) =>
  (url: string): Promise<{ status: number; error: string }> =>
    fetch(`${url}${route}`, init).then(answer);

const CASES: HostileCase[] = [
  {
    name: 'DELETE /delete/ with an empty name',
    status: 400,
    send: request('/delete/', { method: 'DELETE', headers: ADMIN_AUTH }),
  },
  {
    name: 'DELETE /delete/@1: a version without a name',
    status: 400,
    send: request('/delete/@1', { method: 'DELETE', headers: ADMIN_AUTH }),
  },
  {
    name: 'DELETE /delete/admit@x: a version that is not a number',
    status: 400,
    send: request('/delete/admit@x', { method: 'DELETE', headers: ADMIN_AUTH }),
  },
  {
    name: 'a lower-case bearer scheme with a wrong token',
    status: 403,
    send: request('/delete/admit', { method: 'DELETE', headers: { authorization: 'bearer wrong' } }),
  },
];

describe('hostile requests to the model service', () => {
  let server: RunningServer;
  let url: string;
  const score = async () => {
    const res = await postJson<number[]>(`${url}/json`, { keys: FEATURES, values: VALUES });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body;
  };

  before(async () => {
    server = await start();
    url = server.url;
    await tinyBundle({ name: 'admit' }, path.join(server.ctx.registry.dir, 'admit', '1'));
    await server.ctx.registry.rescan();
  });
  after(() => server.close());

  it('refuses DELETE /delete/ without a name, and deletes nothing', async () => {
    const empty = await CASES[0].send(url);
    assert.equal(empty.status, 400);
    assert.match(empty.error, /name the model in the path/);
    assert.equal(server.ctx.registry.entries().length, 1);
  });

  it('takes the bearer scheme in any case (RFC 7235)', async () => {
    for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
      const res = await fetch(`${url}/delete/nothing`, {
        method: 'DELETE',
        headers: { authorization: `${scheme} ${ADMIN}` },
      });
      assert.equal(res.status, 404, `${scheme}: the token is accepted and the model is unknown`);
    }
  });

  it('answers every hostile case with its 4xx, never 5xx, and keeps serving the same model', async () => {
    const served = await score();
    for (const c of CASES) {
      const res = await c.send(url);
      assert.equal(res.status, c.status, `${c.name}: ${res.error}`);
    }
    assert.deepEqual(await score(), served);
  });
});
