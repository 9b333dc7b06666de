// Time and randomness for the impure layers, injectable in tests. core/ never reads them directly.

export interface Runtime {
  now(): number;
  random(): number;
  randomBytes(length: number): Uint8Array;
}

export const systemRuntime: Runtime = {
  now: () => Date.now(),
  random: () => Math.random(),
  randomBytes: (length) => crypto.getRandomValues(new Uint8Array(length)),
};

/** The part of ExecutionContext the use cases need: work that may finish after the response. */
export interface Background {
  waitUntil(promise: Promise<unknown>): void;
}
