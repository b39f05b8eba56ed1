/**
 * The dashboard's poller: every interval it reads the redirector's membership, each member's
 * /metrics, the model service's versions and the loop history, keeps a bounded series per node
 * and tells its listeners what changed. One poll runs at a time; the next starts an interval
 * after the last one ended.
 */

import type { Member } from '../../cluster/membership.js';
import type { BundleParams } from '../../learn/bundle.js';
import { type LoopEvent, readLoopHistory } from '../loop-history.js';
import { parseMetrics } from './prometheus.js';
import {
  type DashboardState,
  type DashboardUpdate,
  evaluations,
  type LoopView,
  type ModelsView,
  type NodePoint,
  type NodeTotals,
  type NodeView,
  nextPoint,
  nodeTotals,
  type SiteView,
  showTotals,
  sumTotals,
} from './state.js';

export interface PollerOptions {
  /** the redirector's base URL: GET /v1/cluster lists the nodes */
  redirector: string;
  /** the model service's base URL (with its --base prefix) */
  modelUrl?: string;
  /** bearer token of the model service's prediction routes, when it has one */
  modelToken?: string;
  /** the closed loop's history file (JSON lines, deploy/loop-history.ts) */
  loopHistory?: string;
  intervalMs: number;
  /** points kept per node (default 300) */
  points?: number;
}

export type UpdateListener = (update: DashboardUpdate) => void;

/** A source that did not answer as it should, with its URL. */
export class SourceError extends Error {
  constructor(
    readonly url: string,
    reason: string,
  ) {
    super(`${url}: ${reason}`);
    this.name = 'SourceError';
  }
}

async function fetchText(url: string, timeoutMs: number, token?: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
  } catch (err) {
    const e = err as Error & { cause?: Error };
    throw new SourceError(
      url,
      e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause ?? e).message,
    );
  }
  const text = await response.text();
  if (!response.ok) throw new SourceError(url, `${response.status} ${text.slice(0, 200)}`);
  return text;
}

async function fetchJson<T>(url: string, timeoutMs: number, token?: string): Promise<T> {
  const text = await fetchText(url, timeoutMs, token);
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new SourceError(url, `not JSON: ${(err as Error).message}`);
  }
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

export class Poller {
  private readonly series = new Map<string, NodePoint[]>();
  private readonly listeners: UpdateListener[] = [];
  private readonly points: number;
  private readonly timeoutMs: number;
  private members: Member[] = [];
  private current: DashboardState;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: PollerOptions) {
    this.points = options.points ?? 300;
    this.timeoutMs = Math.min(10_000, Math.max(1000, options.intervalMs));
    this.current = {
      updatedAt: 0,
      intervalMs: options.intervalMs,
      pointsKept: this.points,
      redirector: { url: options.redirector },
      sites: [],
      total: showTotals(sumTotals([])),
      series: {},
      models: { url: options.modelUrl, versions: [] },
      loop: { file: options.loopHistory, events: [], skippedLines: [] },
    };
  }

  /** Calls `listener` after every poll; answers the function that stops it. */
  onUpdate(listener: UpdateListener): () => void {
    this.listeners.push(listener);
    return () => {
      const at = this.listeners.indexOf(listener);
      if (at >= 0) this.listeners.splice(at, 1);
    };
  }

  /** The whole state: what a page loads first. */
  state(): DashboardState {
    return { ...this.current, series: Object.fromEntries(this.series) };
  }

  /** Polls now, then every interval until stop(). */
  start(): Promise<void> {
    const loop = async () => {
      this.running = this.poll();
      await this.running;
      if (!this.stopped) this.timer = setTimeout(loop, this.options.intervalMs);
    };
    return loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One poll of every source; a source that fails is reported in the state, never thrown. */
  async poll(): Promise<void> {
    const time = Date.now();
    const [redirector, loop] = await Promise.all([this.readMembers(), this.readLoop()]);
    const [nodes, models] = await Promise.all([
      Promise.all(this.members.map((member) => this.readNode(member, time))),
      this.readModels(loop.events),
    ]);
    this.forgetOldSeries(time);
    const sites = new Map<string, SiteView>();
    const points: Record<string, NodePoint> = {};
    for (const { view, point } of nodes) {
      if (!sites.has(view.site)) sites.set(view.site, { name: view.site, nodes: [] });
      sites.get(view.site)!.nodes.push(view);
      if (point) points[view.id] = point;
    }
    const totals = nodes.map((n) => n.view.totals).filter((t): t is NodeTotals => t !== undefined);
    const from = this.current.loop.events.length;
    const grew = loop.events.length >= from;
    this.current = {
      updatedAt: time,
      intervalMs: this.options.intervalMs,
      pointsKept: this.points,
      redirector,
      sites: [...sites.values()],
      total: showTotals(sumTotals(totals)),
      series: {},
      models,
      loop,
    };
    const { series: _series, ...rest } = this.current;
    const update: DashboardUpdate = {
      ...rest,
      points,
      loop: {
        ...loop,
        from: grew ? from : 0,
        events: grew ? loop.events.slice(from) : loop.events,
      },
    };
    for (const listener of [...this.listeners]) listener(update);
  }

  private async readMembers(): Promise<DashboardState['redirector']> {
    const url = `${trimSlash(this.options.redirector)}/v1/cluster`;
    try {
      const view = await fetchJson<{ nodes: Member[] }>(url, this.timeoutMs);
      this.members = view.nodes;
      return { url: this.options.redirector };
    } catch (err) {
      // the last membership known stays shown, its nodes still polled
      return { url: this.options.redirector, error: (err as Error).message };
    }
  }

  private async readNode(member: Member, time: number): Promise<{ view: NodeView; point?: NodePoint }> {
    const base: NodeView = { id: member.id, url: member.url, site: member.site, state: member.state };
    const url = `${trimSlash(member.url)}/metrics`;
    try {
      const totals = nodeTotals(parseMetrics(await fetchText(url, this.timeoutMs), url));
      const series = this.series.get(member.id) ?? [];
      const point = nextPoint(totals, time, series.at(-1));
      series.push(point);
      if (series.length > this.points) series.splice(0, series.length - this.points);
      this.series.set(member.id, series);
      return { view: { ...base, totals, shown: showTotals(totals) }, point };
    } catch (err) {
      return { view: { ...base, error: (err as Error).message } };
    }
  }

  /** A node gone from the cluster keeps its series until its last point leaves the window. */
  private forgetOldSeries(now: number): void {
    const window = this.points * this.options.intervalMs;
    for (const [id, series] of this.series) {
      if (now - (series.at(-1)?.time ?? 0) > window) this.series.delete(id);
    }
  }

  private async readModels(events: readonly LoopEvent[]): Promise<ModelsView> {
    const { modelUrl, modelToken } = this.options;
    if (!modelUrl) return { versions: [] };
    const base = trimSlash(modelUrl);
    try {
      const listed = await fetchJson<BundleParams[]>(`${base}/models`, this.timeoutMs, modelToken);
      const names = [...new Set(listed.map((p) => p.name))];
      const serving = new Map(
        await Promise.all(
          names.map(async (name) => {
            const url = `${base}/params/${encodeURIComponent(name)}`;
            const params = await fetchJson<BundleParams>(url, this.timeoutMs, modelToken);
            return [name, params.version] as const;
          }),
        ),
      );
      const scores = evaluations(events);
      const versions = listed.map((p) => ({
        name: p.name,
        version: p.version ?? 0,
        kind: p.kind,
        format: p.format,
        createdAt: p.createdAt,
        serving: serving.get(p.name) === p.version,
        metrics: p.metrics ?? {},
        evaluation: scores.get(`${p.name}@${p.version}`),
      }));
      return { url: modelUrl, versions };
    } catch (err) {
      return { url: modelUrl, error: (err as Error).message, versions: this.current.models.versions };
    }
  }

  private async readLoop(): Promise<LoopView> {
    const file = this.options.loopHistory;
    if (!file) return { events: [], skippedLines: [] };
    try {
      return { file, ...(await readLoopHistory(file)) };
    } catch (err) {
      return { ...this.current.loop, file, error: `${file}: ${(err as Error).message}` };
    }
  }
}
