// Ingress step of docs/contract.md §9: the winning rule's event schema, checked after verification
// and before dedup on the body parsed once. A violation is a 422 `schema-violation` with at most 10
// errors; it is counted per route in the endpoint's stats and logged with its first error's keyword
// and schema location (from the config, never the body).
import type { Config, Rule } from "../config/load";
import type { Problem } from "../core/problems";
import type { EndpointGuardPort } from "../ports/guard";
import type { RequestLog } from "./context";

/** The rule's schema verdict: null when the rule has none or the body matches it. */
export function schemaProblem(config: Config, rule: Rule, json: () => unknown, guard: EndpointGuardPort, fields: RequestLog): Problem | null {
  if (rule.schema === undefined) return null;
  const schema = config.schemas.get(rule.schema);
  if (schema === undefined) return null; // config/load.ts refuses a rule naming no schema
  const verdict = schema.check(json());
  fields.schema = schema.name;
  if (verdict.valid) return null;
  const endpoint = config.endpoints.get(rule.endpoint);
  if (endpoint !== undefined) guard.noteSchemaViolation(endpoint, rule.name);
  fields.schema_errors = verdict.errors.length;
  fields.schema_error = `${verdict.first.keyword} at ${verdict.first.schemaPath}`;
  return { kind: "schema-violation", schema: schema.name, errors: verdict.errors };
}
