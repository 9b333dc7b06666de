// Alert silences' answers (docs/contract.md §8): one silence, the list.
import * as z from "../../../../core/zod";
import { iso, responseSchemas } from "./common";

export const SilenceSchema = z
  .object({
    id: z.string(),
    endpoints: z.union([z.literal("*"), z.array(z.string())]),
    until: iso(),
    reason: z.nullable(z.string()),
    created_at: iso(),
  })
  .register(responseSchemas, { id: "Silence" });

export const SilenceListSchema = z.object({ items: z.array(SilenceSchema) }).register(responseSchemas, { id: "SilenceList" });
