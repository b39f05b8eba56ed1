/**
 * Where a stack keeps its state (DIR/.smartcache: the state file, logs, cache folders, models,
 * the loop's work and history) and the state file itself, `stack.json`: what runs, by pid and
 * URL. The supervisor rewrites it atomically at every change; `down` and `status` read it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../common/atomic.js';

export type ComponentKind = 'origin' | 'model' | 'redirector' | 'cache' | 'dashboard';

export interface ComponentState {
  /** `origin`, `model`, `redirector`, `dashboard` or the cache node's id (`SITE-N`) */
  name: string;
  kind: ComponentKind;
  /** 0 for an origin the stack names by URL and does not run */
  pid: number;
  /** the process's start time (processes.ts startTicks): tells it from a later process with its pid */
  since?: string;
  url: string;
  site?: string;
  log: string;
}

export interface LoadState {
  requests: number;
  sent: number;
  ok: number;
  failed: number;
  bytes: number;
  done: boolean;
  lastError?: string;
}

export interface StackState {
  /** the stack file */
  file: string;
  /** the `smartcache up` process that supervises the components, and its start time */
  supervisor: number;
  supervisorSince?: string;
  /** ISO 8601 */
  started: string;
  /** starting, running (every component healthy), stopping */
  phase: 'starting' | 'running' | 'stopping';
  /** seconds a component has to exit after SIGTERM before it is killed */
  stopTimeout: number;
  components: ComponentState[];
  load?: LoadState;
  /** the closed loop's history file, when the stack runs the loop */
  loopHistory?: string;
}

export interface StackPaths {
  root: string;
  state: string;
  logs: string;
  nodes: string;
  models: string;
  catalog: string;
  loop: string;
  history: string;
}

export function stackPaths(dir: string): StackPaths {
  const root = join(dir, '.smartcache');
  return {
    root,
    state: join(root, 'stack.json'),
    logs: join(root, 'logs'),
    nodes: join(root, 'nodes'),
    models: join(root, 'models'),
    catalog: join(root, 'origin', 'catalog.json'),
    loop: join(root, 'loop'),
    history: join(root, 'loop', 'history.jsonl'),
  };
}

export class StackStateError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'StackStateError';
  }
}

export function writeStackState(file: string, state: StackState): Promise<void> {
  return writeFileAtomic(file, `${JSON.stringify(state, null, 2)}\n`);
}

/** The state of the stack whose state file is `file`; undefined when none runs there. */
export async function readStackState(file: string): Promise<StackState | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let state: StackState;
  try {
    state = JSON.parse(text) as StackState;
  } catch (err) {
    throw new StackStateError(file, `not a stack state file: ${(err as Error).message}`);
  }
  if (!Number.isInteger(state.supervisor) || !Array.isArray(state.components)) {
    throw new StackStateError(file, 'not a stack state file: no supervisor pid or components');
  }
  return state;
}
