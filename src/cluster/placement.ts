/**
 * Where a file lives in a cache cluster: weighted rendezvous (highest-random-weight) hashing
 * within the client's site, then nearby sites by distance, then the origin.
 *
 * The one placement module: the live redirector and the data-lake simulation both route
 * through `Placement.route`, so a plan simulated is the plan served. Every node draws a
 * pseudo-random u in (0, 1) per file from the file's and the node's hashes; its score is
 * weight / -ln(u), and the highest score wins (Schindelhauer and Schomaker's weighted
 * rendezvous): a node holds a share of files proportional to its weight, and a node that
 * joins or leaves moves only the files that rank it first.
 */
import { hash } from 'node:crypto';
import { mix32 } from '../common/random.js';

/** What placement needs of a node. */
export interface PlacedNode {
  /** unique id, stable across restarts of the same node */
  readonly id: string;
  readonly site: string;
  /** share of the site's files relative to the other nodes (> 0) */
  readonly weight: number;
}

/** A cache node as the cluster sees it. */
export interface ClusterNode extends PlacedNode {
  /** base URL that serves files by path, e.g. http://10.0.0.5:8443 */
  readonly url: string;
  /** bytes of cache */
  readonly capacity: number;
}

export interface ClusterLayout {
  /** distance between sites, symmetric: lower is nearer; a pair left out is unreachable */
  readonly distances?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** how many nodes of a site share a hot file (1: one copy per file per site) */
  readonly replicas?: number;
}

export type RouteLevel = 'site' | 'nearby' | 'origin';

export interface Route<N extends PlacedNode = ClusterNode> {
  /** the node to read from, or undefined to read from the origin */
  readonly node: N | undefined;
  readonly level: RouteLevel;
  /** the next choices in order, for a client whose first choice fails (origin not included) */
  readonly alternatives: readonly N[];
}

/** Two 32-bit words of a key's SHA-1: the same on every redirector and in the simulator. */
export function keyHash(key: string): [number, number] {
  const digest = hash('sha1', key, 'buffer');
  return [digest.readUInt32LE(0), digest.readUInt32LE(4)];
}

const TWO_32 = 2 ** 32;

/** weight / -ln(u) with u in (0, 1) drawn from the pair of hashes. */
function score(fileHi: number, fileLo: number, nodeHi: number, nodeLo: number, weight: number): number {
  const hi = mix32((fileHi ^ nodeHi) + mix32(fileLo ^ nodeLo));
  const lo = mix32(fileLo ^ nodeLo ^ hi);
  const u = ((hi >>> 11) * TWO_32 + lo + 0.5) / 2 ** 53;
  return weight / -Math.log(u);
}

interface SiteNodes<N extends PlacedNode> {
  readonly nodes: N[];
  readonly hi: Uint32Array;
  readonly lo: Uint32Array;
  readonly weight: Float64Array;
}

function siteNodes<N extends PlacedNode>(nodes: N[]): SiteNodes<N> {
  const hi = new Uint32Array(nodes.length);
  const lo = new Uint32Array(nodes.length);
  const weight = new Float64Array(nodes.length);
  nodes.forEach((node, i) => {
    [hi[i], lo[i]] = keyHash(node.id);
    weight[i] = node.weight;
  });
  return { nodes, hi, lo, weight };
}

export class PlacementError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlacementError';
  }
}

/** A site with nodes, as a client site reaches it. */
interface Reachable<N extends PlacedNode> {
  readonly site: string;
  readonly nodes: SiteNodes<N>;
}

/** A placement over one fixed membership; build a new one when membership changes. */
export class Placement<N extends PlacedNode = ClusterNode> {
  private readonly sites = new Map<string, SiteNodes<N>>();
  private readonly nearby = new Map<string, string[]>();
  /** per client site, the sites of `sitesFor` with their nodes: one lookup per request */
  private readonly reachable = new Map<string, Reachable<N>[]>();
  private readonly replicas: number;
  private readonly scratch: Float64Array;
  private readonly topScores: Float64Array;
  private readonly topIndexes: Int32Array;

  constructor(
    nodes: readonly N[],
    private readonly layout: ClusterLayout = {},
  ) {
    const bySite = new Map<string, N[]>();
    const ids = new Set<string>();
    for (const node of nodes) {
      if (ids.has(node.id)) throw new PlacementError(`node id ${node.id} appears twice`);
      if (!(node.weight > 0 && Number.isFinite(node.weight))) {
        throw new PlacementError(`node ${node.id}: weight must be a positive number, got ${node.weight}`);
      }
      ids.add(node.id);
      bySite.set(node.site, [...(bySite.get(node.site) ?? []), node]);
    }
    for (const [site, list] of bySite) this.sites.set(site, siteNodes(list));
    this.replicas = Math.max(1, Math.trunc(layout.replicas ?? 1));
    this.scratch = new Float64Array(Math.max(1, ...[...bySite.values()].map((l) => l.length)));
    this.topScores = new Float64Array(this.scratch.length);
    this.topIndexes = new Int32Array(this.scratch.length);
  }

  /** Sites with at least one node, nearest first, for a client of `site` (the site itself first). */
  sitesFor(site: string): string[] {
    let order = this.nearby.get(site);
    if (order === undefined) {
      const row = this.layout.distances?.[site] ?? {};
      const distance = (other: string) =>
        other === site
          ? -1
          : (row[other] ?? this.layout.distances?.[other]?.[site] ?? Number.POSITIVE_INFINITY);
      order = [...this.sites.keys()]
        .filter((other) => Number.isFinite(distance(other)))
        .sort((a, b) => distance(a) - distance(b) || (a < b ? -1 : 1));
      // only sites the layout names are kept: client-chosen names must not grow the cache
      if (this.sites.has(site) || this.layout.distances?.[site]) this.nearby.set(site, order);
    }
    return order;
  }

  /** The sites of `sitesFor(site)` with their nodes, cached as `sitesFor` caches. */
  private reachableFrom(site: string): Reachable<N>[] {
    const known = this.reachable.get(site);
    if (known) return known;
    const order = this.sitesFor(site).map((other) => ({
      site: other,
      nodes: this.sites.get(other) as SiteNodes<N>,
    }));
    if (this.nearby.has(site)) this.reachable.set(site, order);
    return order;
  }

  /** The nodes of `site` ranked for the file, best first. */
  rank(site: string, fileHi: number, fileLo: number): N[] {
    const s = this.sites.get(site);
    if (!s) return [];
    const scores = this.scratch;
    for (let i = 0; i < s.nodes.length; i++) scores[i] = score(fileHi, fileLo, s.hi[i], s.lo[i], s.weight[i]);
    const order = s.nodes.map((_, i) => i);
    order.sort((a, b) => scores[b] - scores[a]);
    return order.map((i) => s.nodes[i]);
  }

  /** The best node of a site for the file. */
  private best(s: SiteNodes<N>, fileHi: number, fileLo: number): N | undefined {
    let winner = -1;
    let top = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < s.nodes.length; i++) {
      const v = score(fileHi, fileLo, s.hi[i], s.lo[i], s.weight[i]);
      if (v > top) {
        top = v;
        winner = i;
      }
    }
    return winner < 0 ? undefined : s.nodes[winner];
  }

  /** The first choice of `route` for a file that is not hot, without allocating. */
  primary(site: string, fileHi: number, fileLo: number): { node: N | undefined; level: RouteLevel } {
    for (const candidate of this.reachableFrom(site)) {
      const node = this.best(candidate.nodes, fileHi, fileLo);
      if (node) return { node, level: candidate.site === site ? 'site' : 'nearby' };
    }
    return { node: undefined, level: 'origin' };
  }

  /**
   * The first `count` nodes of `route`'s order for a file that is not hot, and the route's
   * level: what a redirect names, without ranking every node of every reachable site.
   */
  firstChoices(
    site: string,
    fileHi: number,
    fileLo: number,
    count: number,
  ): { nodes: N[]; level: RouteLevel } {
    const nodes: N[] = [];
    const reachable = this.reachableFrom(site);
    for (let r = 0; r < reachable.length && nodes.length < count; r++)
      this.pushTop(reachable[r].nodes, fileHi, fileLo, count - nodes.length, nodes);
    const level = reachable.length === 0 ? 'origin' : reachable[0].site === site ? 'site' : 'nearby';
    return { nodes, level };
  }

  /** Pushes the `wanted` best nodes of a site for the file onto `into`, best first, ties as `rank` orders them. */
  private pushTop(s: SiteNodes<N>, fileHi: number, fileLo: number, wanted: number, into: N[]): void {
    const scores = this.topScores;
    const indexes = this.topIndexes;
    const keep = Math.min(wanted, s.nodes.length);
    let size = 0;
    for (let i = 0; i < s.nodes.length; i++) {
      const v = score(fileHi, fileLo, s.hi[i], s.lo[i], s.weight[i]);
      if (size === keep && v <= scores[keep - 1]) continue;
      let j = size < keep ? size++ : keep - 1;
      while (j > 0 && scores[j - 1] < v) {
        scores[j] = scores[j - 1];
        indexes[j] = indexes[j - 1];
        j--;
      }
      scores[j] = v;
      indexes[j] = i;
    }
    for (let j = 0; j < size; j++) into.push(s.nodes[indexes[j]]);
  }

  /**
   * Routes a request for the file (its `keyHash`) from a client of `site`. A hot file is
   * spread over the site's first `replicas` nodes: `spread` (any integer, e.g. a request
   * counter) picks which of them comes first.
   */
  route(site: string, fileHi: number, fileLo: number, hot = false, spread = 0): Route<N> {
    const order: N[] = [];
    let level: RouteLevel = 'origin';
    for (const candidate of this.sitesFor(site)) {
      const ranked = this.rank(candidate, fileHi, fileLo);
      if (ranked.length === 0) continue;
      if (order.length === 0) {
        level = candidate === site ? 'site' : 'nearby';
        if (hot && this.replicas > 1) rotate(ranked, Math.min(this.replicas, ranked.length), spread);
      }
      order.push(...ranked);
    }
    return { node: order[0], level, alternatives: order.slice(1) };
  }
}

/** Moves element `spread mod k` of the first k to the front, keeping the rest in order. */
function rotate<N>(list: N[], k: number, spread: number): void {
  const pick = ((spread % k) + k) % k;
  if (pick === 0) return;
  const [chosen] = list.splice(pick, 1);
  list.unshift(chosen);
}
