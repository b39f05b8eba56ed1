/**
 * Trainable model kinds, one entry per kind: `smartcache train --model KIND` and rolling
 * retraining in `smartcache evaluate` dispatch through this list. Trainers load on demand
 * (they pull in TensorFlow.js).
 */
import type { TrainerFn } from './train.js';

/** Share of a feature set's days `smartcache train` trains on when no days are given. */
export const DEFAULT_TRAIN_SHARE = 0.7;

/** The optimiser and network `smartcache train` defaults to, for every caller that trains without choosing. */
export const DEFAULT_NETWORK = { batchSize: 512, learningRate: 0.001, hidden: [32, 32] } as const;

export const TRAIN_OPTIONS = [
  'seed',
  'epochs',
  'batch-size',
  'learning-rate',
  'hidden',
  'label',
  'tune-sizes',
  'tune-under',
] as const;

/** A training setting, named as its `smartcache train` option (`--batch-size`). */
export type TrainOption = (typeof TRAIN_OPTIONS)[number];

export interface ModelKind {
  kind: string;
  description: string;
  /** the settings its trainer reads; any other given is refused */
  options: readonly TrainOption[];
  load(): Promise<TrainerFn>;
}

const NETWORK: readonly TrainOption[] = ['seed', 'epochs', 'batch-size', 'learning-rate', 'hidden'];
/** the RL agents' networks are fixed (docs/rl.md); training replays the days `epochs` times */
const AGENTS: readonly TrainOption[] = ['seed', 'epochs'];

export const MODEL_KINDS: readonly ModelKind[] = [
  {
    kind: 'learned-admit',
    description: 'admission classifier (opt_admit or reused) with a threshold tuned by replay',
    options: [...NETWORK, 'label', 'tune-sizes', 'tune-under'],
    load: async () => (await import('./models/admit.js')).trainAdmit,
  },
  {
    kind: 'learned-evict',
    description: 'LRB-style regressor of the time to the next request, for eviction',
    options: NETWORK,
    load: async () => (await import('./models/evict.js')).trainEvict,
  },
  {
    kind: 'scdl2',
    description: 'tabular Q-learning addition and eviction agents of the original CMS smart-cache studies',
    options: AGENTS,
    load: async () =>
      (await import('./rl/trainer.js')).rlTrainer((await import('./rl/train-scdl2.js')).trainScdl2),
  },
  {
    kind: 'rl',
    description: 'deep Q-network version of the scdl2 agents over the prep features',
    options: AGENTS,
    load: async () => (await import('./rl/trainer.js')).rlTrainer((await import('./rl/train-rl.js')).trainRl),
  },
];

export class UnknownModelError extends Error {
  constructor(readonly kind: string) {
    super(`unknown model "${kind}"; known: ${MODEL_KINDS.map((m) => m.kind).join(', ')}`);
    this.name = 'UnknownModelError';
  }
}

export function modelKind(kind: string): ModelKind {
  const found = MODEL_KINDS.find((m) => m.kind === kind);
  if (!found) throw new UnknownModelError(kind);
  return found;
}

export class TrainOptionError extends Error {
  constructor(
    readonly kind: string,
    readonly option: TrainOption,
    known: readonly TrainOption[],
  ) {
    super(`--${option} does not apply to --model ${kind}; it takes ${known.map((o) => `--${o}`).join(', ')}`);
    this.name = 'TrainOptionError';
  }
}

/** Refuses settings given on the command line that the kind's trainer would not read. */
export function checkTrainOptions(kind: ModelKind, given: readonly TrainOption[]): void {
  const ignored = given.find((option) => !kind.options.includes(option));
  if (ignored) throw new TrainOptionError(kind.kind, ignored, kind.options);
}
