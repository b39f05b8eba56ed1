/** Driving a running service over HTTP: curl as the TFaaS documentation shows it, and fetch. */
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { type RunningServer, startServer } from '../../src/serve/server.js';
import { tempPath } from '../helpers.js';

export const ADMIN = 'admin-secret';
export const AUTH = `Authorization: Bearer ${ADMIN}`;

export function start(options: Partial<Parameters<typeof startServer>[0]> = {}): Promise<RunningServer> {
  return startServer({
    models: tempPath('models'),
    host: '127.0.0.1',
    port: 0,
    reloadMs: 0,
    adminToken: ADMIN,
    logger: false,
    ...options,
  });
}

const execFileAsync = promisify(execFile);

/** Runs curl; answers the HTTP status and the body (curl -w appends the status on the last line). */
export async function curl(...args: string[]): Promise<{ status: number; body: string }> {
  const { stdout } = await execFileAsync('curl', ['-s', '-w', '\n%{http_code}', ...args], {
    maxBuffer: 64 << 20,
  });
  const cut = stdout.lastIndexOf('\n');
  return { status: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut) };
}

export async function postJson<T = { error: string }>(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

interface TarEntry {
  path: string;
  content?: string | Uint8Array;
  /** ustar type flag: '0' file, '2' symlink, '5' directory */
  type?: string;
  linkpath?: string;
}

/** A tar archive written byte by byte, so tests can build archives no well-behaved tool would. */
export function rawTar(entries: TarEntry[], gzip = false): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const data = Buffer.from(entry.content ?? '');
    const header = Buffer.alloc(512);
    header.write(entry.path, 0, 100);
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
    header.write('00000000000\0', 136);
    header.write('        ', 148);
    header.write(entry.type ?? '0', 156);
    header.write(entry.linkpath ?? '', 157, 100);
    header.write('ustar\0', 257);
    header.write('00', 263);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  const tar = Buffer.concat(blocks);
  return gzip ? gzipSync(tar) : tar;
}

/** rawHttp gives up on a server that neither answers nor closes for this long */
const CLIENT_TIMEOUT_MS = 10_000;

export interface RawAnswer {
  /** the status of the answer, 0 when the connection closed without one */
  status: number;
  /** body bytes written before the server closed the connection */
  sent: number;
  ms: number;
}

/**
 * Sends `head` (request line and headers, without the blank line) and then `bodyBytes` zero
 * bytes in 1 MiB chunks over a raw connection, stopping when the server closes it; answers
 * once the connection is closed. For what fetch cannot send: a body shorter than its
 * Content-Length (`endless` keeps the connection open after it), or a body the server should
 * not read. A server silent for 10 s is given up on (status 0).
 */
export function rawHttp(url: string, head: string, bodyBytes: number, endless = false): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let answer = '';
    let sent = 0;
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
    });
    socket.on('error', () => {});
    socket.setTimeout(CLIENT_TIMEOUT_MS, () => socket.destroy());
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
      resolve({ status, sent, ms: Date.now() - started });
    });
    socket.write(`${head}\r\n\r\n`);
    const chunk = Buffer.alloc(1 << 20);
    const pump = () => {
      while (sent < bodyBytes && !socket.destroyed) {
        const part = chunk.subarray(0, Math.min(chunk.length, bodyBytes - sent));
        sent += part.length;
        if (!socket.write(part)) return void socket.once('drain', pump);
      }
      if (!endless) socket.end();
    };
    pump();
  });
}
