/**
 * The SCDL2 cache of the original CMS smart-cache simulator (Cloud-PG/smart-cache,
 * SmartCache/sim/cache/aiRL.go, type SCDL2) as a simulator `Policy`: an addition agent
 * decides Store / NotStore on every miss, an eviction agent decides per category of cached
 * files every k requests (or at day end) and when a stored file does not fit.
 *
 * The Q-function is pluggable (`QLearner` + `StateEncoder`): SCDL2 uses the bucketed table,
 * `rl` a deep Q-network. Rewards and their timing are the original's; docs/rl.md spells
 * them out.
 */

import { Random } from '../../common/random.js';
import { DAY } from '../../common/time.js';
import { type Policy, type PolicyContext, traceOf } from '../../sim/policy.js';
import { ListPool, ObjList } from '../../sim/structs/dlist.js';
import type { Trace } from '../../trace/model.js';
import { deleteCount, NOT_DELETE, NOT_STORE, STORE } from './actions.js';
import { Categories } from './categories.js';
import { ChoiceMemory, NO_ACTION } from './choices.js';
import { EpsilonSchedule } from './epsilon.js';
import type { AgentView, QLearner, StateEncoder } from './learner.js';
import type { RequestStats } from './request-stats.js';

/** the original's evictionRO: reward size after a forced eviction call */
const FORCED_REWARD = 1;

export type EvictionSchedule = 'k' | 'day';

export interface AgentOptions {
  addition: QLearner;
  eviction: QLearner;
  encoder: StateEncoder;
  stats: RequestStats;
  /** update the Q-functions and explore (false: greedy, nothing remembered) */
  learn: boolean;
  /** the eviction agent runs after every k + 1 requests (the original's step counter) */
  k: number;
  schedule: EvictionSchedule;
  epsilonDecay: number;
  /** past choices remembered per file for delayed rewards */
  window: number;
  /** exploration schedules to continue (training over several passes) */
  epsilon?: { addition: EpsilonSchedule; eviction: EpsilonSchedule };
}

/** Thrown when the agent runs without the engine's cache control. */
export class AgentSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AgentSetupError';
  }
}

interface CategoryDecision {
  state: number;
  action: number;
}

export class CacheAgent implements Policy, AgentView {
  readonly additionEpsilon: EpsilonSchedule;
  readonly evictionEpsilon: EpsilonSchedule;
  /** actions taken, addition then eviction, for reports and tests */
  readonly additionCounts = new Float64Array(2);
  readonly evictionCounts = new Float64Array(5);
  readonly categories: Categories;
  private readonly trace: Trace;
  private readonly capacity: number;
  private readonly rng: Random;
  private readonly lru: ObjList;
  private readonly additionMemory: ChoiceMemory;
  private readonly evictionMemory: ChoiceMemory;
  private readonly cache: NonNullable<PolicyContext['cache']>;
  private decisions: CategoryDecision[] = [];
  private notDeleted: number[] = [];
  private stepsToEviction: number;
  private day = Number.NEGATIVE_INFINITY;
  private dayHits = 0;
  private dayMisses = 0;
  private lastHit = false;
  private readonly batchStates: Int32Array;

  constructor(
    ctx: PolicyContext,
    readonly o: AgentOptions,
  ) {
    if (!ctx.cache)
      throw new AgentSetupError('the RL agents evict on their own schedule and need the engine cache');
    this.cache = ctx.cache;
    this.trace = traceOf(ctx, 'the RL agents');
    this.capacity = ctx.capacity;
    this.rng = new Random(ctx.seed);
    const n = ctx.objectCount;
    this.lru = new ObjList(new ListPool(n));
    this.categories = new Categories(n);
    const window = o.learn ? o.window : 1;
    this.additionMemory = new ChoiceMemory(o.learn ? n : 0, window);
    this.evictionMemory = new ChoiceMemory(o.learn ? n : 0, window);
    this.additionEpsilon =
      o.epsilon?.addition ?? new EpsilonSchedule(o.epsilonDecay, o.learn ? undefined : 0);
    this.evictionEpsilon =
      o.epsilon?.eviction ?? new EpsilonSchedule(o.epsilonDecay, o.learn ? undefined : 0);
    this.stepsToEviction = o.k;
    this.batchStates = new Int32Array(this.categories.members.length);
  }

  occupancy(): number {
    return (this.cache.occupied() / this.capacity) * 100;
  }

  hitRate(): number {
    const total = this.dayHits + this.dayMisses;
    return total === 0 ? 0 : (this.dayHits / total) * 100;
  }

  categoryShare(c: number): number {
    return (this.categories.bytes[c] / this.capacity) * 100;
  }

  hit(obj: number, req: number): void {
    this.startRequest(obj, req, true);
    this.lru.moveToHead(obj);
    if (this.o.learn)
      this.additionMemory.remember(obj, this.o.encoder.addition(req, true, this), NO_ACTION, 1);
    this.categories.place(obj, this.o.stats.category(obj, this.trace.size[req]), this.trace.size[req]);
  }

  miss(obj: number, _size: number, req: number): void {
    this.startRequest(obj, req, false);
  }

  admit(obj: number, size: number, req: number): boolean {
    const state = this.o.encoder.addition(req, false, this);
    const action = this.choose(this.o.addition, this.additionEpsilon, state);
    this.additionCounts[action]++;
    if (action === NOT_STORE) {
      if (this.o.learn) this.additionMemory.remember(obj, state, NOT_STORE, 0);
      return false;
    }
    const forced = this.cache.occupied() + size > this.capacity;
    if (forced) {
      this.punishNotDeleted();
      this.runEviction();
      this.runEviction();
    }
    const fits = this.cache.occupied() + size <= this.capacity;
    if (forced) this.rewardForcedCall(fits);
    if (!fits) return false;
    if (this.o.learn) this.additionMemory.remember(obj, state, STORE, 0);
    return true;
  }

  insert(obj: number, size: number): void {
    this.lru.pushHead(obj);
    this.categories.place(obj, this.o.stats.category(obj, size), size);
  }

  /** Asked only when the engine itself needs room (watermarks): the least recently used file. */
  evict(): number {
    const victim = this.lru.popTail();
    this.categories.remove(victim);
    return victim;
  }

  remove(obj: number): void {
    this.lru.unlink(obj);
    this.categories.remove(obj);
  }

  housekeeping(req: number): void {
    const obj = this.trace.obj[req];
    if (this.o.learn) {
      this.rewardAddition(obj, this.lastHit);
      this.rewardEviction(obj, this.lastHit);
    }
    if (this.lastHit) this.dayHits++;
    else this.dayMisses++;
    if (this.o.schedule === 'k') {
      if (this.stepsToEviction <= 0) {
        this.runEviction();
        this.stepsToEviction = this.o.k;
      } else {
        this.stepsToEviction--;
      }
    } else if (this.isLastOfDay(req)) {
      this.runEviction();
    }
  }

  private startRequest(obj: number, req: number, hit: boolean): void {
    const day = Math.floor(this.trace.time[req] / DAY);
    if (day !== this.day) {
      this.day = day;
      this.dayHits = 0;
      this.dayMisses = 0;
    }
    this.o.stats.observe(obj, req);
    this.o.encoder.observe(req);
    this.lastHit = hit;
  }

  private isLastOfDay(req: number): boolean {
    const next = req + 1;
    return next >= this.trace.length || Math.floor(this.trace.time[next] / DAY) !== this.day;
  }

  private choose(learner: QLearner, epsilon: EpsilonSchedule, state: number): number {
    if (this.rng.float() > epsilon.value) return learner.greedy(state);
    return this.rng.int(learner.actions);
  }

  private learnFrom(
    learner: QLearner,
    epsilon: EpsilonSchedule,
    s: number,
    a: number,
    r: number,
    next: number,
  ) {
    learner.update(s, a, r, next);
    epsilon.step();
  }

  /**
   * aiRL.go `delayedRewardAdditionAgent` (SCDL2): on every request of a file, each remembered
   * Store / NotStore choice except the two newest is rewarded by this request's outcome and
   * moves toward the state of the choice after it.
   */
  private rewardAddition(obj: number, hit: boolean): void {
    const m = this.additionMemory;
    const n = m.size(obj);
    for (let i = 0; i < n - 2; i++) {
      const prev = m.slot(obj, i);
      if (m.action[prev] === NO_ACTION) continue;
      const next = m.slot(obj, i + 1);
      const prevHit = m.value[prev] === 1;
      const nextHit = m.value[next] === 1;
      let reward: number;
      if (hit) reward = 1 + (!prevHit && nextHit ? 1 : 0);
      else reward = -1 + (m.action[prev] === NOT_STORE && !nextHit ? -1 : 0);
      this.learnFrom(
        this.o.addition,
        this.additionEpsilon,
        m.state[prev],
        m.action[prev],
        reward,
        m.state[next],
      );
    }
  }

  /**
   * aiRL.go `delayedRewardEvictionAgent`: on every request of a file, each remembered
   * eviction-agent choice about it but the newest is rewarded by this request's outcome, more
   * when a hit follows NotDelete or a miss follows a deletion, and moves toward the state of
   * the next choice.
   */
  private rewardEviction(obj: number, hit: boolean): void {
    const m = this.evictionMemory;
    const n = m.size(obj);
    for (let i = 0; i < n - 1; i++) {
      const prev = m.slot(obj, i);
      const next = m.slot(obj, i + 1);
      const kept = m.action[prev] === NOT_DELETE;
      let reward: number;
      if (hit) reward = 1 + (kept ? 1 + (m.value[prev] >= m.value[next] ? 1 : 0) : 0);
      else reward = -1 + (kept ? 0 : -1 + (m.value[prev] < m.value[next] ? -1 : 0));
      this.learnFrom(
        this.o.eviction,
        this.evictionEpsilon,
        m.state[prev],
        m.action[prev],
        reward,
        m.state[next],
      );
    }
  }

  /** aiRL.go `punishEvictionAgentOnForcedCall`: NotDelete since the last forced call was wrong. */
  private punishNotDeleted(): void {
    if (!this.o.learn) return;
    for (const state of this.notDeleted) {
      for (const d of this.decisions) {
        if (this.o.encoder.follows(state, d.state)) {
          this.learnFrom(this.o.eviction, this.evictionEpsilon, state, NOT_DELETE, -FORCED_REWARD, d.state);
        }
      }
    }
    this.notDeleted = [];
  }

  /** aiRL.go `rewardEvictionAfterForcedCall`: the last call's decisions, judged by whether the file fitted. */
  private rewardForcedCall(fitted: boolean): void {
    if (!this.o.learn) return;
    for (const d of this.decisions) {
      const reward = !fitted && d.action === NOT_DELETE ? -FORCED_REWARD : FORCED_REWARD;
      this.learnFrom(this.o.eviction, this.evictionEpsilon, d.state, d.action, reward, d.state);
    }
  }

  /**
   * aiRL.go `callEvictionAgent`: one decision per non-empty category, all taken from the same
   * snapshot and greedy ones from one batched model call, then applied category by category.
   */
  private runEviction(): void {
    const members = this.categories.members;
    const cats: number[] = [];
    for (let c = 0; c < members.length; c++) {
      if (members[c].length === 0) continue;
      this.batchStates[cats.length] = this.o.encoder.category(c, this);
      cats.push(c);
    }
    const greedy = new Int32Array(cats.length);
    this.o.eviction.greedyBatch(this.batchStates, cats.length, greedy);
    this.decisions = cats.map((_c, i) => {
      const state = this.batchStates[i];
      const explore = this.rng.float() <= this.evictionEpsilon.value;
      const action = explore ? this.rng.int(this.o.eviction.actions) : greedy[i];
      return { state, action };
    });
    cats.forEach((c, i) => {
      this.applyDecision(c, this.decisions[i]);
    });
  }

  private applyDecision(c: number, d: CategoryDecision): void {
    this.evictionCounts[d.action]++;
    const files = this.categories.members[c];
    if (d.action === NOT_DELETE) {
      if (this.o.learn) {
        const occupancy = this.occupancy();
        for (const obj of files) this.evictionMemory.remember(obj, d.state, NOT_DELETE, occupancy);
        this.notDeleted.push(d.state);
      }
      return;
    }
    const victims = this.pickVictims(files, deleteCount(d.action, files.length));
    for (const obj of victims) {
      this.lru.unlink(obj);
      this.categories.remove(obj);
      this.cache.evict(obj);
      if (this.o.learn) this.evictionMemory.remember(obj, d.state, d.action, this.occupancy());
    }
  }

  /**
   * The original shuffles the category (Go's math/rand) and deletes from the end of the
   * shuffled list; a partial Fisher-Yates shuffle from our seeded generator picks the same
   * uniformly random subset.
   */
  private pickVictims(files: readonly number[], count: number): number[] {
    const pool = files.slice();
    for (let i = 0; i < count; i++) {
      const j = i + this.rng.int(pool.length - i);
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    return pool.slice(0, count);
  }
}
