import { DAY, HOUR } from '../../common/time.js';

/**
 * When analysis work is submitted: an hourly load profile over the trace span, with a
 * daily cycle and quieter weekends, and its inverse so that a position in "load time"
 * (0..1, the share of all work submitted so far) maps to a wall-clock second.
 */

/** Busiest hour in UTC: European afternoon overlapping the American morning. */
const PEAK_HOUR_UTC = 15;
const DAILY_SWING = 0.35;
const WEEKEND_LOAD = 0.65;

/** Relative submission rate in the hour starting at unix second `t`. */
function hourlyLoad(t: number): number {
  const hour = Math.floor(t / HOUR) % 24;
  const weekday = (Math.floor(t / DAY) + 4) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
  const daily = 1 + DAILY_SWING * Math.cos((2 * Math.PI * (hour - PEAK_HOUR_UTC)) / 24);
  return weekday === 0 || weekday === 6 ? daily * WEEKEND_LOAD : daily;
}

export class LoadProfile {
  /** cumulative[h] = share of the span's load before hour h */
  private readonly cumulative: Float64Array;

  constructor(
    private readonly start: number,
    private readonly span: number,
  ) {
    const hours = Math.ceil(span / HOUR);
    this.cumulative = new Float64Array(hours + 1);
    for (let h = 0; h < hours; h++) {
      const length = Math.min(HOUR, span - h * HOUR);
      this.cumulative[h + 1] = this.cumulative[h] + hourlyLoad(start + h * HOUR) * length;
    }
    const total = this.cumulative[hours];
    for (let h = 1; h <= hours; h++) this.cumulative[h] /= total;
  }

  /** The wall-clock second at which a share `u` (0 <= u < 1) of the load has been submitted. */
  timeAt(u: number): number {
    const c = this.cumulative;
    let lo = 0;
    let hi = c.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (c[mid] <= u) lo = mid;
      else hi = mid - 1;
    }
    const within = (u - c[lo]) / (c[lo + 1] - c[lo]);
    const length = Math.min(HOUR, this.span - lo * HOUR);
    return this.start + lo * HOUR + within * length;
  }
}
