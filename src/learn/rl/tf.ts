/**
 * TensorFlow.js for the DQN. Simulator policies are created synchronously, so they run on the
 * CPU backend (initialised synchronously); training may first switch to the WebAssembly
 * backend, whose .wasm files are read from the installed package, never fetched.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

// silences the "install tfjs-node" banner and debug checks
tf.env().set('PROD', true);

/** Makes sure a backend usable without awaiting is active. */
export function syncBackend(): typeof tf {
  if (tf.getBackend() === undefined) void tf.setBackend('cpu');
  return tf;
}

/** Switches to the WebAssembly backend (training, benchmarks). */
export async function wasmBackend(): Promise<typeof tf> {
  const require = createRequire(import.meta.url);
  setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
  await tf.setBackend('wasm');
  return tf;
}
