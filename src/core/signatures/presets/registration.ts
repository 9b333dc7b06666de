// Registration requests providers send unsigned to check a webhook URL, answered at the edge on
// sources of that provider only. Each answer echoes at most a bounded value the caller sent itself,
// as text/plain or JSON (nosniff is added by the edge), so it reveals nothing and stores nothing.
import type { HandshakeAnswer } from "../types";

/** Longest challenge echoed; providers send short random strings. */
const MAX_ECHO = 1024;

const usable = (value: string | null | undefined): value is string => value !== null && value !== undefined && value !== "" && value.length <= MAX_ECHO;

/** Dropbox: `GET ?challenge=<c>` answered 200 with `<c>` as text/plain. */
export function echoQueryChallenge(method: string, url: string): HandshakeAnswer | null {
  if (method !== "GET") return null;
  let challenge: string | null;
  try {
    challenge = new URL(url).searchParams.get("challenge");
  } catch {
    return null;
  }
  return usable(challenge) ? { status: 200, contentType: "text/plain", body: challenge } : null;
}

/** Okta event hooks: `GET` with `X-Okta-Verification-Challenge: <c>` answered `{"verification": "<c>"}`. */
export function echoOktaChallenge(method: string, headers: Headers): HandshakeAnswer | null {
  const challenge = headers.get("x-okta-verification-challenge");
  if (method !== "GET" || !usable(challenge)) return null;
  return { status: 200, contentType: "application/json", body: JSON.stringify({ verification: challenge }) };
}

/** Asana: an unsigned `POST` with `X-Hook-Secret` answered 200 with the same header. */
export function echoAsanaSecret(method: string, headers: Headers): HandshakeAnswer | null {
  const secret = headers.get("x-hook-secret");
  if (method !== "POST" || !usable(secret) || headers.has("x-hook-signature")) return null;
  return { status: 200, contentType: "text/plain", body: "", headers: { "X-Hook-Secret": secret } };
}

/** Trello: `HEAD` on the callback URL answered 200. */
export function answerHead(method: string): HandshakeAnswer | null {
  return method === "HEAD" ? { status: 200, contentType: "text/plain", body: "" } : null;
}
