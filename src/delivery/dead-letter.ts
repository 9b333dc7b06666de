// Side effects of a dead letter beyond the D1 row: the endpoint's dead-letter count for /admin/stats.
import type { Env } from "../env";
import type { Envelope } from "../core/envelope";
import { errorMessage, log } from "../log";

export async function noteDeadLetter(env: Env, envelope: Envelope, at: number): Promise<void> {
  try {
    await env.ENDPOINT_GUARD.get(env.ENDPOINT_GUARD.idFromName(envelope.endpoint)).recordDeadLetter(envelope.route, at);
  } catch (error) {
    log("warn", "dead_letter_stat_failed", { message_id: envelope.id, error: errorMessage(error) });
  }
}
