/**
 * SCDL2's bucketed states: the addition and eviction feature maps of the original, over the
 * inputs of state-inputs.ts in their order, bucketed as a served q-table bundle buckets them.
 */
import type { CurrentRequest } from '../../sim/policy.js';
import {
  CATEGORY_SHARE,
  HIT_FLAG,
  HIT_RATE,
  indexBuckets,
  OCCUPANCY,
  REQUEST_COUNT,
  SINCE_LAST,
  SIZE_MB,
  StateSpace,
} from './buckets.js';
import { CATEGORY_SPACE } from './categories.js';
import type { AgentView, StateEncoder } from './learner.js';
import { megabytes, type RequestStats } from './request-stats.js';

/** size, requests, since last, hit, occupancy, hit rate */
export const ADDITION_SPACE = new StateSpace([
  SIZE_MB,
  REQUEST_COUNT,
  SINCE_LAST,
  HIT_FLAG,
  OCCUPANCY,
  HIT_RATE,
]);
/** category size, requests, since last (bucket indices of CATEGORY_SPACE); category share; occupancy; hit rate */
export const EVICTION_SPACE = new StateSpace([
  indexBuckets(SIZE_MB.size),
  indexBuckets(REQUEST_COUNT.size),
  indexBuckets(SINCE_LAST.size),
  CATEGORY_SHARE,
  OCCUPANCY,
  HIT_RATE,
]);
const [SIZE, COUNT, SINCE] = [0, 1, 2];

export class TableEncoder implements StateEncoder {
  private readonly row = new Float64Array(6);
  private obj = 0;

  constructor(
    private readonly request: Readonly<CurrentRequest>,
    private readonly stats: RequestStats,
  ) {}

  /** the bucketed features read the agent's RequestStats, already updated */
  observe(obj: number): void {
    this.obj = obj;
  }

  forget(): void {}

  addition(_req: number, hit: boolean, view: AgentView): number {
    const obj = this.obj;
    const x = this.row;
    x[0] = megabytes(this.request.size);
    x[1] = this.stats.count[obj];
    x[2] = this.stats.sinceLast[obj];
    x[3] = hit ? 1 : 0;
    x[4] = view.occupancy();
    x[5] = view.hitRate();
    return ADDITION_SPACE.stateOf(x);
  }

  category(c: number, view: AgentView): number {
    const x = this.row;
    x[0] = CATEGORY_SPACE.component(c, SIZE);
    x[1] = CATEGORY_SPACE.component(c, COUNT);
    x[2] = CATEGORY_SPACE.component(c, SINCE);
    x[3] = view.categoryShare(c);
    x[4] = view.occupancy();
    x[5] = view.hitRate();
    return EVICTION_SPACE.stateOf(x);
  }
  follows(previous: number, next: number): boolean {
    const same = (f: number) => EVICTION_SPACE.component(previous, f) === EVICTION_SPACE.component(next, f);
    return (
      same(SIZE) &&
      same(SINCE) &&
      EVICTION_SPACE.component(next, COUNT) >= EVICTION_SPACE.component(previous, COUNT)
    );
  }
}
