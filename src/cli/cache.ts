/** `smartcache cache`: a cache node, an HTTP file cache whose admission and eviction are a simulator policy. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { ModelFallback } from '../cache/model-client.js';
import { CacheNode, log } from '../cache/node.js';
import { type DiskReads, PAGE_SIZE } from '../cache/store.js';
import { MembershipAgent } from '../cluster/agent.js';
import { readBundleSync } from '../learn/bundle.js';
import { OnlineCache } from '../sim/online.js';
import { parsePolicies, parseWatermarks } from '../sim/plan.js';
import {
  bytesArgument,
  durationArgument,
  integer,
  listenArgument,
  positiveDurationArgument,
  positiveNumber,
  seedArgument,
  valueOption,
} from './arguments.js';
import { loadPoliciesFor } from './policies.js';
import { closeOnSignals } from './run.js';

interface CacheCliOptions {
  origin: string;
  dir: string;
  capacity: number;
  site: string;
  listen: { host: string; port: number };
  policy?: string;
  bundle?: string;
  modelUrl?: string;
  model?: string;
  modelTimeout: number;
  modelFallback: ModelFallback;
  modelTokenFile?: string;
  blockSize: number;
  prefetch: number;
  diskReads: DiskReads;
  fetchMemory: number;
  watermarks?: string;
  maxFiles: number;
  revalidate: number;
  originTimeout: number;
  originTokenFile?: string;
  accessLog?: string;
  token?: string;
  jwks?: string;
  jwtAudience?: string;
  jwtIssuer?: string;
  adminToken?: string;
  tlsCert?: string;
  tlsKey?: string;
  redirector: string[];
  weight?: number;
  advertise?: string;
  seed: number;
  quiet?: boolean;
}

const EXAMPLES = `
Examples:
  $ smartcache cache --origin http://xrootd.example:1094 --dir /srv/cache --capacity 500GB \\
      --site T2_IT_Pisa --listen 0.0.0.0:8094
  $ smartcache cache --origin http://origin:8080 --dir cache/ --capacity 2TB --site T2_IT_Pisa \\
      --policy "s3fifo(fifo-size-ratio=0.2)" --watermarks 0.95,0.85 --admin-token "$(cat admin.token)"
  $ smartcache cache --origin http://origin:8080 --dir cache/ --capacity 2TB --site T2_IT_Pisa \\
      --bundle bundles/admit                     # a trained model, in process
  $ smartcache cache --origin http://origin:8080 --dir cache/ --capacity 2TB --site T2_IT_Pisa \\
      --model-url http://127.0.0.1:8083 --model-timeout 50ms --model-fallback admit
  $ smartcache cache --origin http://origin:8080 --dir cache/ --capacity 2TB --site T2_IT_Pisa \\
      --listen 0.0.0.0:8094 --advertise http://cache1.pisa.example:8094 \\
      --redirector http://redirector1:8090 --redirector http://redirector2:8090 --weight 2
  $ smartcache simulate --trace cache/access.jsonl --format xrootd --policies lru --sizes 500GB

GET and HEAD of files by path (Range, multipart/byteranges, conditional requests). Files are
fetched from the origin block by block, only the blocks a read needs plus --prefetch ahead, and
admitted and evicted whole by the policy. The access log holds one XCache file_close JSON
record per GET. Routes: /metrics, /healthz, /readyz, POST /admin/evict?path=P or ?prefix=P.
SIGTERM finishes running transfers, then exits. With --redirector the node joins a cluster: it
heartbeats its --advertise URL (its id), --site, --capacity and --weight to every redirector,
and on SIGTERM first announces draining (no new clients are sent here), finishes its running
transfers, then leaves. On-disk layout and recovery: docs/cache.md; the cluster: docs/cluster.md.`;

const blockSizeArgument = (text: string): number => {
  const bytes = bytesArgument(text);
  if (!(bytes >= PAGE_SIZE && bytes % PAGE_SIZE === 0)) {
    throw new InvalidArgumentError(`expected a multiple of 64KiB (${PAGE_SIZE} bytes), e.g. 1MiB`);
  }
  return bytes;
};

const capacityArgument = (text: string): number => {
  const bytes = bytesArgument(text);
  if (!(bytes > 0)) throw new InvalidArgumentError('expected a size above 0, e.g. 500GB');
  return bytes;
};

const originArgument = (text: string): string => {
  if (!/^https?:\/\/[^/]+/.test(text)) throw new InvalidArgumentError('expected an http:// or https:// URL');
  return text;
};

const collectRedirectors = (text: string, previous: string[]): string[] => [
  ...previous,
  originArgument(text),
];

/** The base URL a redirector sends clients to: scheme, host and port, no path. */
const advertiseArgument = (text: string): string => {
  if (!/^https?:\/\/[^/]+\/?$/.test(text)) {
    throw new InvalidArgumentError('expected a base URL without a path, e.g. http://cache1.example:8094');
  }
  return text.replace(/\/$/, '');
};

/** Listen hosts that name every interface: no client can be sent to them. */
const UNSPECIFIED_HOSTS = new Set(['0.0.0.0', '::', '[::]', '']);

export function register(program: Command): void {
  program
    .command('cache')
    .description('run a cache node: an HTTP file cache in front of an origin, policies from the simulator')
    .addOption(
      valueOption(
        '--origin <url>',
        'origin HTTP server the files come from',
        originArgument,
      ).makeOptionMandatory(),
    )
    .requiredOption('--dir <dir>', 'cache directory: index.mdb, data/, access.jsonl (created if missing)')
    .addOption(
      valueOption(
        '--capacity <size>',
        'bytes the policy may fill, e.g. 500GB',
        capacityArgument,
      ).makeOptionMandatory(),
    )
    .requiredOption(
      '--site <name>',
      "this node's site (its site in a cluster; logged for clients that name none), e.g. T2_IT_Pisa",
    )
    .addOption(
      valueOption('-l, --listen <host:port>', 'address to listen on', listenArgument, '127.0.0.1:8094'),
    )
    .option(
      '--policy <name(params)>',
      'admission/eviction policy of the simulator (see simulate --help; default lru)',
    )
    .option(
      '--bundle <dir>',
      'a trained model bundle, run in process: the same as --policy "KIND(bundle=DIR)" of its kind',
    )
    .option(
      '--model-url <url>',
      "admission by a model service (smartcache serve): batched /v1/decide calls; the policy is learned-admit over --policy's eviction",
    )
    .option(
      '--model <name>',
      "with --model-url: the model (name or name@version; default: the service's default model)",
    )
    .addOption(
      valueOption(
        '--model-timeout <duration>',
        'with --model-url: a batch the service has not answered in this time gets the fallback',
        positiveDurationArgument,
        '100ms',
      ),
    )
    .addOption(
      new Option(
        '--model-fallback <decision>',
        'with --model-url: what a file gets when the service cannot answer',
      )
        .choices(['admit', 'bypass'])
        .default('admit'),
    )
    .option(
      '--model-token-file <file>',
      'with --model-url: bearer token for the service, read from this file',
    )
    .addOption(
      valueOption(
        '--block-size <size>',
        'block: unit of fetching and of the block map',
        blockSizeArgument,
        '1MiB',
      ),
    )
    .addOption(valueOption('--prefetch <n>', 'blocks fetched ahead of the one read', integer(0, 1024), '2'))
    .addOption(
      new Option(
        '--disk-reads <mode>',
        'blocking: read cached blocks on the event loop (fastest from the page cache, as nginx aio off); threads: in a thread pool (slow disks, data far above RAM)',
      )
        .choices(['blocking', 'threads'])
        .default('blocking'),
    )
    .addOption(
      valueOption(
        '--fetch-memory <size>',
        'most bytes of blocks on their way from the origin to disk (as XCache pfc.ram); reads of further missing blocks wait',
        bytesArgument,
        '64MiB',
      ),
    )
    .option(
      '--watermarks <high,low>',
      'evict down to low once the policy occupancy passes high, e.g. 0.95,0.85',
    )
    .addOption(
      valueOption(
        '--max-files <n>',
        'most files cached at once (and the policy id space)',
        integer(1),
        '1000000',
      ),
    )
    .addOption(
      valueOption(
        '--revalidate <duration>',
        'check a file with the origin again after this long, unless it gave Cache-Control max-age',
        durationArgument,
        '1h',
      ),
    )
    .addOption(
      valueOption(
        '--origin-timeout <duration>',
        'an origin silent this long (no answer, or a stalled body) is answered 504',
        positiveDurationArgument,
        '30s',
      ),
    )
    .option('--origin-token-file <file>', 'bearer token sent to the origin, read from this file')
    .option('--access-log <file>', 'file_close JSON lines (default DIR/access.jsonl)')
    .option('--token <token>', 'clients need this bearer token (or SMARTCACHE_CACHE_TOKEN)')
    .option('--jwks <file>', 'clients need a JWT signed by a key of this JWKS file (WLCG tokens)')
    .option('--jwt-audience <aud>', 'with --jwks: required audience')
    .option('--jwt-issuer <iss>', 'with --jwks: required issuer')
    .option('--admin-token <token>', 'bearer token of the /admin routes (or SMARTCACHE_ADMIN_TOKEN)')
    .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM), with --tls-key')
    .option('--tls-key <file>', 'private key of --tls-cert (PEM)')
    .option(
      '--redirector <url>',
      'join the cluster of this redirector (repeatable: every redirector of the cluster)',
      collectRedirectors,
      [],
    )
    .addOption(
      valueOption(
        '--weight <n>',
        "with --redirector: this node's share of its site's files relative to the other nodes (default 1)",
        positiveNumber(),
      ),
    )
    .addOption(
      valueOption(
        '--advertise <url>',
        'with --redirector: the URL clients reach this node at, and its id in the cluster (default: the --listen address)',
        advertiseArgument,
      ),
    )
    .addOption(valueOption('--seed <n>', 'seed of randomised policies', seedArgument, '1'))
    .option('-q, --quiet', 'no request logs')
    .addHelpText('after', EXAMPLES)
    .action(runCache);
}

/**
 * The policy of --policy, or of --bundle's kind (the two exclude each other); with
 * --model-url, learned-admit over the eviction --policy names.
 */
function policyOption(opts: CacheCliOptions): string {
  if (opts.modelUrl === undefined && (opts.model !== undefined || opts.modelTokenFile !== undefined)) {
    throw new InvalidArgumentError('--model and --model-token-file go with --model-url');
  }
  if (opts.modelUrl !== undefined) {
    if (opts.bundle !== undefined)
      throw new InvalidArgumentError('--model-url and --bundle exclude each other');
    return `learned-admit(under=${opts.policy ?? 'lru'})`;
  }
  if (opts.bundle === undefined) return opts.policy ?? 'lru';
  if (opts.policy !== undefined) {
    throw new InvalidArgumentError(
      '--bundle names its policy (its kind): give --policy "KIND(bundle=DIR,...)" instead for other parameters',
    );
  }
  const { params } = readBundleSync(opts.bundle);
  return `${params.kind}(bundle=${opts.bundle})`;
}

/** Checks the cluster options before the node starts; a node listening on every interface must say its URL. */
function checkClusterOptions(opts: CacheCliOptions): void {
  if (opts.redirector.length === 0) {
    if (opts.weight !== undefined || opts.advertise !== undefined)
      throw new InvalidArgumentError('--weight and --advertise go with --redirector');
    return;
  }
  if (opts.advertise === undefined && UNSPECIFIED_HOSTS.has(opts.listen.host)) {
    throw new InvalidArgumentError(
      `--listen ${opts.listen.host}:${opts.listen.port} names no address clients can be sent to: give --advertise URL`,
    );
  }
}

/** Registers the node with its redirectors; failures are logged when they start, change or end. */
async function joinCluster(opts: CacheCliOptions, node: CacheNode): Promise<MembershipAgent> {
  const url = opts.advertise ?? node.url;
  const failing = new Map<string, string>();
  const agent = new MembershipAgent({
    redirectors: opts.redirector,
    node: { id: new URL(url).host, url, site: opts.site, capacity: opts.capacity, weight: opts.weight ?? 1 },
    onError: (redirector, err) => {
      if (failing.get(redirector) === err.message) return;
      failing.set(redirector, err.message);
      log('warn', 'heartbeat failed, retrying', { redirector, error: err.message });
    },
    onAccepted: (redirector) => {
      if (failing.delete(redirector)) log('info', 'redirector answers heartbeats again', { redirector });
    },
  });
  await agent.start();
  log('info', 'joined the cluster', { url, redirectors: opts.redirector, weight: opts.weight ?? 1 });
  return agent;
}

async function runCache(opts: CacheCliOptions): Promise<void> {
  if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) {
    throw new InvalidArgumentError('--tls-cert and --tls-key go together');
  }
  checkClusterOptions(opts);
  const policy = policyOption(opts);
  await loadPoliciesFor(policy);
  const choices = parsePolicies(policy);
  if (choices.length !== 1)
    throw new InvalidArgumentError(`--policy takes one policy, got ${choices.length}`);
  const [{ spec, params }] = choices;
  const decisions = new OnlineCache(spec, {
    capacity: opts.capacity,
    maxObjects: opts.maxFiles,
    watermarks: opts.watermarks ? parseWatermarks(opts.watermarks) : undefined,
    seed: opts.seed,
    params,
    carries: {
      users: opts.jwks !== undefined,
      datasets: true,
      scores: opts.modelUrl !== undefined,
    },
  });
  const token = opts.token ?? process.env.SMARTCACHE_CACHE_TOKEN;
  const node = await CacheNode.start(
    {
      dir: opts.dir,
      origin: opts.origin,
      blockSize: opts.blockSize,
      prefetch: opts.prefetch,
      diskReads: opts.diskReads,
      fetchMemory: opts.fetchMemory,
      revalidate: opts.revalidate,
      originTimeoutMs: opts.originTimeout * 1000,
      originToken: opts.originTokenFile ? (await readFile(opts.originTokenFile, 'utf8')).trim() : undefined,
      site: opts.site,
      decisions,
      model: opts.modelUrl
        ? {
            url: opts.modelUrl,
            model: opts.model,
            timeoutMs: opts.modelTimeout * 1000,
            fallback: opts.modelFallback,
            token: opts.modelTokenFile ? (await readFile(opts.modelTokenFile, 'utf8')).trim() : undefined,
            historyFiles: opts.maxFiles,
          }
        : undefined,
      accessLog: opts.accessLog ?? join(opts.dir, 'access.jsonl'),
      auth: {
        token,
        jwks: opts.jwks ? JSON.parse(await readFile(opts.jwks, 'utf8')) : undefined,
        audience: opts.jwtAudience,
        issuer: opts.jwtIssuer,
      },
      adminToken: opts.adminToken ?? process.env.SMARTCACHE_ADMIN_TOKEN,
      tls:
        opts.tlsCert && opts.tlsKey
          ? { cert: await readFile(opts.tlsCert), key: await readFile(opts.tlsKey) }
          : undefined,
      quiet: opts.quiet,
    },
    opts.listen.host,
    opts.listen.port,
  );
  const agent = opts.redirector.length > 0 ? await joinCluster(opts, node) : undefined;
  const shutdown = async () => {
    await agent?.drain();
    await node.close();
    await agent?.leave();
  };
  closeOnSignals(shutdown);
}
