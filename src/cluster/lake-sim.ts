/**
 * The data-lake simulation: a trace replayed over the sites and cache nodes of a lake.yaml,
 * with the redirector's own placement (`Placement`) choosing the node of every request and a
 * schedule of nodes and sites leaving and joining.
 *
 * Each node lifetime (from a join to the next leave) is one cache that sees exactly the
 * requests routed to it while it lived, so it is replayed by the simulator's engine as a
 * sub-trace: the hit/miss logic stays written once. A node that leaves loses what it held.
 *
 * The lake's sites are the cells of a sharded run (`--shard`): every shard routes the whole
 * trace (cheap, and the same everywhere), replays only the nodes of its own sites and counts
 * the requests they served (the shard of the first site also those that went to the origin),
 * as per-client-site sums that `finishLake` adds up; one shard of one is the unsharded run.
 */

import { Random } from '../common/random.js';
import { DAY } from '../common/time.js';
import { simulate } from '../sim/engine.js';
import { ratio, type SimResult } from '../sim/metrics.js';
import { type PolicyChoice, parsePolicies } from '../sim/plan.js';
import { byWork, checkShardCount, type Shard } from '../sim/shard.js';
import type { DictColumn, Trace } from '../trace/model.js';
import type { ChurnEvent, LakeConfig, LakeNode } from './config.js';
import { HotFiles } from './hot-files.js';
import { keyHash, Placement } from './placement.js';

const ORIGIN = -1;
const LEVEL_SITE = 0;
const LEVEL_NEARBY = 1;
const LEVEL_ORIGIN = 2;

export interface LakeCounters {
  requests: number;
  hits: number;
  bytesRequested: number;
  /** bytes served by a cache node (of the client's site or a nearby one) from its cache */
  bytesHit: number;
  /** bytes read from the origin over the wide-area network */
  wanBytes: number;
  /** bytes sent from a node of another site to the client */
  interSiteBytes: number;
  /** bytes that went straight to the origin because no node could take them */
  originDirectBytes: number;
}

export interface LakeWindow extends LakeCounters {
  start: number;
  hitRatio: number;
  byteHitRatio: number;
}

export interface SiteResult extends LakeCounters {
  site: string;
  hitRatio: number;
  byteHitRatio: number;
  windows: LakeWindow[];
}

export interface NodeLifetime {
  node: string;
  site: string;
  policy: string;
  capacity: number;
  /** seconds since the epoch */
  joined: number;
  /** seconds since the epoch, when the node left during the trace */
  left?: number;
  requests: number;
  hits: number;
  bytesHit: number;
  bytesWritten: number;
  /** bytes the node held when it left */
  bytesLost: number;
}

export interface AppliedEvent extends ChurnEvent {
  /** seconds since the epoch */
  time: number;
}

export interface LakeResult {
  sites: SiteResult[];
  total: SiteResult;
  nodes: NodeLifetime[];
  events: AppliedEvent[];
  window: number;
  /** time of the first and last request, seconds since the epoch */
  start: number;
  end: number;
  elapsedMs: number;
}

export interface LakeSimOptions {
  /** metrics window, seconds (default one day) */
  window?: number;
  /** seed of the site assignment when the trace has no site field */
  seed?: number;
  onProgress?: (done: number) => void;
  /** replay only this shard of the lake's sites (default: all) */
  shard?: Shard;
}

/** Counters of one client site over the requests a shard counted, whole and by window start. */
export interface SiteCounts {
  totals: LakeCounters;
  windows: [start: number, counters: LakeCounters][];
}

/** What one shard of a lake replay found; `finishLake` adds the parts of every shard up. */
export interface LakePart {
  /** the lake site indexes (cells) this shard replayed */
  cells: number[];
  /** client site names, in the trace's order */
  siteNames: string[];
  /** by client site, in the order of `siteNames` */
  counts: SiteCounts[];
  /** the lifetimes of this shard's nodes, `order` their place in the order of joining */
  nodes: (NodeLifetime & { order: number })[];
  events: AppliedEvent[];
  window: number;
  start: number;
  end: number;
  elapsedMs: number;
}

export class LakeSimError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LakeSimError';
  }
}

function zero(): LakeCounters {
  return {
    requests: 0,
    hits: 0,
    bytesRequested: 0,
    bytesHit: 0,
    wanBytes: 0,
    interSiteBytes: 0,
    originDirectBytes: 0,
  };
}

/** The client site of every request: the trace's site field, else drawn by the configured shares. */
export function clientSites(trace: Trace, lake: LakeConfig, seed: number): DictColumn {
  if (trace.site) return trace.site;
  const names = lake.sites.map((s) => s.name);
  const given = lake.sites.reduce((sum, s) => sum + (s.share ?? 0), 0);
  const unset = lake.sites.filter((s) => s.share === undefined).length;
  const rest = unset > 0 ? Math.max(0, 1 - given) / unset : 0;
  const shares = lake.sites.map((s) => s.share ?? rest);
  const sum = shares.reduce((a, b) => a + b, 0);
  if (!(sum > 0))
    throw new LakeSimError('the trace has no site field and no site has a share of the requests');
  const cumulative = new Float64Array(shares.length);
  let acc = 0;
  shares.forEach((share, i) => {
    acc += share / sum;
    cumulative[i] = acc;
  });
  const random = new Random(seed);
  const codes = new Uint32Array(trace.length);
  for (let i = 0; i < trace.length; i++) {
    const u = random.float();
    let s = 0;
    while (s < cumulative.length - 1 && u >= cumulative[s]) s++;
    codes[i] = s;
  }
  return { codes, values: names };
}

/** The requests `indices` of `trace` as a trace of their own; objects keep their indices. */
export function subTrace(trace: Trace, indices: Uint32Array): Trace {
  const pick = (column: Float64Array) => {
    const out = new Float64Array(indices.length);
    for (let j = 0; j < indices.length; j++) out[j] = column[indices[j]];
    return out;
  };
  const obj = new Uint32Array(indices.length);
  for (let j = 0; j < indices.length; j++) obj[j] = trace.obj[indices[j]];
  return {
    length: indices.length,
    time: pick(trace.time),
    obj,
    size: pick(trace.size),
    bytesRead: trace.bytesRead && pick(trace.bytesRead),
    keys: trace.keys,
    objectCount: trace.objectCount,
  };
}

interface Lifetime {
  /** position in the list of lifetimes, in order of joining */
  index: number;
  node: LakeNode;
  joined: number;
  left?: number;
  requests: number[];
}

/** Replays `trace` over the lake; see the module comment. */
export function simulateLake(trace: Trace, lake: LakeConfig, options: LakeSimOptions = {}): LakeResult {
  return finishLake([simulateLakePart(trace, lake, options)]);
}

/** Replays the trace over the nodes of the shard's sites (all of them without a shard). */
export function simulateLakePart(trace: Trace, lake: LakeConfig, options: LakeSimOptions = {}): LakePart {
  // before the routing, which may be long
  if (options.shard) checkShardCount(lake.sites.length, options.shard);
  const started = performance.now();
  const window = options.window ?? DAY;
  const nodes = lake.sites.flatMap((s) => s.nodes);
  const choices = new Map(nodes.map((n) => [n.id, parsePolicies(n.policy)[0]]));
  if (nodes.length === 0) throw new LakeSimError('the lake has no cache node');
  const sites = clientSites(trace, lake, options.seed ?? 1);
  const t0 = trace.length > 0 ? trace.time[0] : 0;
  const events: AppliedEvent[] = lake.schedule.map((e) => ({ ...e, time: t0 + e.at }));

  const firstAction = new Map<string, string>();
  for (const e of events) for (const id of e.nodes) if (!firstAction.has(id)) firstAction.set(id, e.action);
  const live = new Map<string, Lifetime>();
  const lifetimes: Lifetime[] = [];
  const join = (node: LakeNode, time: number) => {
    if (live.has(node.id)) return;
    const lifetime: Lifetime = { index: lifetimes.length, node, joined: time, requests: [] };
    live.set(node.id, lifetime);
    lifetimes.push(lifetime);
  };
  for (const node of nodes) if (firstAction.get(node.id) !== 'join') join(node, t0);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  let placement = new Placement(
    [...live.values()].map((l) => l.node),
    lake,
  );
  let nodeLifetime = new Map<string, number>();
  const rebuild = () => {
    placement = new Placement(
      [...live.values()].map((l) => l.node),
      lake,
    );
    nodeLifetime = new Map([...live.entries()].map(([id, l]) => [id, l.index]));
  };
  rebuild();

  const hashHi = new Uint32Array(trace.objectCount);
  const hashLo = new Uint32Array(trace.objectCount);
  const hashed = new Uint8Array(trace.objectCount);
  const hot = lake.hotThreshold
    ? new HotFiles({ threshold: lake.hotThreshold, halfLife: lake.hotHalfLife })
    : undefined;
  const servedBy = new Int32Array(trace.length);
  const level = new Uint8Array(trace.length);
  let nextEvent = 0;

  for (let i = 0; i < trace.length; i++) {
    const t = trace.time[i];
    if (nextEvent < events.length && t >= events[nextEvent].time) {
      while (nextEvent < events.length && t >= events[nextEvent].time) {
        const e = events[nextEvent++];
        for (const id of e.nodes) {
          if (e.action === 'join') join(byId.get(id) as LakeNode, e.time);
          else {
            const l = live.get(id);
            if (l) l.left = e.time;
            live.delete(id);
          }
        }
      }
      rebuild();
    }
    const o = trace.obj[i];
    if (hashed[o] === 0) {
      [hashHi[o], hashLo[o]] = keyHash(String(trace.keys.key(o)));
      hashed[o] = 1;
    }
    const site = sites.values[sites.codes[i]];
    const isHot = hot?.observe(String(trace.keys.key(o)), t) ?? false;
    const route = isHot
      ? placement.route(site, hashHi[o], hashLo[o], true, i)
      : placement.primary(site, hashHi[o], hashLo[o]);
    if (route.node === undefined) {
      servedBy[i] = ORIGIN;
      level[i] = LEVEL_ORIGIN;
    } else {
      const l = nodeLifetime.get(route.node.id) as number;
      servedBy[i] = l;
      level[i] = route.level === 'site' ? LEVEL_SITE : LEVEL_NEARBY;
      lifetimes[l].requests.push(i);
    }
    if ((i & 0xfffff) === 0xfffff) options.onProgress?.(i + 1);
  }

  // a site's replay costs about the requests its nodes were sent
  const siteIndex = new Map(lake.sites.map((site, j) => [site.name, j]));
  const work = lake.sites.map(() => 0);
  for (const l of lifetimes) work[siteIndex.get(l.node.site) as number] += l.requests.length;
  const cells = options.shard ? byWork(work, options.shard) : lake.sites.map((_, j) => j);
  const mine = new Set(cells.map((j) => lake.sites[j].name));
  const counted = new Uint8Array(trace.length);
  const hit = new Uint8Array(trace.length);
  const nodeResults: LakePart['nodes'] = [];
  for (const l of lifetimes) {
    if (!mine.has(l.node.site)) continue;
    nodeResults.push({ ...replayLifetime(trace, l, choices, hit), order: l.index });
    for (const i of l.requests) counted[i] = 1;
  }
  if (cells.includes(0)) for (let i = 0; i < trace.length; i++) if (servedBy[i] === ORIGIN) counted[i] = 1;
  options.onProgress?.(trace.length);
  return {
    cells,
    siteNames: [...sites.values],
    counts: countBySite(trace, sites, servedBy, level, hit, counted, window),
    nodes: nodeResults,
    events,
    window,
    start: t0,
    end: trace.length > 0 ? trace.time[trace.length - 1] : t0,
    elapsedMs: performance.now() - started,
  };
}

/** The lake result of the parts of every shard (or of the one unsharded part). */
export function finishLake(parts: readonly LakePart[]): LakeResult {
  const [first] = parts;
  if (first === undefined) throw new LakeSimError('no part to finish');
  const names = first.siteNames;
  const totals = names.map(zero);
  const windows = names.map(() => new Map<number, LakeCounters>());
  for (const part of parts) {
    if (part.siteNames.join('\n') !== names.join('\n')) {
      throw new LakeSimError(`parts disagree on the client sites: ${part.siteNames} and ${names}`);
    }
    part.counts.forEach((c, s) => {
      add(totals[s], c.totals);
      for (const [start, wc] of c.windows) add(windowOf(windows[s], start), wc);
    });
  }
  const all = zero();
  const allWindows = new Map<number, LakeCounters>();
  names.forEach((_, s) => {
    add(all, totals[s]);
    for (const [start, wc] of windows[s]) add(windowOf(allWindows, start), wc);
  });
  const perSite = names
    .map((name, s) => siteResult(name, totals[s], windows[s]))
    .filter((r) => r.requests > 0);
  const nodes = parts
    .flatMap((part) => part.nodes)
    .sort((a, b) => a.order - b.order)
    .map(({ order: _, ...lifetime }) => lifetime);
  return {
    sites: perSite,
    total: siteResult('total', all, allWindows),
    nodes,
    events: first.events,
    window: first.window,
    start: first.start,
    end: first.end,
    elapsedMs: parts.reduce((sum, part) => sum + part.elapsedMs, 0),
  };
}

function replayLifetime(
  trace: Trace,
  lifetime: Lifetime,
  choices: Map<string, PolicyChoice>,
  hit: Uint8Array,
): NodeLifetime {
  const { node } = lifetime;
  const choice = choices.get(node.id) as PolicyChoice;
  const indices = Uint32Array.from(lifetime.requests);
  const sub = subTrace(trace, indices);
  const hitLog = new Uint8Array(sub.length);
  const result: SimResult = simulate(sub, choice.spec, {
    capacity: node.capacity,
    params: choice.params,
    hitLog,
  });
  for (let j = 0; j < indices.length; j++) if (hitLog[j] === 1) hit[indices[j]] = 1;
  const occupancy = result.windows.at(-1)?.occupancy ?? 0;
  return {
    node: node.id,
    site: node.site,
    policy: choice.label,
    capacity: node.capacity,
    joined: lifetime.joined,
    left: lifetime.left,
    requests: result.requests,
    hits: result.hits,
    bytesHit: result.bytesHit,
    bytesWritten: result.bytesWritten,
    bytesLost: lifetime.left === undefined ? 0 : occupancy,
  };
}

/** Counters by client site over the requests `counted` marks. */
function countBySite(
  trace: Trace,
  sites: DictColumn,
  servedBy: Int32Array,
  level: Uint8Array,
  hit: Uint8Array,
  counted: Uint8Array,
  window: number,
): SiteCounts[] {
  const totals = sites.values.map(zero);
  const windows = sites.values.map(() => new Map<number, LakeCounters>());
  for (let i = 0; i < trace.length; i++) {
    if (counted[i] === 0) continue;
    const s = sites.codes[i];
    const start = Math.floor(trace.time[i] / window) * window;
    const bytes = trace.bytesRead ? trace.bytesRead[i] : trace.size[i];
    for (const c of [totals[s], windowOf(windows[s], start)])
      count(c, bytes, hit[i] === 1, level[i], servedBy[i] === ORIGIN);
  }
  return totals.map((totals, s) => ({ totals, windows: [...windows[s].entries()] }));
}

function siteResult(site: string, c: LakeCounters, ws: Map<number, LakeCounters>): SiteResult {
  return {
    site,
    ...c,
    hitRatio: ratio(c.hits, c.requests),
    byteHitRatio: ratio(c.bytesHit, c.bytesRequested),
    windows: [...ws.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([start, wc]) => ({
        start,
        ...wc,
        hitRatio: ratio(wc.hits, wc.requests),
        byteHitRatio: ratio(wc.bytesHit, wc.bytesRequested),
      })),
  };
}

function add(into: LakeCounters, c: LakeCounters): void {
  for (const key of Object.keys(into) as (keyof LakeCounters)[]) into[key] += c[key];
}

function windowOf(windows: Map<number, LakeCounters>, start: number): LakeCounters {
  let w = windows.get(start);
  if (w === undefined) {
    w = zero();
    windows.set(start, w);
  }
  return w;
}

function count(c: LakeCounters, bytes: number, isHit: boolean, routeLevel: number, direct: boolean): void {
  c.requests++;
  c.bytesRequested += bytes;
  if (isHit) {
    c.hits++;
    c.bytesHit += bytes;
  } else {
    c.wanBytes += bytes;
    if (direct) c.originDirectBytes += bytes;
  }
  if (routeLevel === LEVEL_NEARBY) c.interSiteBytes += bytes;
}
