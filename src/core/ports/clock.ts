/**
 * The injected clock. Everything that reads time — or waits for it — takes a Clock, so tests and
 * `plan` are deterministic and a test never sleeps for real: a ManualClock's `sleep` moves it.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Waits `ms` (the system clock: a timer; a manual clock: it moves forward at once). */
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms))),
};

/** A clock the caller moves by hand (tests, replays); sleeping advances it. */
export class ManualClock implements Clock {
  constructor(private ms: number) {}
  now(): number {
    return this.ms;
  }
  set(ms: number): void {
    this.ms = ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
  async sleep(ms: number): Promise<void> {
    this.ms += Math.max(0, ms);
    // Let other work (a server answering, a timer) run, as a real wait would.
    await new Promise<void>((r) => setImmediate(r));
  }
}
