// Quiet test runs: each test's log lines and console output are kept while it runs and printed as one
// block only if that test fails. Installed by each project's setup file; `TEST_LOGS=all npm test` turns
// it off (vitest.config.ts provides the variable to the tests) and every line prints live.
import { afterAll, beforeEach, inject, type RunnerTestSuite } from "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** TEST_LOGS from the environment of the vitest run: "all" prints every log line live. */
    testLogs: string;
  }
}

const METHODS = ["log", "info", "warn", "error", "debug"] as const;
type Method = (typeof METHODS)[number];
type Print = (...args: unknown[]) => void;

interface Capture {
  /** The console methods as they were before the capture (vitest's own, which attribute output to the test). */
  real: Record<Method, Print>;
  /** The capturing replacements installed on `console`. */
  patched: Record<Method, Print>;
  /** Lines of the current (or last finished) test, after those printed between tests before it. */
  lines: string[];
  /** How many of `lines` were printed before the current test started (a hook, or late background work). */
  before: number;
  /** Where the last finished test's lines end (0 while a test runs). */
  end: number;
}

// One capture per global scope: a setup file can be evaluated again in a scope that already has one.
const KEY = Symbol.for("hookgate.test.log-capture");
type WithCapture = typeof globalThis & { [KEY]?: Capture };

function text(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Error) return value.stack ?? `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function install(): Capture {
  const scope = globalThis as WithCapture;
  const existing = scope[KEY];
  if (existing !== undefined && METHODS.every((m) => console[m] === existing.patched[m])) return existing;
  const real = Object.fromEntries(METHODS.map((m) => [m, console[m].bind(console)])) as Record<Method, Print>;
  const capture: Capture = { real, patched: real, lines: [], before: 0, end: 0 };
  capture.patched = Object.fromEntries(
    METHODS.map((m) => {
      const tag = m === "log" || m === "info" ? "" : `[${m}] `;
      return [m, (...args: unknown[]) => void capture.lines.push(tag + args.map(text).join(" "))];
    }),
  ) as Record<Method, Print>;
  for (const m of METHODS) console[m] = capture.patched[m];
  scope[KEY] = capture;
  return capture;
}

/** A failing test's report keeps the first and the last lines of a long block. */
const HEAD = 50;
const TAIL = 150;

function block(title: string, lines: readonly string[]): string {
  const header = `── ${title} (${lines.length} line${lines.length === 1 ? "" : "s"}) ──`;
  if (lines.length <= HEAD + TAIL) return [header, ...lines].join("\n");
  const skipped = `… ${lines.length - HEAD - TAIL} lines left out (TEST_LOGS=all prints every line) …`;
  return [header, ...lines.slice(0, HEAD), skipped, ...lines.slice(-TAIL)].join("\n");
}

function suiteFailed(suite: Readonly<RunnerTestSuite>): boolean {
  return suite.result?.state === "fail" || suite.tasks.some((task) => task.type === "suite" && suiteFailed(task));
}

/**
 * Captures console output (and so the log lines of src/log.ts's default sink) per test; a failing test
 * prints its lines, preceded by those logged since the previous test, and by `extra()` when given.
 */
export function quietLogsPerTest(extra?: () => string | undefined): void {
  if (inject("testLogs") === "all") return;
  const capture = install();
  beforeEach((context) => {
    // Forget the previous test's lines; keep what was logged after it ended (late background work, hooks).
    capture.lines = capture.lines.slice(capture.end);
    capture.end = 0;
    capture.before = capture.lines.length;
    // Runner order: afterEach hooks, then onTestFinished, then onTestFailed (so lines of afterEach hooks count).
    context.onTestFinished(() => {
      capture.end = capture.lines.length;
    });
    context.onTestFailed(() => {
      const parts = [block("log lines of this test", capture.lines.slice(capture.before, capture.end))];
      const earlier = capture.lines.slice(0, capture.before);
      if (earlier.length > 0) parts.unshift(block("logged before this test (hooks, background work)", earlier));
      const more = extra?.();
      if (more !== undefined && more !== "") parts.push(more);
      capture.real.error(parts.join("\n"));
    });
  });
  // eslint-disable-next-line no-empty-pattern -- vitest requires a destructuring pattern for the context
  afterAll(({}, suite) => {
    // A failing beforeAll/afterAll fails its suite but no test: show what was logged outside the tests.
    const outside = capture.lines.slice(capture.end);
    if (suiteFailed(suite) && outside.length > 0) capture.real.error(block("logged outside the tests of this file", outside));
    capture.lines = [];
    capture.end = 0;
  });
}

/**
 * Keeps a line for the failure report of the running test (printed live under TEST_LOGS=all): for
 * helpers that swap the log sink to read the lines, which then never reach the console.
 */
export function keepForFailure(line: string): void {
  const capture = (globalThis as WithCapture)[KEY];
  if (capture === undefined) console.log(line);
  else capture.lines.push(line);
}
