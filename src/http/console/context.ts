// The console's Hono environment: what its middleware sets for the pages (admin credentials, session,
// the POSTed form), with accessors that fail loudly when a route reads what was never set.
import type { Context } from "hono";
import type { AdminAccess } from "../../config/admin-access";
import type { AppEnv } from "../context";
import type { Session } from "./session";

/** Set by the console's middleware (optional only so that the app's own helpers accept the context). */
export interface ConsoleEnv extends AppEnv {
  Variables: AppEnv["Variables"] & {
    adminAccess?: AdminAccess;
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

export const adminAccessOf = (c: ConsoleContext): AdminAccess => required(c.get("adminAccess"), "adminAccess");
export const sessionOf = (c: ConsoleContext): Session => required(c.get("session"), "session");
export const formOf = (c: ConsoleContext): Record<string, string> => required(c.get("form"), "form");
