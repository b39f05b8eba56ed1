/**
 * A test peer for the redirector: a process that serves generated files by path (closed single
 * Range requests, as cache nodes answer them) and heartbeats like a cache node. Run as
 * `node file-node.js ID SITE REDIRECTOR_URL`; prints its URL on stdout.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { MembershipAgent } from '../../src/cluster/agent.js';

/** The bytes of a generated file: 1-3 MB, derived from its path (AES-CTR keyed by the path's hash). */
export function fileBytes(path: string): Buffer {
  const seed = createHash('sha256').update(path).digest();
  const size = 1_000_000 + (seed.readUInt32LE(0) % 2_000_000);
  const cipher = createCipheriv('aes-128-ctr', seed.subarray(0, 16), seed.subarray(16, 32));
  return Buffer.concat([cipher.update(Buffer.alloc(size)), cipher.final()]);
}

const [id, site, redirector] = process.argv.slice(2);
if (id && site && redirector) {
  const server = createServer((request, response) => {
    const path = decodeURIComponent((request.url ?? '/').split('?')[0]);
    const body = fileBytes(path);
    const range = /^bytes=(\d+)-(\d+)$/.exec(request.headers.range ?? '');
    const [start, end] = range
      ? [Number(range[1]), Math.min(Number(range[2]), body.length - 1)]
      : [0, body.length - 1];
    response.setHeader('etag', `"${createHash('sha1').update(path).digest('hex')}"`);
    response.setHeader('x-served-by', id);
    if (range) response.setHeader('content-range', `bytes ${start}-${end}/${body.length}`);
    response.writeHead(range ? 206 : 200, { 'content-length': end - start + 1 });
    if (request.method === 'HEAD') return response.end();
    // in pieces, so that a kill lands in the middle of transfers
    let at = start;
    const pump = () => {
      if (at > end) return response.end();
      const next = Math.min(end + 1, at + 64 * 1024);
      const ok = response.write(body.subarray(at, next));
      at = next;
      if (ok) setTimeout(pump, 1);
      else response.once('drain', pump);
    };
    pump();
  });
  server.listen(0, '127.0.0.1', async () => {
    const address = server.address() as { port: number };
    const url = `http://127.0.0.1:${address.port}`;
    const agent = new MembershipAgent({
      redirectors: [redirector],
      node: { id, site, url, capacity: 1e12, weight: 1 },
      intervalMs: 300,
    });
    await agent.start();
    process.stdout.write(`${url}\n`);
  });
}
