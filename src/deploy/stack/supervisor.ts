/**
 * The local stack: `up` starts the origin (unless the stack names an existing one), the model
 * service, the redirector, the cache nodes and the dashboard as child processes of the real CLI,
 * waits for each /healthz (and for every node to join the redirector before the dashboard
 * starts), records them in the state file, then runs the synthetic load and the closed loop in
 * this process; `stop` ends them in the reverse order. `stopStack` and `stackStatus` work from the state file alone, for
 * `smartcache down` and `smartcache status` in other processes.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../common/atomic.js';
import { ClosedLoop } from '../loop.js';
import { type LoopEvent, readLoopHistory } from '../loop-history.js';
import type { StackConfig, StackDashboard, StackNode } from './config.js';
import { runLoad } from './load.js';
import {
  alive,
  ComponentError,
  type Health,
  health,
  type Stopped,
  startCli,
  startTicks,
  stopPid,
  waitForUrl,
  waitHealthy,
} from './processes.js';
import {
  type ComponentState,
  type LoadState,
  readStackState,
  type StackPaths,
  type StackState,
  stackPaths,
  writeStackState,
} from './state.js';
import { type LoadRequest, stackWorkload } from './workload.js';

const LISTENING = /listening on (https?:\/\/\S+)/;
const NODE_READY = /"msg":"cache node ready".*?"url":"([^"]+)"/;
const DASHBOARD_READY = /dashboard on (https?:\/\/[^/\s]+)\//;

/** Components stop in this order: the dashboard reads all the others, nodes drain through the redirector. */
const STOP_ORDER = ['dashboard', 'cache', 'redirector', 'model', 'origin'] as const;

export class StackRunningError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(`a stack already runs in ${dir} (smartcache up, pid ${pid}): smartcache down first`);
    this.name = 'StackRunningError';
  }
}

export interface UpOptions {
  /** time for each component to listen and answer /healthz, ms (default 30 s) */
  readyTimeoutMs?: number;
  /** one line per thing that happens, for people */
  log?: (line: string) => void;
}

export class Stack {
  readonly paths: StackPaths;
  private readonly state: StackState;
  private readonly children = new Map<string, ChildProcess>();
  private readonly loadAbort = new AbortController();
  private load: Promise<LoadState> | undefined;
  private loop: ClosedLoop | undefined;
  private stopping: Promise<void> | undefined;
  private lastStateWrite = 0;
  /** state writes, one after the other, so an older snapshot never lands after a newer one */
  private writes: Promise<void> = Promise.resolve();
  private removed = false;
  /** the generated workload's requests, which the load sends */
  private workload: LoadRequest[] = [];

  constructor(
    readonly config: StackConfig,
    private readonly options: UpOptions = {},
  ) {
    this.paths = stackPaths(config.dir);
    this.state = {
      file: config.file,
      supervisor: process.pid,
      supervisorSince: startTicks(process.pid),
      started: new Date().toISOString(),
      phase: 'starting',
      stopTimeout: config.stopTimeout,
      components: [],
    };
  }

  /**
   * Starts the stack; on any failure (or a `stop` meanwhile) stops what was started and
   * rejects. Refuses a folder whose stack still runs.
   */
  async up(): Promise<void> {
    await this.claim();
    try {
      await this.start();
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  get components(): readonly ComponentState[] {
    return this.state.components;
  }

  private say(line: string): void {
    this.options.log?.(line);
  }

  /** Refuses a directory whose stack still runs; cleans up after one whose supervisor died. */
  private async claim(): Promise<void> {
    const previous = await readStackState(this.paths.state);
    if (previous && alive(previous.supervisor, previous.supervisorSince))
      throw new StackRunningError(this.config.dir, previous.supervisor);
    if (previous) {
      for (const c of previous.components) {
        if (c.pid > 0 && (await stopPid(c.pid, previous.stopTimeout * 1000, c.since)) !== 'gone') {
          this.say(`stopped ${c.name} (pid ${c.pid}) left over from an earlier run`);
        }
      }
    }
    for (const dir of [this.paths.logs, this.paths.nodes, this.paths.models, this.paths.loop]) {
      await mkdir(dir, { recursive: true });
    }
    await this.saveState();
  }

  /** Queues a write of the state as it is when the write runs; none once the stack removed it. */
  private saveState(): Promise<void> {
    this.lastStateWrite = Date.now();
    const write = this.writes.then(() =>
      this.removed ? undefined : writeStackState(this.paths.state, this.state),
    );
    this.writes = write.catch(() => undefined);
    return write;
  }

  private async start(): Promise<void> {
    const readyMs = this.options.readyTimeoutMs ?? 30_000;
    const origin = await this.startOrigin(readyMs);
    const token = randomBytes(24).toString('hex');
    const model = await this.startComponent(
      { name: 'model', kind: 'model' },
      ['serve', '--models', this.paths.models, '--listen', `127.0.0.1:${this.config.model.port}`, '-q'],
      LISTENING,
      readyMs,
      { SMARTCACHE_ADMIN_TOKEN: token },
    );
    const redirector = await this.startComponent(
      { name: 'redirector', kind: 'redirector' },
      [
        'redirector',
        '--listen',
        `127.0.0.1:${this.config.redirector.port}`,
        '--origin',
        origin,
        '--default-site',
        this.config.sites[0].name,
        '--heartbeat-timeout',
        `${this.config.redirector.heartbeatTimeout}s`,
        '-q',
      ],
      LISTENING,
      readyMs,
    );
    const nodes = this.config.sites.flatMap((site) => site.nodes);
    await Promise.all(
      nodes.map((node) =>
        this.startComponent(
          { name: node.id, kind: 'cache', site: node.site },
          this.nodeArgs(node, origin, redirector, this.config.loop ? model : undefined),
          NODE_READY,
          readyMs,
        ),
      ),
    );
    await this.waitJoined(redirector, nodes.length, readyMs);
    if (this.config.dashboard) await this.startDashboard(this.config.dashboard, redirector, model, readyMs);
    this.state.phase = 'running';
    if (this.config.loop) this.state.loopHistory = this.paths.history;
    await this.saveState();
    this.startLoad(redirector);
    if (this.config.loop) {
      this.loop = await ClosedLoop.start({
        ...this.config.loop,
        logs: nodes.map((node) => join(this.nodeDir(node), 'access.jsonl')),
        dir: this.paths.loop,
        history: this.paths.history,
        modelUrl: model,
        token,
        onEvent: (e) => this.say(loopLine(e)),
        onError: (err) => this.say(`loop: ${err.message}`),
      });
    }
  }

  /** After the nodes joined, so that its first poll lists every node. */
  private async startDashboard(
    dashboard: StackDashboard,
    redirector: string,
    model: string,
    readyMs: number,
  ): Promise<void> {
    await this.startComponent(
      { name: 'dashboard', kind: 'dashboard' },
      [
        'dashboard',
        '--listen',
        `${dashboard.host}:${dashboard.port}`,
        '--redirector',
        redirector,
        '--model-url',
        model,
        ...(this.config.loop ? ['--loop-history', this.paths.history] : []),
        '--interval',
        `${dashboard.interval}s`,
        '--points',
        String(dashboard.points),
        '-q',
      ],
      DASHBOARD_READY,
      readyMs,
    );
  }

  private nodeDir(node: StackNode): string {
    return join(this.paths.nodes, node.id);
  }

  private nodeArgs(node: StackNode, origin: string, redirector: string, model: string | undefined): string[] {
    return [
      'cache',
      '--origin',
      origin,
      '--dir',
      this.nodeDir(node),
      '--capacity',
      String(node.capacity),
      '--site',
      node.site,
      '--listen',
      `127.0.0.1:${node.port}`,
      '--policy',
      node.policy,
      '--redirector',
      redirector,
      '--weight',
      String(node.weight),
      ...(model ? ['--model-url', model] : []),
      '-q',
    ];
  }

  /** The origin's URL: the stack's own (a generated workload's files) or the existing one named. */
  private async startOrigin(readyMs: number): Promise<string> {
    const origin = this.config.origin;
    if (origin.kind === 'url') {
      this.state.components.push({ name: 'origin', kind: 'origin', pid: 0, url: origin.url, log: '' });
      return origin.url;
    }
    const workload = stackWorkload(
      origin,
      this.config.sites.map((s) => s.name),
    );
    await writeFileAtomic(
      this.paths.catalog,
      `${JSON.stringify({ files: Object.fromEntries(workload.files) })}\n`,
    );
    this.workload = workload.requests;
    this.say(`generated ${workload.requests.length} requests over ${workload.files.size} files`);
    return this.startComponent(
      { name: 'origin', kind: 'origin' },
      ['origin', '--catalog', this.paths.catalog, '--listen', `127.0.0.1:${origin.port}`],
      LISTENING,
      readyMs,
    );
  }

  /** Starts one CLI child, records it, and resolves with its URL once its /healthz answers. */
  private async startComponent(
    component: Pick<ComponentState, 'name' | 'kind' | 'site'>,
    args: string[],
    ready: RegExp,
    readyMs: number,
    env: NodeJS.ProcessEnv = {},
  ): Promise<string> {
    if (this.stopping) throw new Error('the stack is stopping');
    const log = join(this.paths.logs, `${component.name}.log`);
    const child = startCli(args, log, env);
    if (child.pid === undefined) throw new ComponentError(component.name, log, 'could not be started');
    this.children.set(component.name, child);
    const entry: ComponentState = {
      ...component,
      pid: child.pid,
      since: startTicks(child.pid),
      url: '',
      log,
    };
    this.state.components.push(entry);
    await this.saveState();
    entry.url = await waitForUrl(component.name, child, log, ready, readyMs);
    await waitHealthy(component.name, entry.url, log, readyMs);
    await this.saveState();
    this.say(`${component.name} ready at ${entry.url} (pid ${child.pid})`);
    child.once('exit', (code, signal) => {
      if (!this.stopping)
        this.say(`${component.name} (pid ${child.pid}) exited unexpectedly (${code ?? signal})`);
    });
    return entry.url;
  }

  private async waitJoined(redirector: string, nodes: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const view = (await (await fetch(`${redirector}/v1/cluster`)).json()) as { nodes: unknown[] };
      if (view.nodes.length >= nodes) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the cache nodes did not all join the redirector within ${timeoutMs} ms`);
  }

  private startLoad(redirector: string): void {
    const load = this.config.load;
    if (!load) return;
    this.say(`load: ${load.requests} requests at ${load.rate}/s, ${load.concurrency} at a time`);
    this.load = runLoad({
      ...load,
      redirector,
      workload: this.workload,
      signal: this.loadAbort.signal,
      onProgress: (state) => {
        this.state.load = { ...state };
        if (Date.now() - this.lastStateWrite >= 1000) this.saveStateOrSay();
      },
    }).then((state) => {
      this.state.load = state;
      this.saveStateOrSay();
      const last = state.lastError ? ` (last: ${state.lastError})` : '';
      this.say(`load: done, ${state.ok} downloads, ${state.failed} failed${last}`);
      return state;
    });
  }

  /** A state write nobody waits for: a failure is told, not thrown. */
  private saveStateOrSay(): void {
    this.saveState().catch((err: Error) => this.say(`cannot write the state file: ${err.message}`));
  }

  /**
   * Stops the load and the loop, then the dashboard, the nodes (they drain), the redirector,
   * the model service and the origin.
   */
  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  private async stopAll(): Promise<void> {
    this.state.phase = 'stopping';
    await this.saveState();
    this.loadAbort.abort();
    await this.load;
    await this.loop?.stop();
    const graceMs = this.config.stopTimeout * 1000;
    const stopKind = async (kind: ComponentState['kind']) => {
      const of = this.state.components.filter((c) => c.kind === kind && c.pid > 0);
      await Promise.all(
        of.map(async (c) => {
          const how = await stopPid(c.pid, graceMs, c.since);
          this.say(
            `${c.name} (pid ${c.pid}) ${how === 'killed' ? `killed after ${this.config.stopTimeout} s` : 'stopped'}`,
          );
        }),
      );
    };
    for (const kind of STOP_ORDER) await stopKind(kind);
    await this.writes;
    this.removed = true;
    await rm(this.paths.state, { force: true });
  }
}

/**
 * `smartcache up --detach`: starts `smartcache ...args` (the same `up` without --detach) as a
 * process of its own, its output in .smartcache/logs/up.log, and resolves with the state file
 * (its pid as the supervisor, the components' URLs) once that says its stack runs; rejects with the log's end when it exits first or after
 * `timeoutMs`. The supervisor then outlives this process.
 */
export async function startDetached(dir: string, args: string[], timeoutMs: number): Promise<StackState> {
  const paths = stackPaths(dir);
  await mkdir(paths.logs, { recursive: true });
  const log = join(paths.logs, 'up.log');
  const child = startCli(args, log);
  const pid = child.pid;
  if (pid === undefined) throw new ComponentError('smartcache up', log, 'could not be started');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const text = await readFile(log, 'utf8').catch(() => '');
      throw new ComponentError(
        'smartcache up',
        log,
        `exited (${child.exitCode ?? child.signalCode}):\n${text.trim()}`,
      );
    }
    const state = await readStackState(paths.state).catch(() => undefined);
    if (state?.supervisor === pid && state.phase === 'running') {
      child.unref();
      return state;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stopPid(pid, 10_000);
  throw new ComponentError('smartcache up', log, `its stack was not running within ${timeoutMs} ms`);
}

function loopLine(e: LoopEvent): string {
  return `loop round ${e.round} ${e.step}${e.ok ? '' : ' FAILED'} (${e.seconds} s): ${e.detail}`;
}

export interface StoppedComponent {
  name: string;
  pid: number;
  how: Stopped;
}

/**
 * Stops the stack of `dir` from another process: SIGTERM to its supervisor, which stops its
 * components in order; then any component still running (its supervisor was killed) by pid.
 */
export async function stopStack(dir: string): Promise<StoppedComponent[] | undefined> {
  const paths = stackPaths(dir);
  const state = await readStackState(paths.state);
  if (!state) return undefined;
  const graceMs = state.stopTimeout * 1000;
  // the supervisor's own grace: every kind of component in turn, and the running loop step
  await stopPid(state.supervisor, STOP_ORDER.length * graceMs + 30_000, state.supervisorSince);
  const stopped: StoppedComponent[] = [];
  for (const kind of STOP_ORDER) {
    const of = state.components.filter((c) => c.kind === kind && c.pid > 0);
    stopped.push(
      ...(await Promise.all(
        of.map(async (c) => ({ name: c.name, pid: c.pid, how: await stopPid(c.pid, graceMs, c.since) })),
      )),
    );
  }
  await rm(paths.state, { force: true });
  return stopped;
}

export interface ComponentStatus extends ComponentState {
  /** the pid runs (always true for an external origin, pid 0) */
  running: boolean;
  health: Health;
}

export interface StackStatus {
  dir: string;
  file: string;
  phase: StackState['phase'];
  started: string;
  supervisor: { pid: number; running: boolean };
  components: ComponentStatus[];
  load?: LoadState;
  loop?: { history: string; rounds: number; servingVersion?: number; lastRound: LoopEvent[] };
}

/** What runs where, as the state file says, checked now: pids alive, /healthz answered. */
export async function stackStatus(dir: string): Promise<StackStatus | undefined> {
  const state = await readStackState(stackPaths(dir).state);
  if (!state) return undefined;
  const components = await Promise.all(
    state.components.map(async (c): Promise<ComponentStatus> => {
      const running = c.pid === 0 || alive(c.pid, c.since);
      return { ...c, running, health: running && c.url ? await health(c.url) : 'down' };
    }),
  );
  let loop: StackStatus['loop'];
  if (state.loopHistory) {
    const { events } = await readLoopHistory(state.loopHistory);
    const rounds = events.reduce((max, e) => Math.max(max, e.round), 0);
    const promoted = events.filter((e) => e.step === 'promote' && e.ok).at(-1);
    loop = {
      history: state.loopHistory,
      rounds,
      servingVersion: promoted?.candidate?.version,
      lastRound: events.filter((e) => e.round === rounds),
    };
  }
  return {
    dir,
    file: state.file,
    phase: state.phase,
    started: state.started,
    supervisor: { pid: state.supervisor, running: alive(state.supervisor, state.supervisorSince) },
    components,
    load: state.load,
    loop,
  };
}
