/**
 * Request rates of recently requested files, to spread hot files over several nodes.
 *
 * Each file keeps an exponentially decayed request count; its rate is count / (halfLife / ln 2),
 * the steady-state rate of a file requested at a constant pace. Files are forgotten least
 * recently requested first once `capacity` are tracked, so memory stays bounded.
 */
export interface HotFileOptions {
  /** requests per second above which a file counts as hot */
  threshold: number;
  /** half-life of the decayed count, seconds */
  halfLife?: number;
  /** most files tracked at once */
  capacity?: number;
}

interface Rate {
  count: number;
  time: number;
}

export class HotFiles {
  private readonly files = new Map<string, Rate>();
  private readonly threshold: number;
  private readonly decayPerSecond: number;
  private readonly meanLife: number;
  private readonly capacity: number;

  constructor(options: HotFileOptions) {
    const halfLife = options.halfLife ?? 60;
    if (!(options.threshold > 0))
      throw new RangeError(`hot-file threshold must be > 0 req/s, got ${options.threshold}`);
    if (!(halfLife > 0)) throw new RangeError(`hot-file half-life must be > 0 s, got ${halfLife}`);
    this.threshold = options.threshold;
    this.decayPerSecond = Math.LN2 / halfLife;
    this.meanLife = halfLife / Math.LN2;
    this.capacity = Math.max(1, Math.trunc(options.capacity ?? 100_000));
  }

  /** Counts a request of `file` at `now` (seconds) and tells whether the file is now hot. */
  observe(file: string, now: number): boolean {
    let rate = this.files.get(file);
    if (rate === undefined) {
      rate = { count: 0, time: now };
      if (this.files.size >= this.capacity) this.files.delete(this.files.keys().next().value as string);
    } else {
      this.files.delete(file);
      rate.count *= Math.exp(-this.decayPerSecond * Math.max(0, now - rate.time));
      rate.time = Math.max(rate.time, now);
    }
    rate.count += 1;
    this.files.set(file, rate);
    return rate.count / this.meanLife > this.threshold;
  }

  get size(): number {
    return this.files.size;
  }
}
