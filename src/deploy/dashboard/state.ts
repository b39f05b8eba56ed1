/**
 * What the dashboard shows, as the server keeps it and sends it: the cluster by site with each
 * node's counters, a bounded time series per node, the model versions and the loop history.
 * Numbers a person reads are formatted here (common/units), so the page shows exactly what
 * the API says and the browser test can compare the two.
 */
import { BYTES_SENT_METRIC, FILE_OPENS_METRIC } from '../../cache/metrics.js';
import type { NodeState } from '../../cluster/membership.js';
import { formatBytes, formatPercent } from '../../common/units.js';
import type { LoopEvent, LoopScore } from '../loop-history.js';
import { type Sample, sumOf } from './prometheus.js';

/** A node's counters since it started, from its /metrics. */
export interface NodeTotals {
  /** file opens (GETs), every decision */
  opens: number;
  /** file opens the cache held */
  hits: number;
  /** bytes sent from disk: WAN traffic saved */
  bytesHit: number;
  /** bytes sent from the origin (stored or not) */
  bytesOrigin: number;
}

/** One poll of a node: its counters then, and the ratios over the interval since the last poll. */
export interface NodePoint extends NodeTotals {
  /** ms since the epoch */
  time: number;
  /** hits / opens of the interval; null when it had no opens */
  hitRatio: number | null;
  /** bytes from disk / bytes sent of the interval; null when it sent nothing */
  byteHitRatio: number | null;
}

/** The counters as a page shows them. */
export interface ShownTotals {
  requests: string;
  hits: string;
  hitRatio: string;
  byteHitRatio: string;
  wanSaved: string;
  fromOrigin: string;
}

export interface NodeView {
  id: string;
  url: string;
  site: string;
  state: NodeState;
  /** why its /metrics could not be read at the last poll */
  error?: string;
  totals?: NodeTotals;
  shown?: ShownTotals;
}

export interface SiteView {
  name: string;
  nodes: NodeView[];
}

export interface ModelVersion {
  name: string;
  version: number;
  kind: string;
  format: string;
  createdAt?: string;
  /** the version the service answers for the bare name */
  serving: boolean;
  /** the bundle's own metrics (validation AUC, training byte hit ratio...) */
  metrics: Record<string, number>;
  /** its latest score on a held-out window in the loop history */
  evaluation?: { round: number; hitRatio: number; byteHitRatio: number };
}

export interface ModelsView {
  url?: string;
  error?: string;
  versions: ModelVersion[];
}

export interface LoopView {
  file?: string;
  error?: string;
  events: LoopEvent[];
  /** line numbers of the file that are not a whole event */
  skippedLines: number[];
}

export interface DashboardState {
  /** ms since the epoch of the poll shown; 0 before the first */
  updatedAt: number;
  intervalMs: number;
  /** points kept per node */
  pointsKept: number;
  redirector: { url: string; error?: string };
  sites: SiteView[];
  /** every node's counters together */
  total: ShownTotals;
  series: Record<string, NodePoint[]>;
  models: ModelsView;
  loop: LoopView;
}

/** What changed in one poll, as the server-sent `update` event carries it. */
export interface DashboardUpdate extends Omit<DashboardState, 'series' | 'loop'> {
  /** the new point of each node read in this poll */
  points: Record<string, NodePoint>;
  /** loop events from index `from` of the history on */
  loop: Omit<LoopView, 'events'> & { from: number; events: LoopEvent[] };
}

export function nodeTotals(samples: readonly Sample[]): NodeTotals {
  const bytesHit = sumOf(samples, BYTES_SENT_METRIC, { outcome: 'hit' });
  return {
    opens: sumOf(samples, FILE_OPENS_METRIC),
    hits: sumOf(samples, FILE_OPENS_METRIC, { decision: 'hit' }),
    bytesHit,
    bytesOrigin: sumOf(samples, BYTES_SENT_METRIC) - bytesHit,
  };
}

const ratio = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

/**
 * The point of a poll: ratios over the interval since `previous`, or since the node started
 * when there is no previous point or the counters went back (the node restarted).
 */
export function nextPoint(totals: NodeTotals, time: number, previous?: NodePoint): NodePoint {
  const restarted = !previous || totals.opens < previous.opens || totals.bytesHit < previous.bytesHit;
  const base = restarted ? { opens: 0, hits: 0, bytesHit: 0, bytesOrigin: 0 } : previous;
  const bytesHit = totals.bytesHit - base.bytesHit;
  const bytesSent = bytesHit + totals.bytesOrigin - base.bytesOrigin;
  return {
    ...totals,
    time,
    hitRatio: ratio(totals.hits - base.hits, totals.opens - base.opens),
    byteHitRatio: ratio(bytesHit, bytesSent),
  };
}

const wholeNumber = (n: number): string => n.toLocaleString('en-US');

export function showTotals(t: NodeTotals): ShownTotals {
  const sent = t.bytesHit + t.bytesOrigin;
  return {
    requests: wholeNumber(t.opens),
    hits: wholeNumber(t.hits),
    hitRatio: t.opens > 0 ? formatPercent(t.hits / t.opens) : 'n/a',
    byteHitRatio: sent > 0 ? formatPercent(t.bytesHit / sent) : 'n/a',
    wanSaved: formatBytes(t.bytesHit),
    fromOrigin: formatBytes(t.bytesOrigin),
  };
}

export function sumTotals(all: readonly NodeTotals[]): NodeTotals {
  const sum = { opens: 0, hits: 0, bytesHit: 0, bytesOrigin: 0 };
  for (const t of all) {
    sum.opens += t.opens;
    sum.hits += t.hits;
    sum.bytesHit += t.bytesHit;
    sum.bytesOrigin += t.bytesOrigin;
  }
  return sum;
}

/** The latest held-out score of each `model@version` in the loop history. */
export function evaluations(events: readonly LoopEvent[]): Map<string, ModelVersion['evaluation']> {
  const scores = new Map<string, ModelVersion['evaluation']>();
  const note = (round: number, score: LoopScore | undefined) => {
    if (score)
      scores.set(`${score.model}@${score.version}`, {
        round,
        hitRatio: score.hitRatio,
        byteHitRatio: score.byteHitRatio,
      });
  };
  for (const event of events) {
    note(event.round, event.serving);
    note(event.round, event.candidate);
  }
  return scores;
}
