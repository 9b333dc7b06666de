// Endpoint lifecycle, attempt log and event lookup (docs/contract.md §6, §7): their inputs.
import * as z from "../../../core/zod";
import { limit } from "./common";

export const PauseRequestSchema = z.strictObject({ reason: z.optional(z.string().check(z.maxLength(500))) });

export const AttemptQuerySchema = z.strictObject({ limit: limit(200, 50), cursor: z.optional(z.string().check(z.maxLength(64))) });

export const MessageIdParamsSchema = z.strictObject({ message_id: z.string().check(z.minLength(1), z.maxLength(128)) });
