/**
 * Who is in the cluster: nodes register and heartbeat; a node whose heartbeats stop leaves
 * after the timeout, and a draining node stays known but takes no new files.
 *
 * Membership is soft state rebuilt from heartbeats, so a redirector keeps nothing on disk and
 * several can run side by side: two that heard the same heartbeats route identically.
 */
import { type ClusterLayout, type ClusterNode, Placement } from './placement.js';

export type NodeState = 'active' | 'draining';

export interface Heartbeat extends ClusterNode {
  state?: NodeState;
}

export interface Member extends ClusterNode {
  readonly state: NodeState;
  /** ms since the epoch of the first heartbeat of this membership */
  readonly joinedAt: number;
  /** ms since the epoch of the latest heartbeat */
  readonly lastSeen: number;
}

export type MembershipChange = 'join' | 'leave' | 'expire' | 'drain' | 'update';

export type ChangeListener = (change: MembershipChange, node: Member) => void;

export class Membership {
  private readonly members = new Map<string, Member>();
  private placementCache: Placement | undefined;
  private readonly listeners: ChangeListener[] = [];

  constructor(
    /** a node not heard from for this long (ms) leaves */
    readonly timeoutMs: number,
    private readonly layout: ClusterLayout = {},
  ) {}

  onChange(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  /** Records a heartbeat; returns what changed for the node, if anything did. */
  heartbeat(beat: Heartbeat, now = Date.now()): MembershipChange | undefined {
    const old = this.members.get(beat.id);
    const state = beat.state ?? 'active';
    const member: Member = {
      id: beat.id,
      url: beat.url,
      site: beat.site,
      capacity: beat.capacity,
      weight: beat.weight,
      state,
      joinedAt: old?.joinedAt ?? now,
      lastSeen: now,
    };
    this.members.set(beat.id, member);
    let change: MembershipChange | undefined;
    if (!old) change = 'join';
    else if (state === 'draining' && old.state !== 'draining') change = 'drain';
    else if (
      old.url !== member.url ||
      old.site !== member.site ||
      old.weight !== member.weight ||
      old.state !== state
    )
      change = 'update';
    if (change) this.changed(change, member);
    return change;
  }

  /** A node said goodbye. */
  leave(id: string): boolean {
    const member = this.members.get(id);
    if (!member) return false;
    this.members.delete(id);
    this.changed('leave', member);
    return true;
  }

  /** Drops nodes not heard from within the timeout; returns them. */
  expire(now = Date.now()): Member[] {
    const gone: Member[] = [];
    for (const member of this.members.values()) {
      if (now - member.lastSeen > this.timeoutMs) gone.push(member);
    }
    for (const member of gone) {
      this.members.delete(member.id);
      this.changed('expire', member);
    }
    return gone;
  }

  list(): Member[] {
    return [...this.members.values()].sort((a, b) =>
      a.site === b.site ? (a.id < b.id ? -1 : 1) : a.site < b.site ? -1 : 1,
    );
  }

  /** The placement over the active members (draining ones take no new files). */
  placement(): Placement {
    this.placementCache ??= new Placement(
      this.list().filter((m) => m.state === 'active'),
      this.layout,
    );
    return this.placementCache;
  }

  private changed(change: MembershipChange, member: Member): void {
    this.placementCache = undefined;
    for (const listener of this.listeners) listener(change, member);
  }
}
