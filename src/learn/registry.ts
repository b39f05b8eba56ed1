/**
 * Trainable model kinds, one entry per kind: `smartcache train --model KIND` and rolling
 * retraining in `smartcache evaluate` dispatch through this list. Trainers load on demand
 * (they pull in TensorFlow.js).
 */
import type { TrainerFn } from './train.js';

export interface ModelKind {
  kind: string;
  description: string;
  load(): Promise<TrainerFn>;
}

export const MODEL_KINDS: readonly ModelKind[] = [
  {
    kind: 'learned-admit',
    description: 'admission classifier (opt_admit or reused) with a threshold tuned by replay',
    load: async () => (await import('./models/admit.js')).trainAdmit,
  },
  {
    kind: 'learned-evict',
    description: 'LRB-style regressor of the time to the next request, for eviction',
    load: async () => (await import('./models/evict.js')).trainEvict,
  },
  {
    kind: 'scdl2',
    description: 'tabular Q-learning addition and eviction agents of the original CMS smart-cache studies',
    load: async () =>
      (await import('./rl/trainer.js')).rlTrainer((await import('./rl/train-scdl2.js')).trainScdl2),
  },
  {
    kind: 'rl',
    description: 'deep Q-network version of the scdl2 agents over the prep features',
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
