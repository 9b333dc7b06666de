// Provider URL registrations (Dropbox's challenge, Okta's verification, Trello's HEAD, Asana's
// X-Hook-Secret) answered at the edge before the method check, only on sources whose preset declares
// one and whose transport checks pass; every other request goes on to ingress unchanged.
import type { Context } from "hono";
import { schemeOf } from "../core/signatures";
import { checkTransport, type TransportFacts } from "../core/transport";
import { handshakeResponse } from "./verify-request";
import type { AppEnv } from "./context";

export function registrationAnswer(c: Context<AppEnv>): Response | null {
  const name = c.req.param("source") ?? "";
  const source = c.get("config").sources.get(name);
  const registration = source === undefined ? undefined : schemeOf(source.verify.scheme).registration;
  if (source === undefined || registration === undefined) return null;
  const answer = registration({ method: c.req.method, url: c.req.url, headers: c.req.raw.headers });
  if (answer === null) return null;
  const facts = c.req.raw.cf as TransportFacts | undefined;
  if (!checkTransport(facts, { minTlsVersion: source.min_tls_version, requireClientCertificate: source.require_client_certificate }).ok) return null;
  const fields = c.get("requestLog");
  fields.source = name.slice(0, 64);
  return handshakeResponse(answer, fields);
}
