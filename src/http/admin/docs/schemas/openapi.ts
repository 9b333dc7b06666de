// The OpenAPI document's own (loose) shape, for GET /admin/openapi.json.
import * as z from "../../../../core/zod";
import { responseSchemas } from "./common";

export const OpenApiDocumentSchema = z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.looseObject({}) }).register(responseSchemas, { id: "OpenApiDocument" });
