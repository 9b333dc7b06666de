// Declares each admin route once: its scope (403 below it) and its zod schemas that validate the request
// (@hono/zod-validator for path and query, our size-capped reader for the JSON body; 400/415 problems with
// the path of every issue), which the OpenAPI document describes too; its prose and answers: ./docs/.
import type * as z from "../../core/zod";
import type { Context, Hono, MiddlewareHandler } from "hono";
import { zValidator } from "@hono/zod-validator";
import { grants, type AdminScope } from "../../core/admin-scope";
import { formatPath } from "../../config/load";
import { readBodyLimited } from "../body";
import type { AppEnv } from "../context";
import { problem } from "../problem";

export type Method = "get" | "post" | "delete";

export interface RouteSpec<P extends z.ZodMiniType = z.ZodMiniType, Q extends z.ZodMiniType = z.ZodMiniType, B extends z.ZodMiniType = z.ZodMiniType> {
  method: Method;
  /** OpenAPI form, relative to /admin: `/dlq/{id}`. */
  path: string;
  /** Keys the operation's documentation (docs/operations.ts), read only when the OpenAPI document is built. */
  operationId: string;
  /** The least scope that may call it (read < operate < admin); stated in the OpenAPI document. */
  scope: AdminScope;
  params?: P;
  query?: Q;
  /** An optional JSON body: an empty body counts as `{}`. */
  body?: B;
}

export interface RouteInput<P extends z.ZodMiniType, Q extends z.ZodMiniType, B extends z.ZodMiniType> {
  params: z.output<P>;
  query: z.output<Q>;
  body: z.output<B>;
}

/** Largest admin request body (bulk replay filters are a few hundred bytes). */
const MAX_BODY_BYTES = 64 * 1024;

export class AdminRouter {
  readonly operations: RouteSpec[] = [];

  constructor(private readonly app: Hono<AppEnv>) {}

  add<P extends z.ZodMiniType, Q extends z.ZodMiniType, B extends z.ZodMiniType>(
    spec: RouteSpec<P, Q, B>,
    handler: (c: Context<AppEnv>, input: RouteInput<P, Q, B>) => Promise<Response>,
  ): void {
    this.operations.push(spec);
    const honoPath = spec.path.replace(/\{([^}]+)\}/g, ":$1");
    const validators = [...(spec.params === undefined ? [] : [validate("param", spec.params)]), ...(spec.query === undefined ? [] : [validate("query", spec.query)])];
    const needsScope: MiddlewareHandler<AppEnv> = async (c, next) => {
      if (!grants(c.get("principal")?.scope ?? null, spec.scope)) return problem(c, { kind: "forbidden", needed: spec.scope });
      await next();
    };
    this.app.on(spec.method.toUpperCase(), honoPath, needsScope, ...validators, async (c) => {
      // What the validators above stored (hono's c.req.valid, untyped here as the route is generic).
      const valid = c.req.valid.bind(c.req) as (target: "param" | "query") => unknown;
      const params = spec.params === undefined ? undefined : valid("param");
      const query = spec.query === undefined ? undefined : valid("query");
      const raw = spec.body === undefined ? undefined : await readJson(c);
      if (raw instanceof Response) return raw;
      const parsed = spec.body?.safeParse(raw);
      if (parsed !== undefined && !parsed.success) return invalid(c, "body", parsed.error.issues);
      // Each part is the output of its own schema, or undefined when the route declares none.
      return handler(c, { params, query, body: parsed?.data } as RouteInput<P, Q, B>);
    });
  }
}

type IssueResult = { success: boolean; error?: { issues: readonly z.core.$ZodIssue[] } };

/** @hono/zod-validator for a path or query schema, answering our 400 problem on failure. */
function validate(target: "param" | "query", schema: z.ZodMiniType): MiddlewareHandler<AppEnv> {
  const hook = (result: IssueResult, c: Context<AppEnv>) => (result.success ? undefined : invalid(c, target === "param" ? "path" : "query", result.error?.issues ?? []));
  return zValidator<z.ZodMiniType, typeof target, AppEnv, string, typeof hook>(target, schema, hook);
}

/** The 400 problem naming every issue's path (`unknown query parameter x` for extra keys). */
function invalid(c: Context<AppEnv>, where: "path" | "query" | "body", issues: readonly z.core.$ZodIssue[]): Response {
  const detail = issues.map((issue) => {
    if (issue.code === "unrecognized_keys") {
      const noun = where === "query" ? "query parameter" : "field";
      return `unknown ${noun}${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")}`;
    }
    return `${formatPath(issue.path)}: ${issue.message}`;
  });
  return problem(c, { kind: "invalid-input", detail: `Invalid ${where === "body" ? "request body" : where === "path" ? "path" : "query"}: ${detail.join("; ")}` });
}

async function readJson(c: Context<AppEnv>): Promise<unknown> {
  const read = await readBodyLimited(c.req.raw, MAX_BODY_BYTES);
  if (read.kind === "too_large") return problem(c, { kind: "payload-too-large", limit: MAX_BODY_BYTES });
  if (read.kind === "bad_length") return problem(c, { kind: "bad-request", detail: read.detail });
  const text = new TextDecoder().decode(read.bytes);
  if (text.trim() === "") return {};
  const type = c.req.header("Content-Type") ?? "";
  if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
    return problem(c, { kind: "unsupported-media-type", detail: "The request body must be application/json." });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return problem(c, { kind: "invalid-input", detail: "The request body is not valid JSON." });
  }
}
