// The console's Hono environment: what its middleware sets for the pages (admin token, session,
// the POSTed form), with accessors that fail loudly when a route reads what was never set.
import type { Context } from "hono";
import type { AppEnv } from "../context";
import type { Session } from "./session";

/** Set by the console's middleware (optional only so that the app's own helpers accept the context). */
export interface ConsoleEnv extends AppEnv {
  Variables: AppEnv["Variables"] & {
    adminToken?: string;
    /** Set on every route but the login form. */
    session?: Session;
    /** The url-encoded form of a POST. */
    form?: Record<string, string>;
  };
}

export type ConsoleContext = Context<ConsoleEnv>;

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`console: ${what} is not set for ${what === "form" ? "a GET" : "this route"}`);
  return value;
}

export const adminTokenOf = (c: ConsoleContext): string => required(c.get("adminToken"), "adminToken");
export const sessionOf = (c: ConsoleContext): Session => required(c.get("session"), "session");
export const formOf = (c: ConsoleContext): Record<string, string> => required(c.get("form"), "form");
