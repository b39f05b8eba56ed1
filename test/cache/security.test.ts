/** Client tokens (static and JWT against a JWKS file), TLS, and the origin credential of a cache node. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { get as httpsGet } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout } from 'node:timers/promises';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { tempPath } from '../helpers.js';
import { get } from './client.js';
import { nodeArgs, sha256, startNode, startTestOrigin, type TestOrigin } from './servers.js';

const FILE = randomBytes(100_000);
let origin: TestOrigin;

const smallNodeArgs = (origin: string, dir?: string) => nodeArgs({ origin, dir, capacity: '10MB' });

before(async () => {
  origin = await startTestOrigin(new Map([['/f/a', FILE]]));
});
after(() => origin?.stop());

test('with --token a client needs that bearer token, any case of the scheme', async () => {
  const node = await startNode([...smallNodeArgs(origin.url), '--token', 's3cret']);
  try {
    assert.equal((await get(`${node.url}/f/a`)).status, 401);
    assert.equal((await get(`${node.url}/f/a`, { authorization: 'Bearer wrong' })).status, 401);
    const ok = await get(`${node.url}/f/a`, { authorization: 'bearer s3cret' });
    assert.equal(ok.status, 200);
    assert.equal(sha256(ok.body), sha256(FILE));
  } finally {
    await node.stop();
  }
});

test('with --jwks a client needs a JWT signed by its key, for the audience and issuer; its subject is the logged user', async () => {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const other = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'site-key', alg: 'ES256' };
  const jwks = tempPath('jwks.json');
  writeFileSync(jwks, JSON.stringify({ keys: [jwk] }));
  const token = (key: typeof privateKey, claims: { aud?: string; exp?: string } = {}) =>
    new SignJWT({ scope: 'storage.read:/' })
      .setProtectedHeader({ alg: 'ES256', kid: 'site-key' })
      .setSubject('alice')
      .setIssuer('https://wlcg.example')
      .setAudience(claims.aud ?? 'https://cache.example')
      .setExpirationTime(claims.exp ?? '5m')
      .sign(key);
  const dir = tempPath('cache');
  const node = await startNode([
    ...smallNodeArgs(origin.url, dir),
    '--jwks',
    jwks,
    '--jwt-audience',
    'https://cache.example',
    '--jwt-issuer',
    'https://wlcg.example',
  ]);
  try {
    const bearer = async (t: string) =>
      (await get(`${node.url}/f/a`, { authorization: `Bearer ${t}` })).status;
    assert.equal(await bearer(await token(privateKey)), 200);
    assert.equal(await bearer(await token(other.privateKey)), 401, 'signed by another key');
    assert.equal(
      await bearer(await token(privateKey, { aud: 'https://elsewhere' })),
      401,
      'another audience',
    );
    assert.equal(await bearer(await token(privateKey, { exp: '-1m' })), 401, 'expired');
    assert.equal(await bearer('not.a.jwt'), 401);
    const log = join(dir, 'access.jsonl');
    for (let wait = 0; wait < 100 && !readFileSync(log, 'utf8').includes('alice'); wait++)
      await setTimeout(20);
    assert.equal(JSON.parse(readFileSync(log, 'utf8').trim().split('\n')[0]).user_dn, 'alice');
  } finally {
    await node.stop();
  }
});

test('with --tls-cert and --tls-key the node speaks HTTPS', async () => {
  const key = tempPath('key.pem');
  const cert = tempPath('cert.pem');
  execFileSync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
  ]);
  const node = await startNode([...smallNodeArgs(origin.url), '--tls-cert', cert, '--tls-key', key]);
  try {
    assert.match(node.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const body = await new Promise<Buffer>((resolve, reject) => {
      httpsGet(`${node.url}/f/a`, { ca: readFileSync(cert) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve(Buffer.concat(chunks)));
      }).on('error', reject);
    });
    assert.equal(sha256(body), sha256(FILE));
    await assert.rejects(startNode([...smallNodeArgs(origin.url), '--tls-cert', cert]), /go together/);
  } finally {
    await node.stop();
  }
});

test('--origin-token-file is sent to the origin as a bearer token', async () => {
  const seen: string[] = [];
  const guarded: Server = createServer((req, res) => {
    seen.push(req.headers.authorization ?? '');
    if (req.headers.authorization !== 'Bearer origin-pass') return void res.writeHead(403).end();
    const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    const [start, end] = range ? [Number(range[1]), Number(range[2])] : [0, FILE.length - 1];
    res.writeHead(range ? 206 : 200, {
      'content-length': end - start + 1,
      etag: '"v1"',
      ...(range ? { 'content-range': `bytes ${start}-${end}/${FILE.length}` } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : FILE.subarray(start, end + 1));
  });
  await new Promise<void>((resolve) => guarded.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(guarded.address() as AddressInfo).port}`;
  const tokenFile = tempPath('origin.token');
  writeFileSync(tokenFile, 'origin-pass\n');
  const node = await startNode([...smallNodeArgs(url), '--origin-token-file', tokenFile]);
  try {
    const response = await get(`${node.url}/f/a`);
    assert.equal(response.status, 200);
    assert.equal(sha256(response.body), sha256(FILE));
    assert.ok(seen.length > 0 && seen.every((h) => h === 'Bearer origin-pass'), seen.join(', '));
  } finally {
    await node.stop();
    guarded.close();
  }
});
