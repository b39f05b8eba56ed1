/** What `up`, `down` and `status` share: which stack file, and the folder its state lives in. */
import { dirname, join, resolve } from 'node:path';
import { PACKAGE_ROOT } from '../common/version.js';

/** examples/stack.yaml of this package: a generated origin, two sites, a synthetic load. */
export const EXAMPLE_STACK = join(PACKAGE_ROOT, 'examples', 'stack.yaml');

export interface StackFileOption {
  file?: string;
}

/** The stack's folder: the stack file's, or the current one for the example stack. */
export function stackDir(opts: StackFileOption): string {
  return opts.file === undefined ? process.cwd() : dirname(resolve(opts.file));
}
