/**
 * Buffers of one block, reused once nothing refers to their bytes any more: block reads from
 * disk and block fetches from the origin take theirs from one pool, so that streaming does not
 * allocate (and leave to the garbage collector) a block-sized buffer per block.
 */
export class BufferPool {
  private readonly free: Buffer[] = [];

  constructor(
    readonly size: number,
    private readonly keep: number,
  ) {}

  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(this.size);
  }

  give(buffer: Buffer): void {
    if (this.free.length < this.keep) this.free.push(buffer);
  }
}
