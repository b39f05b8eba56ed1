/**
 * Exploration rate of the original agents (qlearn.go `UpdateEpsilon`): after every table
 * update, while epsilon is above its minimum, step n grows by one and
 * epsilon = min + (max - min) * exp(-decay * n), from max 1.0 toward min 0.1.
 */
export const EPSILON_MAX = 1;
export const EPSILON_MIN = 0.1;

export class EpsilonSchedule {
  private steps = 0;
  value: number;

  constructor(
    readonly decay: number,
    start = EPSILON_MAX,
  ) {
    this.value = start;
  }

  step(): void {
    if (this.value <= EPSILON_MIN) return;
    this.steps++;
    this.value = EPSILON_MIN + (EPSILON_MAX - EPSILON_MIN) * Math.exp(-this.decay * this.steps);
  }
}
