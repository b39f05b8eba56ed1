/**
 * A compact histogram gradient-boosted regression forest (squared loss), in the manner of
 * LightGBM, small enough to retrain inside a replay: LRB (Song et al., NSDI 2020) retrains
 * its GBDT every few ten thousand labelled samples, and so does the `lrb` policy.
 *
 * - Features are binned by quantiles of (a sample of) the training rows, at most `bins`
 *   bins per feature; bin 0 holds NaN (a missing value), which always goes left.
 * - Trees grow leaf-wise: the leaf whose best split gains most is split next, up to
 *   `leaves` leaves; the histogram of the larger child is the parent's minus the smaller's.
 * - A leaf's value is `learningRate` · (sum of residuals) / (rows + lambda).
 *
 * The forest is flat typed arrays (one node table for all trees), and `predictRow` walks
 * it without allocating: `node >= 0` is an inner node, `~node` a leaf.
 */
import { Random } from '../../common/random.js';
import { lowerBound } from '../../common/typed-arrays.js';

export interface GbdtOptions {
  /** boosting rounds (LRB: 32) */
  trees: number;
  /** leaves per tree (LRB: 32) */
  leaves: number;
  learningRate: number;
  /** bins per feature, including the NaN bin; at most 256 */
  bins: number;
  /** fewest training rows in a leaf */
  minLeaf: number;
  /** L2 regularisation of leaf values */
  lambda: number;
  seed: number;
}

export const GBDT_DEFAULTS: GbdtOptions = {
  trees: 32,
  leaves: 32,
  learningRate: 0.1,
  bins: 64,
  minLeaf: 20,
  lambda: 1,
  seed: 1,
};

/** rows of the training set sampled to place the bin edges */
const EDGE_SAMPLE = 4096;

export class GbdtError extends Error {
  constructor(reason: string) {
    super(`gbdt: ${reason}`);
    this.name = 'GbdtError';
  }
}

/** A trained forest: `base` plus one leaf value per tree. */
export class Gbdt {
  constructor(
    readonly base: number,
    /** per tree, its root node */
    private readonly roots: Int32Array,
    private readonly feature: Int32Array,
    /** go left when the value is NaN or <= threshold */
    private readonly threshold: Float64Array,
    private readonly left: Int32Array,
    private readonly right: Int32Array,
    private readonly leafValue: Float64Array,
  ) {}

  /** The prediction for the row at `x[offset .. offset + features)`. */
  predictRow(x: Float32Array | Float64Array, offset: number): number {
    let sum = this.base;
    const { roots, feature, threshold, left, right, leafValue } = this;
    for (let t = 0; t < roots.length; t++) {
      let node = roots[t];
      while (node >= 0) {
        const v = x[offset + feature[node]];
        node = v <= threshold[node] || Number.isNaN(v) ? left[node] : right[node];
      }
      sum += leafValue[~node];
    }
    return sum;
  }
}

/** Bin edges per feature from a sample of rows: ascending, distinct, at most bins - 2. */
function binEdges(x: Float32Array, rows: number, cols: number, bins: number, rng: Random): Float64Array[] {
  const take = Math.min(rows, EDGE_SAMPLE);
  const picks = new Int32Array(take);
  for (let i = 0; i < take; i++) picks[i] = rows <= EDGE_SAMPLE ? i : rng.int(rows);
  const values = new Float64Array(take);
  const edges: Float64Array[] = [];
  for (let f = 0; f < cols; f++) {
    let n = 0;
    for (let i = 0; i < take; i++) {
      const v = x[picks[i] * cols + f];
      if (!Number.isNaN(v)) values[n++] = v;
    }
    const sorted = values.subarray(0, n).sort();
    const out: number[] = [];
    const wanted = bins - 2;
    for (let k = 1; k <= wanted && n > 0; k++) {
      const e = sorted[Math.min(n - 1, Math.floor((k * n) / (wanted + 1)))];
      if (out.length === 0 || e > out[out.length - 1]) out.push(e);
    }
    // the largest value gets no edge of its own: values above the last edge form the top bin
    if (out.length > 0 && out[out.length - 1] >= sorted[n - 1]) out.pop();
    edges.push(Float64Array.from(out));
  }
  return edges;
}

/** Bin of `v` under `edges`: 0 for NaN, else 1 + the number of edges below v. */
function binOf(v: number, edges: Float64Array): number {
  return Number.isNaN(v) ? 0 : lowerBound(edges, v) + 1;
}

interface Leaf {
  from: number;
  to: number;
  /** per feature and bin: residual sums at [2k], row counts at [2k + 1] */
  hist: Float64Array;
  sum: number;
  gain: number;
  splitFeature: number;
  splitBin: number;
  /** the node that points at this leaf, and which side (-1: it is the root) */
  parent: number;
  side: 0 | 1;
}

/**
 * Fits a forest to `y` over the row-major matrix `x` (`rows` x `cols`, NaN = missing).
 */
export function trainGbdt(
  x: Float32Array,
  rows: number,
  cols: number,
  y: Float32Array,
  options: Partial<GbdtOptions> = {},
): Gbdt {
  const o = { ...GBDT_DEFAULTS, ...options };
  if (rows < 2) throw new GbdtError(`needs at least 2 training rows, got ${rows}`);
  if (x.length < rows * cols || y.length < rows)
    throw new GbdtError(`matrix holds ${x.length} values and ${y.length} labels for ${rows} x ${cols}`);
  if (!(o.bins >= 3 && o.bins <= 256)) throw new GbdtError(`bins must be in 3..256, got ${o.bins}`);
  if (!(o.leaves >= 2)) throw new GbdtError(`leaves must be at least 2, got ${o.leaves}`);
  const rng = new Random(o.seed);
  const edges = binEdges(x, rows, cols, o.bins, rng);
  const B = o.bins;
  const binned = new Uint8Array(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let f = 0; f < cols; f++) binned[r * cols + f] = binOf(x[r * cols + f], edges[f]);

  let base = 0;
  for (let r = 0; r < rows; r++) base += y[r];
  base /= rows;
  const residual = new Float64Array(rows);
  for (let r = 0; r < rows; r++) residual[r] = y[r] - base;

  const maxNodes = o.trees * (o.leaves - 1);
  const roots = new Int32Array(o.trees);
  const feature = new Int32Array(maxNodes);
  const threshold = new Float64Array(maxNodes);
  const left = new Int32Array(maxNodes);
  const right = new Int32Array(maxNodes);
  const leafValue = new Float64Array(o.trees * o.leaves);
  let nodes = 0;
  let leafCount = 0;
  const index = new Int32Array(rows);
  const scratch = new Int32Array(rows);
  const histSize = cols * B * 2;

  const buildHist = (from: number, to: number, hist: Float64Array) => {
    hist.fill(0);
    for (let i = from; i < to; i++) {
      const r = index[i];
      const g = residual[r];
      const base = r * cols;
      for (let f = 0; f < cols; f++) {
        const k = (f * B + binned[base + f]) * 2;
        hist[k] += g;
        hist[k + 1] += 1;
      }
    }
  };

  /** Sets the leaf's best split and its gain (0: no split allowed). */
  const findSplit = (leaf: Leaf) => {
    const n = leaf.to - leaf.from;
    leaf.gain = 0;
    if (n < 2 * o.minLeaf) return;
    const total = leaf.sum;
    const parentScore = (total * total) / (n + o.lambda);
    const h = leaf.hist;
    for (let f = 0; f < cols; f++) {
      let gl = 0;
      let nl = 0;
      const top = edges[f].length + 1;
      for (let b = 0; b < top; b++) {
        const k = (f * B + b) * 2;
        gl += h[k];
        nl += h[k + 1];
        if (nl < o.minLeaf) continue;
        const nr = n - nl;
        if (nr < o.minLeaf) break;
        const gr = total - gl;
        const gain = (gl * gl) / (nl + o.lambda) + (gr * gr) / (nr + o.lambda) - parentScore;
        if (gain > leaf.gain) {
          leaf.gain = gain;
          leaf.splitFeature = f;
          leaf.splitBin = b;
        }
      }
    }
  };

  const makeLeaf = (from: number, to: number, hist: Float64Array, parent: number, side: 0 | 1): Leaf => {
    let sum = 0;
    for (let i = from; i < to; i++) sum += residual[index[i]];
    const leaf: Leaf = { from, to, hist, sum, gain: 0, splitFeature: -1, splitBin: -1, parent, side };
    findSplit(leaf);
    return leaf;
  };

  for (let t = 0; t < o.trees; t++) {
    for (let r = 0; r < rows; r++) index[r] = r;
    const rootHist = new Float64Array(histSize);
    buildHist(0, rows, rootHist);
    const open: Leaf[] = [makeLeaf(0, rows, rootHist, -1, 0)];
    while (open.length < o.leaves) {
      let best = 0;
      for (let i = 1; i < open.length; i++) if (open[i].gain > open[best].gain) best = i;
      const leaf = open[best];
      if (leaf.gain <= 0) break;
      open.splice(best, 1);
      const f = leaf.splitFeature;
      const b = leaf.splitBin;
      // stable partition of the leaf's rows: bin <= b first
      let l = leaf.from;
      let s = 0;
      for (let i = leaf.from; i < leaf.to; i++) {
        const r = index[i];
        if (binned[r * cols + f] <= b) index[l++] = r;
        else scratch[s++] = r;
      }
      index.set(scratch.subarray(0, s), l);
      const node = nodes++;
      feature[node] = f;
      threshold[node] = b === 0 ? Number.NEGATIVE_INFINITY : edges[f][b - 1];
      if (leaf.parent < 0) roots[t] = node;
      else if (leaf.side === 0) left[leaf.parent] = node;
      else right[leaf.parent] = node;
      const smallLeft = l - leaf.from <= leaf.to - l;
      const small = new Float64Array(histSize);
      if (smallLeft) buildHist(leaf.from, l, small);
      else buildHist(l, leaf.to, small);
      const large = leaf.hist;
      for (let k = 0; k < histSize; k++) large[k] -= small[k];
      open.push(
        makeLeaf(leaf.from, l, smallLeft ? small : large, node, 0),
        makeLeaf(l, leaf.to, smallLeft ? large : small, node, 1),
      );
    }
    for (const leaf of open) {
      const value = (o.learningRate * leaf.sum) / (leaf.to - leaf.from + o.lambda);
      const id = leafCount++;
      leafValue[id] = value;
      if (leaf.parent < 0) roots[t] = ~id;
      else if (leaf.side === 0) left[leaf.parent] = ~id;
      else right[leaf.parent] = ~id;
      for (let i = leaf.from; i < leaf.to; i++) residual[index[i]] -= value;
    }
  }
  return new Gbdt(
    base,
    roots,
    feature.slice(0, nodes),
    threshold.slice(0, nodes),
    left.slice(0, nodes),
    right.slice(0, nodes),
    leafValue.slice(0, leafCount),
  );
}
