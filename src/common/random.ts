/**
 * Seeded pseudo-random numbers for generators and randomised policies.
 *
 * sfc32 (Chris Doty-Humphrey's small fast chaotic generator): 128 bits of state,
 * 32-bit integer arithmetic only, so it is fast in JavaScript and the same seed gives
 * the same stream on every platform, which Math.random cannot.
 */

const TWO_32 = 2 ** 32;

/** murmur3's 32-bit finaliser: a bijection on uint32 that scatters nearby inputs. */
export function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** Any integer seed; seeds that differ anywhere in their 53 bits give unrelated streams. */
  constructor(seed: number) {
    const lo = seed >>> 0;
    const hi = Math.floor(seed / TWO_32) >>> 0;
    this.a = mix32(lo ^ 0x9e3779b9);
    this.b = mix32(hi ^ 0x243f6a88);
    this.c = mix32(lo + 0x85a308d3);
    this.d = 1;
    for (let i = 0; i < 16; i++) this.uint32();
  }

  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.uint32() / TWO_32;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  /** Exponential with mean 1. */
  exponential(): number {
    return -Math.log(1 - this.float());
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    return Math.sqrt(-2 * Math.log(1 - this.float())) * Math.cos(2 * Math.PI * this.float());
  }

  /** Lognormal with the given median and log-space standard deviation. */
  lognormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Pareto with minimum `scale` and tail index `alpha`, truncated to at most `max`. */
  boundedPareto(scale: number, alpha: number, max: number): number {
    const tailAtMax = (scale / max) ** alpha;
    return scale / (1 - this.float() * (1 - tailAtMax)) ** (1 / alpha);
  }
}

/** Running sums of non-negative weights, for drawing index i with probability weight[i] / total. */
export function cumulativeWeights(weights: ArrayLike<number>): Float64Array {
  const cdf = new Float64Array(weights.length);
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    total += weights[i];
    cdf[i] = total;
  }
  return cdf;
}

/** Draws an index from running sums made by cumulativeWeights (binary search). */
export function pickWeighted(cdf: Float64Array, rng: Random): number {
  const target = rng.float() * cdf[cdf.length - 1];
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid] > target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
