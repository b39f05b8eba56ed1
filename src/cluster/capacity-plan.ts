/**
 * Capacity planning for a data lake: where to put how much cache.
 *
 * Each site's byte-hit curve (bytes its clients would read from a cache at that site, against
 * the cache's size) comes from the simulator, on the requests of that site's clients. The
 * budget goes, slice by slice, to the site whose next slice saves the most WAN bytes per
 * byte of cache: on the upper concave hull of each curve this greedy choice is optimal.
 * A full data-lake replay then checks the plan, and the same budget spread evenly.
 */
import type { SimResult } from '../sim/metrics.js';
import { runSimulations, type SimJob } from '../sim/parallel.js';
import { parsePolicies } from '../sim/plan.js';
import type { Trace } from '../trace/model.js';
import { uniqueBytes } from '../trace/model.js';
import type { LakeConfig, LakeNode, LakeSite } from './config.js';
import { clientSites, type LakeResult, simulateLake, subTrace } from './lake-sim.js';

export interface CurvePoint {
  /** cache size, bytes */
  capacity: number;
  /** bytes the site's clients read from a cache of that size */
  bytesHit: number;
}

export interface SiteCurve {
  site: string;
  /** policy the curve was simulated with */
  policy: string;
  requests: number;
  bytesRequested: number;
  uniqueBytes: number;
  /** from 0 bytes up to the site's unique bytes, by increasing capacity */
  points: CurvePoint[];
}

export interface SiteAllocation {
  site: string;
  /** planned cache at the site, bytes */
  capacity: number;
  /** bytes the curve says the planned cache saves */
  predictedSaved: number;
  /** the budget split evenly over the lake's sites */
  uniformCapacity: number;
  /** WAN bytes the site's clients saved in the replay of the plan (read from any node) */
  saved: number;
  uniformSaved: number;
}

export interface CapacityPlan {
  budget: number;
  /** bytes of the budget the curves gain from; beyond it more cache saves nothing they can see */
  needed: number;
  curves: SiteCurve[];
  sites: SiteAllocation[];
  /** the replays that verified the plan and the uniform split */
  planned: LakeResult;
  uniform: LakeResult;
}

export interface PlanOptions {
  /** bytes of cache to spread over the lake */
  budget: number;
  /** simulated sizes per site curve, between 1/2^(points-1) of the site's unique bytes and all of them */
  points?: number;
  /** policy for sites without nodes, and for their planned nodes (default lru) */
  policy?: string;
  /** worker threads for the curves */
  workers?: number;
  /** replayed requests so far, across all curve simulations */
  onProgress?: (requests: number) => void;
}

export class CapacityPlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CapacityPlanError';
  }
}

function sitePolicy(site: LakeSite, fallback: string): string {
  return site.nodes[0]?.policy ?? fallback;
}

/** The sizes a curve is simulated at: halving from the site's unique bytes. */
function curveSizes(unique: number, points: number): number[] {
  const sizes: number[] = [];
  for (let k = points - 1; k >= 0; k--) {
    const size = Math.floor(unique / 2 ** k);
    if (size > 0 && size !== sizes.at(-1)) sizes.push(size);
  }
  return sizes;
}

async function siteCurve(
  trace: Trace,
  site: LakeSite,
  policy: string,
  points: number,
  options: PlanOptions,
): Promise<SiteCurve> {
  const unique = uniqueBytes(trace);
  const choice = parsePolicies(policy)[0];
  const jobs: SimJob[] = curveSizes(unique, points).map((capacity) => ({
    policy: choice.spec.name,
    label: choice.label,
    options: { capacity, params: choice.params },
  }));
  const results: SimResult[] =
    jobs.length === 0
      ? []
      : await runSimulations(trace, jobs, { workers: options.workers, onProgress: options.onProgress });
  const bytesRequested = trace.bytesRead
    ? trace.bytesRead.reduce((a, b) => a + b, 0)
    : trace.size.reduce((a, b) => a + b, 0);
  return {
    site: site.name,
    policy: choice.label,
    requests: trace.length,
    bytesRequested,
    uniqueBytes: unique,
    points: [
      { capacity: 0, bytesHit: 0 },
      ...results.map((r) => ({ capacity: r.cacheSize, bytesHit: r.bytesHit })),
    ],
  };
}

/** The byte-hit curve of every lake site, each on the requests of its own clients. */
export async function siteCurves(trace: Trace, lake: LakeConfig, options: PlanOptions): Promise<SiteCurve[]> {
  const sites = clientSites(trace, lake, 1);
  const bySite = new Map<string, number[]>();
  for (let i = 0; i < trace.length; i++) {
    const name = sites.values[sites.codes[i]];
    const list = bySite.get(name);
    if (list === undefined) bySite.set(name, [i]);
    else list.push(i);
  }
  const curves: SiteCurve[] = [];
  for (const site of lake.sites) {
    const sub = subTrace(trace, Uint32Array.from(bySite.get(site.name) ?? []));
    curves.push(
      await siteCurve(sub, site, sitePolicy(site, options.policy ?? 'lru'), options.points ?? 12, options),
    );
  }
  return curves;
}

interface Segment {
  site: number;
  from: CurvePoint;
  to: CurvePoint;
  slope: number;
}

/** The upper concave hull of a curve: a cache can always be split to reach any point on it. */
function concaveHull(points: readonly CurvePoint[]): CurvePoint[] {
  const hull: CurvePoint[] = [];
  for (const p of points) {
    while (hull.length >= 2) {
      const [a, b] = [hull[hull.length - 2], hull[hull.length - 1]];
      const cross =
        (b.capacity - a.capacity) * (p.bytesHit - a.bytesHit) -
        (b.bytesHit - a.bytesHit) * (p.capacity - a.capacity);
      if (cross >= 0) hull.pop();
      else break;
    }
    hull.push(p);
  }
  return hull;
}

/**
 * Splits `budget` over the curves by marginal saving; returns bytes per site and the predicted
 * saving. Budget left once every curve is flat is spread by the sites' requested bytes: the
 * curves see no gain in it, but it is headroom for churn and for uneven spread over nodes.
 */
export function allocate(curves: readonly SiteCurve[], budget: number): Allocation {
  const segments: Segment[] = curves.flatMap((curve, site) => {
    const hull = concaveHull(curve.points);
    return hull.slice(1).map((to, j) => ({
      site,
      from: hull[j],
      to,
      slope: (to.bytesHit - hull[j].bytesHit) / (to.capacity - hull[j].capacity),
    }));
  });
  // a hull's slopes fall, so a stable sort keeps each site's segments in order
  segments.sort((a, b) => b.slope - a.slope);
  const out = curves.map(() => ({ capacity: 0, saved: 0 }));
  let left = budget;
  for (const s of segments) {
    if (left <= 0 || s.slope <= 0) break;
    const take = Math.min(left, s.to.capacity - s.from.capacity);
    out[s.site].capacity += take;
    out[s.site].saved += take * s.slope;
    left -= take;
  }
  const needed = budget - left;
  const demand = curves.reduce((sum, c) => sum + c.bytesRequested, 0);
  if (left > 0 && demand > 0) {
    for (const [i, c] of curves.entries()) out[i].capacity += (left * c.bytesRequested) / demand;
  }
  for (const o of out) o.capacity = Math.floor(o.capacity);
  return { sites: out, needed };
}

export interface Allocation {
  sites: { capacity: number; saved: number }[];
  /** bytes of the budget the curves gain from; the rest was spread by demand */
  needed: number;
}

/** The lake with `capacities[s]` bytes at site s: spread over its nodes by weight, or one new node. */
export function withCapacities(lake: LakeConfig, capacities: readonly number[], policy: string): LakeConfig {
  const sites: LakeSite[] = lake.sites.map((site, s) => {
    const capacity = capacities[s];
    if (capacity <= 0) return { ...site, nodes: [] };
    if (site.nodes.length === 0) {
      const node: LakeNode = { id: `${site.name}-planned`, site: site.name, capacity, weight: 1, policy };
      return { ...site, nodes: [node] };
    }
    const weights = site.nodes.reduce((sum, n) => sum + n.weight, 0);
    return {
      ...site,
      nodes: site.nodes.map((n) => ({
        ...n,
        capacity: Math.max(1, Math.floor((capacity * n.weight) / weights)),
      })),
    };
  });
  const kept = new Set(sites.flatMap((s) => s.nodes.map((n) => n.id)));
  const schedule = lake.schedule
    .map((e) => ({ ...e, nodes: e.nodes.filter((id) => kept.has(id)) }))
    .filter((e) => e.nodes.length > 0);
  return { ...lake, sites, schedule };
}

function savedBy(result: LakeResult, site: string): number {
  return result.sites.find((s) => s.site === site)?.bytesHit ?? 0;
}

/** Curves, allocation, and the two verifying replays; see the module comment. */
export async function planCapacity(
  trace: Trace,
  lake: LakeConfig,
  options: PlanOptions,
): Promise<CapacityPlan> {
  if (!(options.budget > 0)) throw new CapacityPlanError('the budget must be more than 0 bytes');
  const policy = options.policy ?? 'lru';
  const curves = await siteCurves(trace, lake, options);
  const { sites: planned, needed } = allocate(curves, options.budget);
  const even = Math.floor(options.budget / lake.sites.length);
  const plannedLake = withCapacities(
    lake,
    planned.map((p) => p.capacity),
    policy,
  );
  const uniformLake = withCapacities(
    lake,
    lake.sites.map(() => even),
    policy,
  );
  const [plannedRun, uniformRun] = [simulateLake(trace, plannedLake), simulateLake(trace, uniformLake)];
  return {
    budget: options.budget,
    needed,
    curves,
    sites: lake.sites.map((site, s) => ({
      site: site.name,
      capacity: planned[s].capacity,
      predictedSaved: planned[s].saved,
      uniformCapacity: even,
      saved: savedBy(plannedRun, site.name),
      uniformSaved: savedBy(uniformRun, site.name),
    })),
    planned: plannedRun,
    uniform: uniformRun,
  };
}
