/**
 * A deep Q-network with the QLearner surface of the Q-table: an MLP (TensorFlow.js layers),
 * experience replay, a target network and seeded initialisation and sampling.
 *
 * States are rows of a ring-shaped arena written by the encoder; a handle names a row until
 * the ring wraps over it. Transitions copy their rows into the replay buffer, so only a
 * transition whose state was already overwritten is dropped (counted in `dropped`).
 * Greedy decisions run the network's current weights on the typed-array forward pass of
 * src/learn/infer.ts, the one the model service runs (a tfjs call costs about 1 ms on the CPU
 * backend, too much per miss).
 */
import type * as tfType from '@tensorflow/tfjs';
import type { Random } from '../../common/random.js';
import { type Mlp, mlpFromWeights } from '../infer.js';
import type { QLearner } from './learner.js';
import { DISCOUNT } from './q-table.js';
import { syncBackend } from './tf.js';

const ARENA_ROWS = 1 << 16;
const REPLAY_ROWS = 50_000;
const BATCH = 64;
const TRAIN_EVERY = 16;
const TARGET_SYNC = 250;
const HIDDEN = 32;
const LEARNING_RATE = 1e-3;

export class Dqn implements QLearner {
  readonly model: tfType.Sequential;
  dropped = 0;
  trainSteps = 0;
  private readonly tf = syncBackend();
  private readonly target: tfType.Sequential;
  private readonly optimizer: tfType.Optimizer;
  private readonly arena: Float32Array;
  private readonly owner: Int32Array;
  private nextHandle = 0;
  private readonly replay: { s: Float32Array; next: Float32Array; action: Int8Array; reward: Float32Array };
  private stored = 0;
  private pending = 0;
  private forward: Mlp | undefined;

  constructor(
    readonly inputs: number,
    readonly actions: number,
    private readonly rng: Random,
    private readonly learn: boolean,
    model?: tfType.Sequential,
  ) {
    this.model = model ?? this.build(rng.uint32());
    this.target = this.build(0);
    this.target.setWeights(this.model.getWeights());
    this.optimizer = this.tf.train.adam(LEARNING_RATE);
    this.arena = new Float32Array(ARENA_ROWS * inputs);
    this.owner = new Int32Array(ARENA_ROWS).fill(-1);
    const rows = learn ? REPLAY_ROWS : 0;
    this.replay = {
      s: new Float32Array(rows * inputs),
      next: new Float32Array(rows * inputs),
      action: new Int8Array(rows),
      reward: new Float32Array(rows),
    };
  }

  private build(seed: number): tfType.Sequential {
    const tf = this.tf;
    const init = (i: number) => tf.initializers.glorotUniform({ seed: seed + i });
    return tf.sequential({
      layers: [
        tf.layers.dense({
          units: HIDDEN,
          activation: 'relu',
          inputShape: [this.inputs],
          kernelInitializer: init(1),
        }),
        tf.layers.dense({ units: HIDDEN, activation: 'relu', kernelInitializer: init(2) }),
        tf.layers.dense({ units: this.actions, kernelInitializer: init(3) }),
      ],
    });
  }

  /** A fresh state handle; write its `inputs` values at `row(handle)`. */
  allocate(): number {
    const handle = this.nextHandle++;
    this.owner[handle & (ARENA_ROWS - 1)] = handle;
    return handle;
  }

  /** offset of a handle's row in `rows` */
  row(handle: number): number {
    return (handle & (ARENA_ROWS - 1)) * this.inputs;
  }

  get rows(): Float32Array {
    return this.arena;
  }

  greedy(state: number): number {
    this.forward ??= this.currentForward();
    const q = this.forward.predictRow(this.arena, this.row(state));
    let best = 0;
    for (let a = 1; a < this.actions; a++) if (q[a] > q[best]) best = a;
    return best;
  }

  greedyBatch(states: Int32Array, n: number, out: Int32Array): void {
    for (let i = 0; i < n; i++) out[i] = this.greedy(states[i]);
  }

  update(state: number, action: number, reward: number, next: number): void {
    if (!this.learn) return;
    if (!this.live(state) || !this.live(next)) {
      this.dropped++;
      return;
    }
    const slot = this.stored < REPLAY_ROWS ? this.stored : this.rng.int(REPLAY_ROWS);
    const d = this.inputs;
    this.replay.s.set(this.arena.subarray(this.row(state), this.row(state) + d), slot * d);
    this.replay.next.set(this.arena.subarray(this.row(next), this.row(next) + d), slot * d);
    this.replay.action[slot] = action;
    this.replay.reward[slot] = reward;
    this.stored++;
    if (++this.pending >= TRAIN_EVERY && this.stored >= BATCH) {
      this.pending = 0;
      this.trainStep();
    }
  }

  /** the handle's row has not been overwritten */
  live(handle: number): boolean {
    return this.owner[handle & (ARENA_ROWS - 1)] === handle;
  }

  /** One minibatch step toward reward + discount * max_a' Q_target(s', a'). */
  private trainStep(): void {
    const tf = this.tf;
    const d = this.inputs;
    const filled = Math.min(this.stored, REPLAY_ROWS);
    const s = new Float32Array(BATCH * d);
    const next = new Float32Array(BATCH * d);
    const actions = new Int32Array(BATCH);
    const rewards = new Float32Array(BATCH);
    for (let b = 0; b < BATCH; b++) {
      const i = this.rng.int(filled);
      s.set(this.replay.s.subarray(i * d, i * d + d), b * d);
      next.set(this.replay.next.subarray(i * d, i * d + d), b * d);
      actions[b] = this.replay.action[i];
      rewards[b] = this.replay.reward[i];
    }
    tf.tidy(() => {
      const nextQ = (this.target.predict(tf.tensor2d(next, [BATCH, d])) as tfType.Tensor).max(1);
      const targets = tf.tensor1d(rewards).add(nextQ.mul(DISCOUNT));
      const mask = tf.oneHot(tf.tensor1d(actions, 'int32'), this.actions);
      const input = tf.tensor2d(s, [BATCH, d]);
      this.optimizer.minimize(() => {
        const q = (this.model.apply(input) as tfType.Tensor).mul(mask).sum(1);
        return tf.losses.huberLoss(targets, q) as tfType.Scalar;
      });
    });
    this.forward = undefined;
    if (++this.trainSteps % TARGET_SYNC === 0) this.target.setWeights(this.model.getWeights());
  }

  /** The model's current weights on the shared forward pass: relu, relu, linear. */
  private currentForward(): Mlp {
    const w = this.model.getWeights().map((t) => t.dataSync() as Float32Array);
    const activations = ['relu', 'relu', 'linear'] as const;
    return mlpFromWeights(
      activations.map((activation, l) => ({ kernel: w[2 * l], bias: w[2 * l + 1], activation })),
      this.inputs,
    );
  }
}
