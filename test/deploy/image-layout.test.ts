import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { DashboardState } from '../../src/deploy/dashboard/state.js';
import type { StackStatus } from '../../src/deploy/stack/supervisor.js';
import { repoRoot, tempFile, tempPath } from '../helpers.js';
import { tinyBundle } from '../serve/bundles.js';
import { runs } from './stack-helpers.js';

const execFileAsync = promisify(execFile);
const dockerfile = readFileSync(join(repoRoot, 'deploy', 'docker', 'Dockerfile'), 'utf8');
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));

/**
 * Whether the build context leaves `path` out: the last .dockerignore pattern that matches it or
 * one of its parent folders decides (`!` patterns put back), as Docker's pattern matcher does.
 */
function ignored(patterns: readonly string[], path: string): boolean {
  const parts = path.split('/');
  const paths = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let out = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    const glob = (negated ? pattern.slice(1) : pattern).replace(/^\/+|\/+$/g, '');
    const source = glob
      .split('**')
      .map((piece) =>
        piece
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replaceAll('*', '[^/]*')
          .replaceAll('?', '[^/]'),
      )
      .join('.*');
    if (paths.some((p) => new RegExp(`^${source}$`).test(p))) out = !negated;
  }
  return out;
}

describe('the Dockerfile', () => {
  it('copies only files the build context holds past .dockerignore, the example stack among them', () => {
    const patterns = readFileSync(join(repoRoot, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    assert.ok(ignored(patterns, 'examples/lake.yaml') && ignored(patterns, 'test/helpers.ts'));
    const sources = instructions
      .filter((line) => line.startsWith('COPY ') && !line.includes('--from='))
      .flatMap((line) => line.split(/\s+/).slice(1, -1));
    assert.ok(sources.includes('examples/stack.yaml'), 'the example stack is copied');
    for (const source of sources)
      assert.equal(ignored(patterns, source), false, `${source} is in .dockerignore`);
  });

  it('pins node:20-bookworm-slim by digest for both stages', () => {
    const arg = instructions.find((line) => line.startsWith('ARG NODE_IMAGE='));
    assert.match(arg ?? '', /^ARG NODE_IMAGE=node:20-bookworm-slim@sha256:[0-9a-f]{64}$/);
    const froms = instructions.filter((line) => line.startsWith('FROM '));
    assert.deepEqual(froms, ['FROM $NODE_IMAGE AS build', 'FROM $NODE_IMAGE']);
  });

  it('builds, then makes /app with build-layout.sh and runs it as a non-root user', () => {
    const at = (prefix: string) => instructions.findIndex((line) => line.startsWith(prefix));
    assert.ok(at('COPY src ./src') < at('RUN npm run build'));
    assert.ok(at('RUN npm run build') < at('RUN sh deploy/docker/build-layout.sh /src /app'));
    assert.ok(
      at('COPY examples/stack.yaml ./examples/') < at('RUN sh deploy/docker/build-layout.sh /src /app'),
    );
    assert.ok(at('COPY --from=build /app /app') > instructions.lastIndexOf('FROM $NODE_IMAGE'));
    const user = instructions.find((line) => line.startsWith('USER '));
    assert.match(user ?? '', /^USER [1-9][0-9]*:[1-9][0-9]*$/);
    assert.ok(at('USER ') > at('COPY --from=build /app /app'));
  });
});

/** The ENTRYPOINT, with /app standing for the layout folder. */
function entrypoint(layout: string): string[] {
  const line = instructions.find((l) => l.startsWith('ENTRYPOINT '));
  const argv = JSON.parse((line ?? '').slice('ENTRYPOINT '.length)) as string[];
  assert.equal(argv[0], 'node');
  return argv.slice(1).map((arg) => arg.replace(/^\/app\//, `${layout}/`));
}

// npm ci of the production dependencies, beside the rest of the suite on 2 cores, took over 3 min in CI
describe('the image layout, built as the Dockerfile builds it', { timeout: 600_000 }, () => {
  const layout = tempPath('image-app');
  // the image's WORKDIR, outside /app: the CLI must not depend on its working directory
  const home = tempPath('image-home');
  let cli: string[];
  const run = (...args: string[]) =>
    execFileAsync(process.execPath, [...cli, ...args], { cwd: home, maxBuffer: 16 << 20 });

  before(async () => {
    await execFileAsync('sh', [join(repoRoot, 'deploy', 'docker', 'build-layout.sh'), repoRoot, layout], {
      maxBuffer: 16 << 20,
    });
    cli = entrypoint(layout);
    mkdirSync(home);
  });
  // the production install is most of a gigabyte
  after(() => rmSync(layout, { recursive: true, force: true }));

  it('holds the built code and the production dependencies only', () => {
    assert.ok(existsSync(join(layout, 'dist', 'src', 'cli', 'main.js')));
    assert.ok(existsSync(join(layout, 'dist', 'bin', 'smartcache.js')), 'the bundled entry point');
    assert.equal(
      readFileSync(join(layout, 'examples', 'stack.yaml'), 'utf8'),
      readFileSync(join(repoRoot, 'examples', 'stack.yaml'), 'utf8'),
    );
    assert.ok(!existsSync(join(layout, 'dist', 'test')), 'no tests in the image');
    assert.ok(!existsSync(join(layout, 'src')), 'no TypeScript sources in the image');
    for (const dependency of ['commander', 'fastify', 'lmdb', '@duckdb/node-api', 'tar']) {
      assert.ok(existsSync(join(layout, 'node_modules', dependency)), `${dependency} installed`);
    }
    for (const devDependency of ['typescript', '@biomejs/biome', 'kubernetes-models', 'autocannon']) {
      assert.ok(!existsSync(join(layout, 'node_modules', devDependency)), `${devDependency} left out`);
    }
    const onnxBinaries = readdirSync(join(layout, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6'));
    assert.deepEqual(onnxBinaries, ['linux'], 'only the Linux onnxruntime libraries');
  });

  it('runs the CLI: --help, generate and simulate', async () => {
    const help = await run('--help');
    for (const command of ['cache', 'redirector', 'serve', 'train', 'prep', 'publish']) {
      assert.match(help.stdout, new RegExp(`\\n  ${command} `));
    }
    const trace = tempPath('image-trace.csv');
    await run('generate', '--requests', '2000', '--seed', '3', '--out', trace);
    const { stdout } = await run(
      'simulate',
      '--trace',
      trace,
      '--policies',
      'lru',
      '--sizes',
      '0.1',
      '--json',
    );
    const [result] = JSON.parse(stdout) as { policy: string; requests: number; hitRatio: number }[];
    assert.equal(result.policy, 'lru');
    assert.equal(result.requests, 2000);
    assert.ok(result.hitRatio > 0 && result.hitRatio < 1);
  });

  describe('serve from the layout', () => {
    let serve: ChildProcess;
    let url: string;

    before(async () => {
      serve = spawn(
        process.execPath,
        [...cli, 'serve', '--models', tempPath('models'), '--listen', '127.0.0.1:0'],
        {
          cwd: home,
          env: { ...process.env, SMARTCACHE_ADMIN_TOKEN: 'layout-admin' },
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      url = await new Promise<string>((resolve, reject) => {
        serve.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
        createInterface({ input: serve.stdout as NodeJS.ReadableStream }).on('line', (line) => {
          const address = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1];
          if (address) resolve(address);
        });
      });
    });
    after(() => serve.kill('SIGKILL'));

    it('answers /healthz, becomes ready once a bundle is published, and exits 0 on SIGTERM', async () => {
      assert.equal((await fetch(`${url}/healthz`)).status, 200);
      assert.equal((await fetch(`${url}/readyz`)).status, 503);
      const token = tempFile('layout.token', 'layout-admin');
      await run('publish', '--bundle', await tinyBundle(), '--url', url, '--token-file', token);
      assert.equal((await fetch(`${url}/readyz`)).status, 200);
      const exited = new Promise<number | null>((resolve) => serve.once('exit', resolve));
      serve.kill('SIGTERM');
      assert.equal(await exited, 0);
    });
  });

  it('runs the example stack with up alone, its dashboard serving the page and the nodes, and down stops it', async () => {
    const { stderr } = await run('up', '--detach');
    let s: StackStatus | undefined;
    try {
      const dashboard = /, dashboard on (\S+)\/;/.exec(stderr)?.[1];
      assert.ok(dashboard, stderr);
      s = JSON.parse((await run('status', '--json')).stdout) as StackStatus;
      assert.equal(s.file, join(layout, 'examples', 'stack.yaml'));
      assert.equal(s.dir, home);
      assert.deepEqual(
        s.components.map((c) => [c.kind, c.health]),
        [
          ['origin', 'ok'],
          ['model', 'ok'],
          ['redirector', 'ok'],
          ['cache', 'ok'],
          ['cache', 'ok'],
          ['cache', 'ok'],
          ['dashboard', 'ok'],
        ],
      );
      const state = (await (await fetch(`${dashboard}/api/state`)).json()) as DashboardState;
      assert.deepEqual(state.sites.map((site) => [site.name, site.nodes.length]).sort(), [
        ['T2_IT_Bari', 1],
        ['T2_IT_Pisa', 2],
      ]);
      const vega = await fetch(`${dashboard}/assets/vega.js`);
      assert.equal(vega.status, 200, 'the plotting bundles are in the production install');
      await vega.body?.cancel();
    } finally {
      await run('down');
    }
    for (const c of s?.components ?? [])
      assert.equal(runs(c.pid), false, `${c.name} (pid ${c.pid}) still runs`);
  });
});
