/**
 * A clock tests move by hand: give `clock.fn` to the host (`createApp({ clock })`, or the
 * test kit does it) and call `advance(ms)`. It starts at the real time, because webhook
 * signatures are checked against the receiver's clock.
 */
export class FakeClock {
  /** The current time in milliseconds since the epoch. */
  now: number;
  /** The clock function the host calls (milliseconds). */
  readonly fn = (): number => this.now;
  constructor(start = Date.now()) {
    this.now = start;
  }
  /** Moves the clock forward by `ms` milliseconds (negative moves it back). */
  advance(ms: number): void {
    this.now += ms;
  }
  /** Sets the clock to `ms` since the epoch, or to a Date. */
  set(time: number | Date): void {
    this.now = typeof time === 'number' ? time : time.getTime();
  }
}
