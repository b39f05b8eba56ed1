/**
 * A cache node's membership in one or more redirectors: it registers, heartbeats at the pace
 * the redirector asks for, announces draining before a shutdown, and leaves.
 *
 * One request at a time: a heartbeat still on its way could otherwise reach a redirector after
 * the drain or the goodbye sent behind it, and announce the node active, or back, again.
 */
import type { NodeState } from './membership.js';
import type { ClusterNode } from './placement.js';

export interface AgentOptions {
  /** base URLs of the redirectors */
  redirectors: readonly string[];
  node: ClusterNode;
  /** heartbeat period before a redirector has told its own, ms */
  intervalMs?: number;
  /** told of heartbeats that failed (the agent keeps trying) */
  onError?: (redirector: string, err: Error) => void;
  /** told of heartbeats a redirector accepted */
  onAccepted?: (redirector: string) => void;
}

export class MembershipAgent {
  private timer: NodeJS.Timeout | undefined;
  private state: NodeState = 'active';
  private intervalMs: number;
  private stopped = false;
  /** the latest request to the redirectors, settled once they all answered or failed */
  private sending: Promise<void> = Promise.resolve();

  constructor(private readonly options: AgentOptions) {
    this.intervalMs = options.intervalMs ?? 1000;
  }

  /** Sends the first heartbeat to every redirector and keeps beating. */
  async start(): Promise<void> {
    await this.beat();
    this.schedule();
  }

  /** Tells the redirectors to send no new files here; transfers running now continue. */
  async drain(): Promise<void> {
    this.state = 'draining';
    await this.beat();
  }

  /** Stops heartbeating and leaves every redirector. */
  async leave(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const id = encodeURIComponent(this.options.node.id);
    await this.after(() =>
      Promise.all(
        this.options.redirectors.map((base) =>
          fetch(`${base.replace(/\/+$/, '')}/v1/nodes/${id}`, {
            method: 'DELETE',
            signal: AbortSignal.timeout(2000),
          })
            .then((r) => r.body?.cancel())
            .catch((err: Error) => this.options.onError?.(base, err)),
        ),
      ),
    );
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.beat().finally(() => this.schedule());
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Runs `send` once the request before it has settled. */
  private after(send: () => Promise<unknown>): Promise<void> {
    this.sending = this.sending.then(send).then(() => undefined);
    return this.sending;
  }

  private beat(): Promise<void> {
    return this.after(() => {
      const body = JSON.stringify({ ...this.options.node, state: this.state });
      return Promise.all(this.options.redirectors.map((base) => this.heartbeat(base, body)));
    });
  }

  private async heartbeat(base: string, body: string): Promise<void> {
    try {
      const response = await fetch(`${base.replace(/\/+$/, '')}/v1/nodes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(Math.max(500, this.intervalMs)),
      });
      const answer = (await response.json()) as { heartbeatMs?: number; error?: string };
      if (!response.ok) throw new Error(`${response.status} ${answer.error ?? ''}`.trim());
      if (answer.heartbeatMs && answer.heartbeatMs > 0)
        this.intervalMs = Math.min(this.intervalMs, answer.heartbeatMs);
      this.options.onAccepted?.(base);
    } catch (err) {
      this.options.onError?.(base, err as Error);
    }
  }
}
