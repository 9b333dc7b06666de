// Transitional: objects/ordered-stream.ts still writes its dead letters with a D1 handle. It moves to
// the DeadLetterStore port (adapters/d1/dead-letters.ts) with the ordered head step; then delete this file.
import type { DeadLetterReason } from "../core/dead-letter";
import type { DeadLetterInput } from "../ports/storage";
import { d1DeadLetterStore } from "./d1/dead-letters";

export type { DeadLetterReason };

export async function writeDeadLetter(db: D1Database, input: DeadLetterInput): Promise<void> {
  await d1DeadLetterStore(db).write(input);
}
