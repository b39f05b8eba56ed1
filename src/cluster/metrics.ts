/** Prometheus metrics of a redirector (its own registry, so several can share a process). */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Membership } from './membership.js';

/**
 * The `site` label of client sites that are neither configured nor a member's: a client names
 * its own site (header or query), so only known sites may become label values, or any client
 * could create Prometheus series without bound.
 */
export const OTHER_SITE = 'other';

export class RedirectorMetrics {
  readonly registry = new Registry();
  /** `site outcome` -> requests: a plain count per request, labelled only when scraped */
  private readonly routed = new Map<string, { site: string; outcome: string; count: number }>();
  readonly changes = new Counter({
    name: 'smartcache_membership_changes_total',
    help: 'membership changes by kind (join, leave, expire, drain, update)',
    labelNames: ['change'] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'smartcache_redirect_duration_seconds',
    help: 'time to answer a file request (redirect mode) or to its first byte (proxy mode)',
    buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1],
    registers: [this.registry],
  });

  /** sites counted under their own name: the configured ones and those of the members now */
  private known: Set<string>;

  /** `configuredSites`: the sites the lake config names (its sites, client blocks, distances, the default) */
  constructor(membership: Membership, configuredSites: Iterable<string> = []) {
    const configured = new Set(configuredSites);
    this.known = new Set(configured);
    membership.onChange(() => {
      this.known = new Set([...configured, ...membership.list().map((node) => node.site)]);
    });
    collectDefaultMetrics({ register: this.registry });
    const routed = this.routed;
    new Counter({
      name: 'smartcache_redirects_total',
      help: 'file requests routed, by client site and outcome (site, nearby, origin, unavailable, proxy-failed)',
      labelNames: ['site', 'outcome'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const { site, outcome, count } of routed.values()) this.inc({ site, outcome }, count);
      },
    });
    membership.onChange((change) => this.changes.inc({ change }));
    new Gauge({
      name: 'smartcache_cluster_nodes',
      help: 'known cache nodes by site and state',
      labelNames: ['site', 'state'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const node of membership.list()) this.inc({ site: node.site, state: node.state });
      },
    });
  }

  /** Counts a file request of a client of `site` (OTHER_SITE unless known) with its outcome. */
  routedRequest(clientSite: string, outcome: string): void {
    const site = this.known.has(clientSite) ? clientSite : OTHER_SITE;
    const key = `${site} ${outcome}`;
    const entry = this.routed.get(key);
    if (entry) entry.count++;
    else this.routed.set(key, { site, outcome, count: 1 });
  }
}
