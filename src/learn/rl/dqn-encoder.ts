/**
 * States of the `rl` agents, written into the DQNs' arenas. Addition: the request's features
 * (a FeatureSource; ln(1 + x) with the sign kept, a missing value as -1) plus occupancy and
 * hit rate as fractions. Eviction: the category's size, count and recency buckets scaled to
 * [0, 1], its share of the cache, occupancy and hit rate.
 */
import { CATEGORY_SPACE } from './categories.js';
import type { Dqn } from './dqn.js';
import type { FeatureSource } from './feature-source.js';
import type { AgentView, StateEncoder } from './learner.js';

import { RL_EVICTION_INPUTS } from './state-inputs.js';

const EVICTION_INPUTS = RL_EVICTION_INPUTS.length;
const [SIZE, COUNT, SINCE] = [0, 1, 2];

export function squash(x: number): number {
  return Number.isNaN(x) ? -1 : Math.sign(x) * Math.log1p(Math.abs(x));
}

export class DqnEncoder implements StateEncoder {
  private readonly current: Float32Array;
  /** category of each eviction arena row */
  private readonly categoryOf: Int32Array;

  constructor(
    private readonly source: FeatureSource,
    private readonly additionNet: Dqn,
    private readonly evictionNet: Dqn,
  ) {
    this.current = new Float32Array(source.names.length);
    this.categoryOf = new Int32Array(evictionNet.rows.length / EVICTION_INPUTS);
  }

  observe(obj: number, req: number): void {
    this.source.features(obj, req, this.current, 0);
    for (let i = 0; i < this.current.length; i++) this.current[i] = squash(this.current[i]);
  }

  forget(obj: number): void {
    this.source.forget(obj);
  }

  addition(_req: number, _hit: boolean, view: AgentView): number {
    const handle = this.additionNet.allocate();
    const rows = this.additionNet.rows;
    const at = this.additionNet.row(handle);
    rows.set(this.current, at);
    rows[at + this.current.length] = view.occupancy() / 100;
    rows[at + this.current.length + 1] = view.hitRate() / 100;
    return handle;
  }

  category(c: number, view: AgentView): number {
    const handle = this.evictionNet.allocate();
    const rows = this.evictionNet.rows;
    const at = this.evictionNet.row(handle);
    const radix = CATEGORY_SPACE.features;
    for (const f of [SIZE, COUNT, SINCE]) rows[at + f] = CATEGORY_SPACE.component(c, f) / (radix[f].size - 1);
    rows[at + 3] = view.categoryShare(c) / 100;
    rows[at + 4] = view.occupancy() / 100;
    rows[at + 5] = view.hitRate() / 100;
    this.categoryOf[at / EVICTION_INPUTS] = c;
    return handle;
  }

  follows(previous: number, next: number): boolean {
    if (!this.evictionNet.live(previous) || !this.evictionNet.live(next)) return false;
    const a = this.categoryOf[this.evictionNet.row(previous) / EVICTION_INPUTS];
    const b = this.categoryOf[this.evictionNet.row(next) / EVICTION_INPUTS];
    const same = (f: number) => CATEGORY_SPACE.component(a, f) === CATEGORY_SPACE.component(b, f);
    return (
      same(SIZE) && same(SINCE) && CATEGORY_SPACE.component(b, COUNT) >= CATEGORY_SPACE.component(a, COUNT)
    );
  }
}
