// Time and randomness for the impure layers, injectable in tests. core/ never reads them directly.

export interface Runtime {
  now(): number;
  random(): number;
  randomBytes(length: number): Uint8Array;
  /** Resolves after `ms` of this runtime's time (tests drive it from their fake clock). */
  sleep(ms: number): Promise<void>;
}

export const systemRuntime: Runtime = {
  now: () => Date.now(),
  random: () => Math.random(),
  randomBytes: (length) => crypto.getRandomValues(new Uint8Array(length)),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** The part of ExecutionContext the use cases need: work that may finish after the response. */
export interface Background {
  waitUntil(promise: Promise<unknown>): void;
}
