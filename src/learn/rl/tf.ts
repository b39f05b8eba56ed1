/**
 * TensorFlow.js for the DQN, loaded on first use: the policy registry imports every policy, and
 * a simulation that never runs `rl` should not pay for loading TensorFlow.js. Simulator policies
 * are created synchronously, so they run on the CPU backend (initialised synchronously);
 * training may first switch to the WebAssembly backend (`tfReady` of src/learn/tf.ts).
 */
import { createRequire } from 'node:module';
import type * as tfType from '@tensorflow/tfjs';

const requireCjs = createRequire(import.meta.url);
let tf: typeof tfType | undefined;

/** TensorFlow.js with a backend usable without awaiting (the same instance src/learn/tf.ts imports). */
export function syncBackend(): typeof tfType {
  if (!tf) {
    tf = requireCjs('@tensorflow/tfjs') as typeof tfType;
    // silences the "install tfjs-node" banner and debug checks
    tf.env().set('PROD', true);
  }
  if (tf.getBackend() === undefined) void tf.setBackend('cpu');
  return tf;
}
