// Time, timers and randomness for the impure layers, injectable in tests. core/ never reads them directly.

export interface Runtime {
  now(): number;
  /** Resolves once `ms` have passed on this runtime's clock (a test's simulated clock moves it by hand). */
  sleep(ms: number): Promise<void>;
  random(): number;
  randomBytes(length: number): Uint8Array;
}

export const systemRuntime: Runtime = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random(),
  randomBytes: (length) => crypto.getRandomValues(new Uint8Array(length)),
};

/** The part of ExecutionContext the use cases need: work that may finish after the response. */
export interface Background {
  waitUntil(promise: Promise<unknown>): void;
}
