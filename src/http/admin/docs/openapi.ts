// Generates the OpenAPI 3.1 document of the admin API from the declared routes, their documentation
// (./operations.ts, by operationId) and their zod schemas (zod's own JSON Schema output, draft 2020-12 =
// OpenAPI 3.1's dialect). Never hand-written; run at build time only (scripts/openapi.ts).
import * as z from "../../../core/zod";
import type { RouteSpec } from "../router";
import { operationDocs, type OperationDoc, type ResponseDoc } from "./operations";
import { requestSchemas, responseSchemas } from "./schemas";

type Json = Record<string, unknown>;

const COMPONENT = "#/components/schemas/";

export function openApiDocument(operations: readonly RouteSpec[], version: string): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const op of operations) {
    const doc = docOf(op);
    const path = `/admin${op.path}`;
    paths[path] ??= {};
    const responses: Record<number, ResponseDoc> = { ...doc.responses, 403: { description: `Needs the "${op.scope}" scope`, problem: true } };
    const entry: Json = {
      operationId: op.operationId,
      summary: doc.summary,
      tags: [doc.tag],
      "x-required-scope": op.scope,
      parameters: [...parameters(op.params, "path"), ...parameters(op.query, "query")],
      responses: Object.fromEntries(
        Object.entries(responses).map(([status, r]) => [
          status,
          {
            description: r.description,
            ...(r.problem === true
              ? { content: { "application/problem+json": { schema: { $ref: `${COMPONENT}Problem` } } } }
              : r.schema === undefined
                ? {}
                : { content: { "application/json": { schema: schemaOf(r.schema, "output") } } }),
          },
        ]),
      ),
    };
    entry["description"] = `${doc.description === undefined ? "" : `${doc.description}\n\n`}Scope: \`${op.scope}\` or wider (read < operate < admin).`;
    if (op.body !== undefined) {
      entry["requestBody"] = { required: false, content: { "application/json": { schema: schemaOf(op.body, "input") } } };
    }
    paths[path][op.method] = entry;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Hookgate admin API",
      version,
      description: "Operations on a Hookgate webhook gateway: effective routes, endpoint breakers, the dead-letter queue, stats and fallbacks.",
    },
    servers: [{ url: "/" }],
    security: [{ bearerAuth: [] }, { cloudflareAccess: [] }],
    tags: [...new Set(operations.map((op) => docOf(op).tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer", description: "ADMIN_TOKEN (scope admin) or a token listed in ADMIN_TOKENS (its scope)" },
        cloudflareAccess: {
          type: "apiKey",
          in: "header",
          name: "Cf-Access-Jwt-Assertion",
          description: "Cloudflare Access assertion; the identity's scope comes from ACCESS_SCOPES",
        },
      },
      schemas: { ...components(responseSchemas, "output"), ...components(requestSchemas, "input") },
    },
  };
}

function docOf(op: RouteSpec): OperationDoc {
  const doc = operationDocs[op.operationId];
  if (doc === undefined) throw new Error(`openapi: no documentation for operation ${op.operationId} (src/http/admin/docs/operations.ts)`);
  return doc;
}

function components(registry: z.core.$ZodRegistry<{ id: string }>, io: "input" | "output"): Record<string, Json> {
  const { schemas } = z.toJSONSchema(registry, { target: "draft-2020-12", io, unrepresentable: "any", uri: (id) => COMPONENT + id });
  return Object.fromEntries(Object.entries(schemas).map(([id, schema]) => [id, clean(schema)]));
}

/** A `$ref` to the schema's component when it has one, else the schema inline. */
function schemaOf(schema: z.ZodMiniType, io: "input" | "output"): Json {
  const registry = io === "output" ? responseSchemas : requestSchemas;
  const id = registry.get(schema)?.id;
  if (id !== undefined) return { $ref: COMPONENT + id };
  return clean(z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }));
}

function parameters(schema: z.ZodMiniType | undefined, where: "path" | "query"): Json[] {
  if (schema === undefined) return [];
  const json = z.toJSONSchema(schema, { target: "draft-2020-12", io: "input", unrepresentable: "any" });
  const properties = (json.properties ?? {}) as Record<string, Json>;
  const required = new Set(json.required ?? []);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === "path" || required.has(name),
      ...(typeof description === "string" ? { description } : {}),
      schema: rest,
    };
  });
}

function clean(schema: object): Json {
  const { $schema: _schema, $id: _id, ...rest } = schema as Json;
  return rest;
}
