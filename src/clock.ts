/**
 * One clock for everything that expires: the code-exchange cache, the credential
 * manager and the emulator all read time from here, so tests move time instead of sleeping.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to. */
export class ManualClock implements Clock {
  private current: number;

  constructor(start: number = Date.UTC(2026, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }

  set(ms: number): void {
    this.current = ms;
  }
}

/** Whole seconds, as WeChat's timestamps and expires_in are. */
export const seconds = (clock: Clock): number => Math.floor(clock.now() / 1000);

/** The real time plus an offset that only grows: lets a running emulator be fast-forwarded. */
export class OffsetClock implements Clock {
  private offset = 0;

  now(): number {
    return Date.now() + this.offset;
  }

  advance(ms: number): void {
    this.offset += ms;
  }
}
