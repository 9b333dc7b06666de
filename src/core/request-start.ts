// `X-Request-Start` (docs/contract.md §7): the header every delivery carries (`t=<ms since the epoch>`)
// and the producer-side queue time read from an incoming one (ms, s, µs or ns since the epoch).

export function requestStartHeader(receivedAt: number): string {
  return `t=${Math.round(receivedAt)}`;
}

/** ms between the producer's stamp and `now`, or null when the header is absent, unreadable or implausible. */
export function producerQueueMs(value: string | null | undefined, now: number): number | null {
  if (value === null || value === undefined) return null;
  const match = /^\s*(?:t=)?([0-9]{1,20}(?:\.[0-9]{1,9})?)\s*$/.exec(value);
  if (match === null) return null;
  const n = Number(match[1]);
  // Read the unit from the magnitude: seconds (~1.7e9), ms (~1.7e12), µs (~1.7e15), ns (~1.7e18).
  const ms = n < 1e11 ? n * 1000 : n < 1e14 ? n : n < 1e17 ? n / 1000 : n / 1e6;
  const queued = Math.round(now - ms);
  return queued >= 0 && queued < 86_400_000 ? queued : null;
}
