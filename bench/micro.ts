// Micro-benchmark in Node: the gateway's own verifySignature (src/core/signatures, Web Crypto) on a
// 1 KB and a 1 MB Standard Webhooks event, read as ingress reads it (with room for the signed
// prefix), next to a bare HMAC-SHA256, SHA-256 and JSON.parse of the same bytes.
// CPU time per call from process.cpuUsage (all threads: Node runs Web Crypto off the main thread).
// Run alone with `npx tsx bench/micro.ts`; `npm run bench` runs it too.
import { createHash, createHmac } from "node:crypto";
import { pathToFileURL } from "node:url";
import { producerBody, producerHeaders, SCHEME_NAMES, schemeOf, verifySignature, type SchemeName } from "../src/core/signatures";
import { PRESET_DOCS } from "../src/core/signatures/docs";
import { PREFIX_ROOM, SUFFIX_ROOM, viewWithRoom } from "../src/core/bytes";
import { jsonBody, KB, MB, newSecrets, signedPool } from "./lib/fixtures";

export interface MicroResult {
  name: string;
  bytes: number;
  /** CPU per call, ms. */
  cpuMs: number;
  /** CPU per MiB of body, ms. */
  cpuMsPerMB: number;
}

async function measure(name: string, bytes: number, iterations: number, fn: () => Promise<unknown>): Promise<MicroResult> {
  for (let i = 0; i < Math.min(20, iterations); i++) await fn();
  const before = process.cpuUsage();
  for (let i = 0; i < iterations; i++) await fn();
  const used = process.cpuUsage(before);
  const cpuMs = (used.user + used.system) / 1000 / iterations;
  return { name, bytes, cpuMs, cpuMsPerMB: (cpuMs * MB) / bytes };
}

export async function microBenchmarks(): Promise<MicroResult[]> {
  const { BENCH_SECRET: secret } = newSecrets();
  const out: MicroResult[] = [];
  for (const [size, iterations] of [
    [KB, 4000],
    [MB, 200],
  ] as const) {
    const body = jsonBody("user.created", size);
    const [signed] = await signedPool(secret, body, 1);
    const headers = new Headers(signed);
    // As ingress reads it: one buffer with room for the signed prefix before the body.
    const bytes = viewWithRoom(new ArrayBuffer(PREFIX_ROOM + size), PREFIX_ROOM, size);
    bytes.set(body);
    const input = { headers, body: bytes, secrets: [secret], toleranceS: 300, nowMs: Date.now() };
    const check = await verifySignature("standard-webhooks", input);
    if (!check.ok) throw new Error(`micro-benchmark: the signature did not verify (${check.reason})`);
    const label = size === KB ? "1 KB" : "1 MB";
    const forged = { ...input, headers: new Headers({ ...signed, "webhook-signature": `v1,${Buffer.alloc(32, 7).toString("base64")}` }) };
    out.push(await measure(`verifySignature standard-webhooks, wrong signature, ${label}`, size, iterations, () => verifySignature("standard-webhooks", forged)));
    out.push(await measure(`verifySignature standard-webhooks, valid (+ body SHA-256), ${label}`, size, iterations, () => verifySignature("standard-webhooks", input)));
    out.push(await measure(`node:crypto HMAC-SHA256, ${label}`, size, iterations, async () => createHmac("sha256", "k").update(body).digest()));
    out.push(await measure(`node:crypto SHA-256, ${label}`, size, iterations, async () => createHash("sha256").update(body).digest()));
    out.push(await measure(`JSON.parse, ${label}`, size, iterations, async () => JSON.parse(body.toString("utf8")) as unknown));
  }
  return out;
}

/** A body as ingress reads it: one buffer with room for a signed prefix before and a suffix after. */
function asRead(body: Uint8Array): Uint8Array {
  const bytes = viewWithRoom(new ArrayBuffer(PREFIX_ROOM + body.length + SUFFIX_ROOM), PREFIX_ROOM, body.length);
  bytes.set(body);
  return bytes;
}

/**
 * Every shared-secret HMAC preset (public-key and token ones aside): the per-MB slope of the 401 path
 * (a well-formed secret that does not match: one full HMAC, between 64 KB and 1 MB bodies) and the
 * CPU of a valid 1 MB request (the HMAC plus the body's SHA-256 that dedup uses).
 */
export async function presetBenchmarks(iterations = 20): Promise<MicroResult[]> {
  const url = "https://gateway.example/webhooks/provider?tenant=7";
  const out: MicroResult[] = [];
  for (const scheme of SCHEME_NAMES.filter((name): name is Exclude<SchemeName, "none"> => name !== "none" && schemeOf(name).secretFormat !== "public-key")) {
    const descriptor = schemeOf(scheme);
    if (!PRESET_DOCS[scheme].algorithm.startsWith("HMAC")) continue;
    const whsec = descriptor.secretFormat === "whsec-base64";
    const secret = whsec ? `whsec_${Buffer.alloc(32, 1).toString("base64")}` : Buffer.alloc(24, 2).toString("hex");
    const wrong = whsec ? `whsec_${Buffer.alloc(32, 9).toString("base64")}` : Buffer.alloc(24, 3).toString("hex");
    const calls: Record<string, () => Promise<unknown>> = {};
    for (const [size, label] of [
      [64 * KB, "64k"],
      [MB, "1m"],
    ] as const) {
      const request = { secret, body: jsonBody("user.created", size), timestampS: Math.floor(Date.now() / 1000), id: "msg_bench", url };
      const bytes = asRead(await producerBody(scheme, request));
      const headers = new Headers(await producerHeaders(scheme, { ...request, body: bytes }));
      const input = { headers, body: bytes, secrets: [secret], toleranceS: 300, nowMs: Date.now(), url, method: "POST" };
      const check = await verifySignature(scheme, input);
      if (!check.ok) throw new Error(`micro-benchmark: ${scheme} did not verify (${check.reason})`);
      calls[`valid ${label}`] = () => verifySignature(scheme, input);
      calls[`401 ${label}`] = () => verifySignature(scheme, { ...input, secrets: [wrong] });
    }
    const run = (name: string, n: number) => measure(name, MB, n, calls[name] ?? (() => Promise.reject(new Error(name))));
    const small = await run("401 64k", iterations * 8);
    const big = await run("401 1m", iterations);
    const slope = ((big.cpuMs - small.cpuMs) * MB) / (MB - 64 * KB);
    out.push({ name: `verifySignature ${scheme}, 401 path, per-MB slope`, bytes: MB, cpuMs: slope, cpuMsPerMB: slope });
    const valid = await run("valid 1m", iterations);
    out.push({ ...valid, name: `verifySignature ${scheme}, valid (+ body SHA-256), 1 MB` });
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  for (const r of [...(await microBenchmarks()), ...(await presetBenchmarks())])
    console.log(`${r.name.padEnd(48)} ${(r.cpuMs * 1000).toFixed(1).padStart(8)} µs/call  ${r.cpuMsPerMB.toFixed(3)} ms/MB`);
}
