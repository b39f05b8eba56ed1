/**
 * A live cluster for the tests: real cache nodes (`smartcache cache --redirector`, in child
 * processes) over an nginx origin serving generated files, and views of a redirector.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Member } from '../../src/cluster/membership.js';
import type { ClusterView } from '../../src/cluster/redirector.js';
import { nodeArgs, type RunningNode, type RunningServer, startNginx, startNode } from '../cache/servers.js';
import { repoRoot, tempPath } from '../helpers.js';

/** Bytes derived from a name (AES-CTR keyed by its hash): files differ, and runs repeat. */
export function generatedBytes(name: string, size: number): Buffer {
  const seed = createHash('sha256').update(name).digest();
  const cipher = createCipheriv('aes-128-ctr', seed.subarray(0, 16), seed.subarray(16, 32));
  return Buffer.concat([cipher.update(Buffer.alloc(size)), cipher.final()]);
}

export interface Origin extends RunningServer {
  /** path -> sha256 of its bytes */
  digests: Map<string, string>;
}

/** nginx serving `files` (path -> size), written to a scratch folder. */
export async function startOrigin(files: ReadonlyMap<string, number>): Promise<Origin> {
  const root = tempPath('origin');
  const digests = new Map<string, string>();
  for (const [path, size] of files) {
    const bytes = generatedBytes(path, size);
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, bytes);
    digests.set(path, createHash('sha256').update(bytes).digest('hex'));
  }
  return { ...(await startNginx(root)), digests };
}

/** A cache node of `site` over `origin`, heartbeating to `redirectors`; resolves once it joined. */
export async function startClusterNode(
  origin: string,
  site: string,
  redirectors: readonly string[],
  extra: string[] = [],
): Promise<RunningNode> {
  const node = await startNode(
    nodeArgs(
      { origin, dir: tempPath(`cache-${site}`), capacity: '2GB', site, blockSize: '1MiB' },
      ...redirectors.flatMap((url) => ['--redirector', url]),
      ...extra,
    ),
  );
  await waitFor(async () => node.stdout().includes('"msg":"joined the cluster"'), 10_000, 'the node joining');
  return node;
}

export interface RedirectorProcess {
  url: string;
  child: ChildProcess;
  /** SIGKILL, then the exit */
  kill(): Promise<void>;
}

/** `smartcache redirector --listen 127.0.0.1:PORT -q ...args` in a child process; resolves once it listens. */
export async function startRedirectorProcess(port: number, args: string[] = []): Promise<RedirectorProcess> {
  const child = spawn(
    process.execPath,
    [
      join(repoRoot, 'dist', 'src', 'cli', 'main.js'),
      'redirector',
      '--listen',
      `127.0.0.1:${port}`,
      '-q',
      ...args,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let err = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redirector did not start: ${err}`)), 15_000);
    child.stderr?.on('data', (chunk) => {
      err += chunk;
      const ready = /redirector listening on (\S+)/.exec(err);
      if (ready) {
        clearTimeout(timer);
        resolve(ready[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redirector exited with ${code}: ${err}`));
    });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    child,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

export async function members(redirector: string): Promise<Member[]> {
  const view = (await (await fetch(`${redirector}/v1/cluster`)).json()) as ClusterView;
  return view.nodes;
}

/** Where the redirector sends a client of `site` for `path`: its Location and Link headers. */
export async function redirect(
  redirector: string,
  path: string,
  site: string,
): Promise<{ status: number; location: string; link: string | null }> {
  const response = await fetch(`${redirector}${path}`, {
    headers: { 'x-smartcache-site': site },
    redirect: 'manual',
  });
  await response.body?.cancel();
  return {
    status: response.status,
    location: response.headers.get('location') ?? '',
    link: response.headers.get('link'),
  };
}

/** Resolves with the ms waited once `check` holds; rejects after `ms`. */
export async function waitFor(check: () => Promise<boolean>, ms: number, what: string): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`${what}: not true within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - started;
}
