// Why an event became a dead letter: the one reason type of the outcome classifier, the stores,
// the admin API and the console.

export const DEAD_LETTER_REASONS = ["exhausted", "rejected", "gone", "blocked_url", "malformed", "quarantined"] as const;

/**
 * `exhausted`: retries used up; `rejected`: a 4xx refusal (or the endpoint no longer configured);
 * `gone`: 410; `blocked_url`: the endpoint URL failed the network guard; `malformed`: a queue
 * message that is not a readable envelope (kept raw, never replayed); `quarantined`: its endpoint was
 * quarantined (docs/contract.md §6; replayed by auto_replay routes after resume).
 */
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];
