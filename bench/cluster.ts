/**
 * Redirector bench: redirect decisions per second and p99 latency under wrk (16 connections,
 * random files, three client sites, 24 nodes), beside nginx answering a fixed `return 302` on
 * the same core in the same run: the cost of an HTTP redirect with no decision at all. Then the
 * time from a node's last heartbeat to the last redirect the redirector sends to it.
 * The redirector (and nginx) run pinned to core 0, wrk to core 1, when `taskset` exists.
 * Runs alone with `node dist/bench/cluster.js` or in `npm run bench -- cluster`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli } from './generated.js';
import { has, pinned, wrk } from './wrk.js';

const SECONDS = Number(process.env.BENCH_CLUSTER_SECONDS ?? 10);
const REDIRECTOR_PORT = Number(process.env.BENCH_CLUSTER_PORT ?? 18_390);
const NGINX_PORT = REDIRECTOR_PORT + 1;
const SITES = ['T2_IT_Pisa', 'T2_IT_Bari', 'T2_IT_Legnaro'];
const NODES_PER_SITE = 8;
const HEARTBEAT_TIMEOUT_S = 3;

function start(argv: string[]): ChildProcess {
  const [cmd, ...args] = argv;
  return spawn(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
}

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (
      await fetch(url, { redirect: 'manual' }).then(
        () => true,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer`);
}

interface Node {
  id: string;
  url: string;
  site: string;
  capacity: number;
}

const nodes: Node[] = SITES.flatMap((site, s) =>
  Array.from({ length: NODES_PER_SITE }, (_, n) => ({
    id: `${site}-${n}`,
    url: `http://10.0.${s}.${n + 1}:8443`,
    site,
    capacity: 100e12,
  })),
);

async function heartbeat(redirector: string, node: Node): Promise<number> {
  await fetch(`${redirector}/v1/nodes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(node),
  });
  return Date.now();
}

function wrkScript(dir: string): string {
  const file = path.join(dir, 'redirects.lua');
  writeFileSync(
    file,
    `local sites = { ${SITES.map((s) => `"${s}"`).join(', ')} }
function request()
  local path = "/store/mc/file" .. math.random(1, 1000000) .. ".root"
  return wrk.format("GET", path, { ["X-Smartcache-Site"] = sites[math.random(1, #sites)] })
end
`,
  );
  return file;
}

function startNginx(dir: string): ChildProcess {
  mkdirSync(path.join(dir, 'nginx'), { recursive: true });
  const conf = path.join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path ${dir}/nginx/client;
  proxy_temp_path ${dir}/nginx/proxy;
  fastcgi_temp_path ${dir}/nginx/fastcgi;
  uwsgi_temp_path ${dir}/nginx/uwsgi;
  scgi_temp_path ${dir}/nginx/scgi;
  server {
    listen 127.0.0.1:${NGINX_PORT};
    location / { return 302 http://10.0.0.1:8443$request_uri; }
  }
}
`,
  );
  return start(pinned(0, ['nginx', '-p', dir, '-c', conf]));
}

/** The redirect counts by outcome from the redirector's /metrics, e.g. `site 151234, origin 0`. */
async function redirectOutcomes(redirector: string): Promise<string> {
  const text = await fetch(`${redirector}/metrics`).then((r) => r.text());
  const totals = new Map<string, number>();
  for (const m of text.matchAll(/^smartcache_redirects_total\{[^}]*outcome="([^"]+)"[^}]*\} (\d+)/gm))
    totals.set(m[1], (totals.get(m[1]) ?? 0) + Number(m[2]));
  return [...totals].map(([outcome, n]) => `${outcome} ${n}`).join(', ') || 'none';
}

/** Files whose first choice for `site` is `node`, found through the redirector's own answer. */
async function filesOf(redirector: string, node: Node, count: number): Promise<string[]> {
  const files: string[] = [];
  for (let i = 0; files.length < count && i < 100 * count; i++) {
    const file = `/store/mc/death${i}.root`;
    const view = (await fetch(`${redirector}/v1/cluster?file=${file}&site=${node.site}`).then((r) =>
      r.json(),
    )) as {
      route?: { order?: string[] };
    };
    if (view.route?.order?.[0] === node.id) files.push(file);
  }
  if (files.length < count) throw new Error(`found only ${files.length} files of ${node.id}`);
  return files;
}

/** Stops heartbeating `victim` and asks for its files until the redirector sends them elsewhere. */
async function deathToLastRedirect(
  redirector: string,
  victim: Node,
  files: string[],
  lastBeat: number,
): Promise<number> {
  let lastToVictim = lastBeat;
  const deadline = lastBeat + 4 * HEARTBEAT_TIMEOUT_S * 1000;
  for (let i = 0; Date.now() < deadline; i++) {
    const answer = await fetch(`${redirector}${files[i % files.length]}`, {
      redirect: 'manual',
      headers: { 'x-smartcache-site': victim.site },
    });
    const now = Date.now();
    if (answer.headers.get('location')?.startsWith(victim.url)) lastToVictim = now;
    else if (now - lastToVictim > 1000) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  return lastToVictim - lastBeat;
}

export async function benchCluster(): Promise<void> {
  for (const tool of ['wrk', 'nginx'])
    if (!has(tool)) throw new Error(`${tool} is not installed (Debian: apt-get install -y ${tool})`);
  const dir = mkdtempSync(path.join(tmpdir(), 'smartcache-bench-cluster-'));
  const redirector = `http://127.0.0.1:${REDIRECTOR_PORT}`;
  const children: ChildProcess[] = [];
  const lastBeat = new Map<string, number>();
  let victim: Node | undefined;
  const beating = setInterval(() => {
    for (const n of nodes)
      if (n !== victim)
        heartbeat(redirector, n).then(
          (t) => lastBeat.set(n.id, t),
          () => {},
        );
  }, 500);
  try {
    children.push(
      start(
        pinned(0, [
          process.execPath,
          cli,
          'redirector',
          '--listen',
          `127.0.0.1:${REDIRECTOR_PORT}`,
          '--origin',
          'http://10.0.9.1:8080',
          '--heartbeat-timeout',
          `${HEARTBEAT_TIMEOUT_S}s`,
          '-q',
        ]),
      ),
    );
    await waitFor(`${redirector}/healthz`);
    for (const n of nodes) lastBeat.set(n.id, await heartbeat(redirector, n));
    children.push(startNginx(dir));
    await waitFor(`http://127.0.0.1:${NGINX_PORT}/`);
    const script = wrkScript(dir);
    const load = { script, connections: 16, seconds: SECONDS, core: 1 };
    const ours = await wrk({ ...load, url: redirector });
    const outcomes = await redirectOutcomes(redirector);
    const peer = await wrk({ ...load, url: `http://127.0.0.1:${NGINX_PORT}` });
    console.log(
      `redirector: ${nodes.length} nodes over ${SITES.length} sites, random files, 16 connections, ${SECONDS} s`,
    );
    const rows = [
      ['', 'redirects/s', 'p99 ms', 'errors'],
      ['smartcache redirector', ours.rps.toFixed(0), ours.p99ms.toFixed(2), ours.errors || '-'],
      ['nginx return 302 (no decision)', peer.rps.toFixed(0), peer.p99ms.toFixed(2), peer.errors || '-'],
    ];
    for (const r of rows) console.log(`${r[0].padEnd(32)}${r[1].padStart(12)}${r[2].padStart(10)}  ${r[3]}`);
    console.log(`ratio smartcache / nginx: ${(ours.rps / peer.rps).toFixed(2)}x`);
    console.log(`redirector answers by outcome: ${outcomes}`);
    const files = await filesOf(redirector, nodes[0], 20);
    victim = nodes[0];
    const gone = await deathToLastRedirect(redirector, victim, files, lastBeat.get(victim.id) as number);
    console.log(
      `node death to its last redirect: ${gone} ms (heartbeat timeout ${HEARTBEAT_TIMEOUT_S} s, heartbeats every 500 ms)`,
    );
  } finally {
    clearInterval(beating);
    for (const child of children) child.kill('SIGTERM');
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await benchCluster();
