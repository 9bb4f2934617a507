/** Where the gateway reads the time; tests pin it (Slack's signing vector is from 2018). */
export interface Clock {
  /** Milliseconds since the epoch. */
  nowMs(): number;
}

/** DI token of the Clock. */
export const CLOCK = Symbol('CLOCK');

export const systemClock: Clock = { nowMs: () => Date.now() };
