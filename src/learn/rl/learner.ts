/**
 * What the cache agents need from a Q-function: the tabular one (q-table.ts) or the deep
 * Q-network (dqn.ts). States are integer handles made by a `StateEncoder`.
 */
export interface QLearner {
  readonly actions: number;
  greedy(state: number): number;
  /** greedy actions of `n` states in one model call */
  greedyBatch(states: Int32Array, n: number, out: Int32Array): void;
  /** one Q-learning step toward reward + discount * max Q(next) */
  update(state: number, action: number, reward: number, next: number): void;
}

/** What the encoders read of the cache and the request history. */
export interface AgentView {
  /** cache occupancy, % of capacity */
  occupancy(): number;
  /** hit rate of the current day so far, % */
  hitRate(): number;
  /** bytes of category `c`, % of capacity */
  categoryShare(c: number): number;
}

export interface StateEncoder {
  /** told of every request first, in order, before any state of it is asked for */
  observe(obj: number, req: number): void;
  /** `obj`'s id is about to name another object */
  forget(obj: number): void;
  /** state of the addition agent for request `req` */
  addition(req: number, hit: boolean, view: AgentView): number;
  /** state of the eviction agent for category `c` */
  category(c: number, view: AgentView): number;
  /**
   * The original's next-state test for a NotDelete punished on a forced call
   * (aiRL.go `checkEvictionNextState`): same size and recency buckets, request count not lower.
   */
  follows(previous: number, next: number): boolean;
}
