/**
 * A Q-table with the original's update and argmax (qlearn.go `UpdateTable`, `getArgMax`):
 * Q(s,a) += alpha * (r + gamma * max_a' Q(s',a') - Q(s,a)), alpha 0.9, gamma 0.5; the greedy
 * action is the first maximum, or a random action when all values of the state are equal.
 */
import type { Random } from '../../common/random.js';
import type { QLearner } from './learner.js';

export const LEARNING_RATE = 0.9;
export const DISCOUNT = 0.5;

export class QTable implements QLearner {
  readonly values: Float64Array;

  constructor(
    readonly states: number,
    readonly actions: number,
    private readonly rng: Random,
    values?: Float64Array,
  ) {
    this.values = values ?? new Float64Array(states * actions);
  }

  get(state: number, action: number): number {
    return this.values[state * this.actions + action];
  }

  greedy(state: number): number {
    const base = state * this.actions;
    let best = 0;
    let allEqual = true;
    for (let a = 1; a < this.actions; a++) {
      const v = this.values[base + a];
      if (v !== this.values[base]) allEqual = false;
      if (v > this.values[base + best]) best = a;
    }
    return allEqual ? this.rng.int(this.actions) : best;
  }

  greedyBatch(states: Int32Array, n: number, out: Int32Array): void {
    for (let i = 0; i < n; i++) out[i] = this.greedy(states[i]);
  }

  private maxValue(state: number): number {
    const base = state * this.actions;
    let best = this.values[base];
    for (let a = 1; a < this.actions; a++) best = Math.max(best, this.values[base + a]);
    return best;
  }

  update(state: number, action: number, reward: number, next: number): void {
    const i = state * this.actions + action;
    const q = this.values[i];
    this.values[i] = q + LEARNING_RATE * (reward + DISCOUNT * this.maxValue(next) - q);
  }
}
