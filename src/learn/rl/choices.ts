/**
 * The agents' memory of past choices per object (the original's `Agent.Memory`), kept as a
 * ring of the last `window` choices per object in typed arrays: a state, an action and one
 * number (the hit flag for the addition agent, the occupancy for the eviction agent).
 */
export const NO_ACTION = -1;

export class ChoiceMemory {
  readonly state: Int32Array;
  readonly action: Int8Array;
  readonly value: Float32Array;
  private readonly count: Uint8Array;
  private readonly next: Uint8Array;

  constructor(
    objects: number,
    readonly window: number,
  ) {
    this.state = new Int32Array(objects * window);
    this.action = new Int8Array(objects * window);
    this.value = new Float32Array(objects * window);
    this.count = new Uint8Array(objects);
    this.next = new Uint8Array(objects);
  }

  remember(obj: number, state: number, action: number, value: number): void {
    const slot = obj * this.window + this.next[obj];
    this.state[slot] = state;
    this.action[slot] = action;
    this.value[slot] = value;
    this.next[obj] = (this.next[obj] + 1) % this.window;
    if (this.count[obj] < this.window) this.count[obj]++;
  }

  /** `obj`'s id is about to name another object. */
  forget(obj: number): void {
    if (obj >= this.count.length) return;
    this.count[obj] = 0;
    this.next[obj] = 0;
  }

  size(obj: number): number {
    return this.count[obj];
  }

  /** array slot of the `i`-th remembered choice of `obj`, oldest first */
  slot(obj: number, i: number): number {
    const oldest = this.count[obj] < this.window ? 0 : this.next[obj];
    return obj * this.window + ((oldest + i) % this.window);
  }
}
