// Inbound verification for one source: resolves the named secret bindings and runs the scheme.
// Only secrets inside their window (§8) count; missing bindings are skipped (rotation leftovers) and
// logged; none at all fails closed, and so does a public key that does not parse (logged, answered 401).
import type { Source } from "../config/load";
import type { Secrets } from "../ports/secrets";
import { schemeOf, takesSecrets, verifySignature } from "../core/signatures";
import { activeBindings } from "../core/secret-window";
import type { HandshakeAnswer, VerifyResult } from "../core/signatures/types";
import { log } from "../log";

/**
 * The verdict, and on success the provider's registration handshake when this request is one (Slack
 * url_verification, Zoom endpoint.url_validation, Discord PING, Twitch challenge): ingress answers
 * it at the edge and never hands it to a consumer.
 */
export type Verdict = VerifyResult & { handshake?: HandshakeAnswer };

export async function verifyRequest(bindings: Secrets, source: Source, request: Request, body: Uint8Array, nowMs: number): Promise<Verdict> {
  const secrets: string[] = [];
  for (const name of activeBindings(source.verify.secrets, nowMs)) {
    const value = bindings.get(name);
    if (value === undefined) log("warn", "secret_binding_missing", { source: source.name, binding: name });
    else secrets.push(value);
  }
  if (takesSecrets(source.verify.scheme) && secrets.length === 0) {
    log("error", "no_valid_secret", { source: source.name });
    return { ok: false, reason: "no_secret" };
  }
  const input = { headers: request.headers, body, secrets, toleranceS: source.verify.tolerance_s, nowMs, url: request.url, method: request.method };
  const verdict = await verifySignature(source.verify.scheme, input);
  // A public key that does not parse is a configuration error, only visible once the binding is read.
  if (!verdict.ok && verdict.reason === "bad_key") log("error", "verify_key_unusable", { source: source.name, scheme: source.verify.scheme });
  const handshake = schemeOf(source.verify.scheme).handshake;
  if (!verdict.ok || handshake === undefined) return verdict;
  const answer = await handshake({ ...input, json: () => parseJson(body) });
  return answer === null ? verdict : { ...verdict, handshake: answer };
}

/** The handshake's answer as sent, logged as outcome `handshake`. */
export function handshakeResponse(answer: HandshakeAnswer, fields: { outcome?: string }): Response {
  fields.outcome = "handshake";
  return new Response(answer.body, { status: answer.status, headers: { ...answer.headers, "Content-Type": answer.contentType, "X-Content-Type-Options": "nosniff" } });
}

function parseJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(body));
  } catch {
    return undefined;
  }
}
