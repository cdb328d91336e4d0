// Open event streams, counted per course key in this process: each holds a connection and polls
// the store, so one key (a runaway portal, a leaked key) must not hold them all.

export class StreamSlots {
  private readonly open = new Map<string, number>();

  constructor(private readonly perKey: number) {}

  /** A slot for `key`, or null when it holds `perKey` already; call the returned function once the stream ends. */
  take(key: string): (() => void) | null {
    const held = this.open.get(key) ?? 0;
    if (held >= this.perKey) return null;
    this.open.set(key, held + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(key) ?? 1) - 1;
      if (left === 0) this.open.delete(key);
      else this.open.set(key, left);
    };
  }
}
