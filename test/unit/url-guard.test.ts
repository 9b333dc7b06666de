// Unit tests of the SSRF guard for endpoint URLs (src/core/url-guard.ts).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ALLOWED_HTTPS_PORTS, checkEndpointUrl, publicHostProblem, redactUrl } from "../../src/core/url-guard";

const strict = { allowPrivateNetworks: false };
const permissive = { allowPrivateNetworks: true };

function reasonOf(raw: string, opts = strict): string {
  const verdict = checkEndpointUrl(raw, opts);
  if (verdict.ok) throw new Error(`expected ${raw} to be rejected`);
  return verdict.reason;
}

describe("checkEndpointUrl without private networks", () => {
  const rejected: ReadonlyArray<readonly [string, string]> = [
    ["https://localhost/hook", "special-use"],
    ["https://localhost./hook", "special-use"],
    ["https://LocalHost:443/", "special-use"],
    ["https://%6cocalhost/", "special-use"],
    ["https://foo.localhost/", "special-use"],
    ["https://printer.local/", "special-use"],
    ["https://metadata.google.internal/computeMetadata/v1/", "special-use"],
    ["https://router.home.arpa/", "special-use"],
    ["https://intranet/hook", "single-label"],
    ["https://intranet./hook", "single-label"],
    ["https://127.0.0.1/", "loopback"],
    ["https://127.0.0.1./", "loopback"],
    ["https://127.1/", "loopback"],
    ["https://2130706433/", "loopback"],
    ["https://0x7f000001/", "loopback"],
    ["https://0x7f.0.0.1/", "loopback"],
    ["https://0177.0.0.1/", "loopback"],
    ["https://017700000001/", "loopback"],
    ["https://%31%32%37.0.0.1/", "loopback"],
    ["https://[::1]/", "loopback"],
    ["https://[::]/", "unspecified"],
    ["https://[::ffff:127.0.0.1]/", "loopback"],
    ["https://[::ffff:7f00:1]/", "loopback"],
    ["https://[::ffff:a9fe:a9fe]/", "link-local"],
    ["https://[64:ff9b::10.0.0.1]/", "private"],
    ["https://[2002:a00:1::]/", "private"],
    ["https://[::127.0.0.1]/", "IPv4-compatible"],
    ["https://[fd00::1]/", "unique-local"],
    ["https://[fc00::1]/", "unique-local"],
    ["https://[fe80::1]/", "link-local"],
    ["https://[ff02::1]/", "multicast"],
    ["https://[2001:db8::1]/", "documentation"],
    ["https://169.254.169.254/latest/meta-data/", "link-local"],
    ["https://100.64.0.1/", "CGNAT"],
    ["https://100.127.255.255/", "CGNAT"],
    ["https://10.0.0.1/", "private"],
    ["https://172.16.0.1/", "private"],
    ["https://172.31.255.255/", "private"],
    ["https://192.168.1.1/", "private"],
    ["https://0.0.0.0/", "this network"],
    ["https://0/", "this network"],
    ["https://192.0.0.8/", "IETF"],
    ["https://192.0.2.1/", "documentation"],
    ["https://198.18.0.1/", "benchmarking"],
    ["https://198.19.255.255/", "benchmarking"],
    ["https://198.51.100.7/", "documentation"],
    ["https://203.0.113.9/", "documentation"],
    ["https://224.0.0.1/", "multicast"],
    ["https://240.0.0.1/", "reserved"],
    ["https://255.255.255.255/", "broadcast"],
    ["http://example.com/hook", "scheme"],
    ["https://user:pass@example.com/hook", "credentials"],
    ["https://user@example.com/hook", "credentials"],
    ["https://:pass@example.com/hook", "credentials"],
    ["https://example.com:22/", "port 22"],
    ["https://example.com:80/", "port 80"],
    ["file:///etc/passwd", "scheme"],
    ["javascript:alert(1)", "scheme"],
    ["ftp://example.com/", "scheme"],
    ["data:text/plain,hi", "scheme"],
    ["//example.com/hook", "not a valid"],
    ["example.com/hook", "not a valid"],
    ["", "not a valid"],
    ["https://exa mple.com/", "not a valid"],
    ["https://[::1/", "not a valid"],
  ];

  it.each(rejected)("rejects %s", (raw, fragment) => {
    expect(reasonOf(raw)).toContain(fragment);
  });

  const allowed = [
    "https://example.com/hook",
    "https://example.com./hook",
    "https://93.184.216.34/x",
    "https://example.com:8443/",
    "https://example.com:443/path?q=1",
    "https://[2606:2800:220:1:248:1893:25c8:1946]/",
    "https://[::ffff:93.184.216.34]/",
    "https://172.32.0.1/",
    "https://100.128.0.1/",
    "https://xn--bcher-kva.example/",
  ];

  it.each(allowed)("allows %s", (raw) => {
    const verdict = checkEndpointUrl(raw, strict);
    expect(verdict).toMatchObject({ ok: true });
    if (verdict.ok) expect(verdict.url.href).toBe(new URL(raw).href);
  });

  it("documents the allowed https ports", () => {
    expect(ALLOWED_HTTPS_PORTS).toEqual([443, 8443]);
  });
});

describe("checkEndpointUrl with allowPrivateNetworks", () => {
  it.each(["http://127.0.0.1:8788", "http://localhost:8787/hook", "https://[::1]:9000/", "http://intranet/"])("allows %s", (raw) => {
    expect(checkEndpointUrl(raw, permissive)).toMatchObject({ ok: true });
  });

  it.each([
    ["file:///etc/passwd", "scheme"],
    ["ftp://127.0.0.1/", "scheme"],
    ["javascript:alert(1)", "scheme"],
    ["http://user:pass@127.0.0.1:8788/", "credentials"],
    ["not a url", "not a valid"],
  ])("still rejects %s", (raw, fragment) => {
    expect(reasonOf(raw, permissive)).toContain(fragment);
  });
});

describe("reasons", () => {
  const secretBearing = [
    "https://alice:hunter2pw@localhost/hook?token=tok_q7x9",
    "https://alice:hunter2pw@example.com/hook?token=tok_q7x9",
    "http://example.com/hook?token=tok_q7x9",
    "https://example.com:22/hook?token=tok_q7x9",
    "https://10.0.0.1/hook?token=tok_q7x9#frag",
    "ftp://alice:hunter2pw@example.com/?token=tok_q7x9",
    "https://alice:hunter2pw@[::1/?token=tok_q7x9",
  ];

  it.each(secretBearing)("never echo the query string or password of %s", (raw) => {
    for (const opts of [strict, permissive]) {
      const verdict = checkEndpointUrl(raw, opts);
      if (verdict.ok) continue;
      expect(verdict.reason).not.toMatch(/tok_q7x9|hunter2pw|alice|frag/);
    }
  });
});

describe("publicHostProblem on hosts URL did not normalise", () => {
  it.each([
    ["0x7f.0.0.1", "loopback"],
    ["0177.0.0.1", "loopback"],
    ["0177.1", "loopback"],
    ["2130706433", "loopback"],
    ["0X7F000001", "loopback"],
    ["LocalHost.", "special-use"],
    ["017700000001.", "loopback"],
    ["127.1", "loopback"],
    ["012.0x0.0", "private"],
    ["0xa9.0xfe.0xa9.0xfe", "link-local"],
    ["08.0.0.1", "malformed IPv4"],
    ["1.2.3.4.5", "malformed IPv4"],
    ["1.256.0.1", "malformed IPv4"],
    ["4294967296", "malformed IPv4"],
    ["localhost..", "special-use"],
    ["loc%61lhost", "not a valid DNS name"],
    ["a..b", "not a valid DNS name"],
    ["", "not a valid DNS name"],
    ["[0:0:0:0:0:ffff:7f00:1]", "loopback"],
    ["[::FFFF:127.0.0.1]", "loopback"],
    ["[0000:0000::0001]", "loopback"],
    ["[::ffff:0:10.1.2.3]", "private"],
    ["[64:ff9b::7f00:1]", "loopback"],
    ["[::ffff:0127.0.0.1]", "malformed IPv6"],
    ["[fe80::1%eth0]", "malformed IPv6"],
    ["[1:2:3:4:5:6:7:8:9]", "malformed IPv6"],
    ["[1::2::3]", "malformed IPv6"],
    ["[::1", "malformed IPv6"],
  ])("rejects %s", (host, fragment) => {
    expect(publicHostProblem(host)).toContain(fragment);
  });

  it.each(["example.com", "93.184.216.34", "[2606:4700::1111]", "[::ffff:5db8:d822]"])("accepts %s", (host) => {
    expect(publicHostProblem(host)).toBeNull();
  });
});

describe("redactUrl", () => {
  it("drops userinfo, query and fragment", () => {
    expect(redactUrl("https://alice:pw@example.com:8443/a/b?token=x#y")).toBe("https://example.com:8443/a/b");
  });
  it("keeps scheme, host and path", () => {
    expect(redactUrl("http://127.0.0.1:8788")).toBe("http://127.0.0.1:8788/");
  });
  it("does not echo unparseable or non-http input", () => {
    expect(redactUrl("not a url ?token=x")).toBe("[invalid URL]");
    expect(redactUrl("javascript:alert(document.cookie)")).toBe("javascript:[redacted]");
  });
});

describe("properties", () => {
  it("never throws for arbitrary strings", () => {
    const candidates = fc.oneof(
      fc.string(),
      fc.string({ unit: "binary" }),
      fc.string().map((s) => `https://${s}`),
      fc.string().map((s) => `https://[${s}]/`),
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
    );
    fc.assert(
      fc.property(candidates, fc.boolean(), (raw, allowPrivateNetworks) => {
        const verdict = checkEndpointUrl(raw, { allowPrivateNetworks });
        expect(typeof verdict.ok).toBe("boolean");
        expect(typeof redactUrl(raw)).toBe("string");
      }),
      { numRuns: 2000 },
    );
  });

  /** A 32-bit address written as 1-4 parts, each in decimal, hex or octal (as inet_aton reads it). */
  const encodedIPv4 = (address: number) =>
    fc
      .tuple(fc.integer({ min: 1, max: 4 }), fc.array(fc.constantFrom("dec", "hex", "HEX", "oct"), { minLength: 4, maxLength: 4 }), fc.boolean())
      .map(([count, encodings, trailingDot]) => {
        const parts: number[] = [];
        for (let i = 0; i < count - 1; i++) parts.push((address >>> (24 - 8 * i)) & 0xff);
        parts.push(count === 1 ? address : address % 256 ** (5 - count));
        const text = parts.map((n, i) => {
          const encoding = encodings[i] ?? "dec";
          if (encoding === "hex") return `0x${n.toString(16)}`;
          if (encoding === "HEX") return `0X${n.toString(16).toUpperCase()}`;
          if (encoding === "oct") return `0${n.toString(8)}`;
          return String(n);
        });
        return text.join(".") + (trailingDot ? "." : "");
      });

  it("never allows a loopback or 10/8 address in any part encoding", () => {
    const privateAddress = fc.tuple(fc.constantFrom(127, 10), fc.integer({ min: 0, max: 0xffffff })).map(([first, rest]) => ((first << 24) | rest) >>> 0);
    const hosts = privateAddress.chain((address) =>
      fc.oneof(
        encodedIPv4(address),
        fc.constant(`[::ffff:${(address >>> 16).toString(16)}:${(address & 0xffff).toString(16)}]`),
        fc.constant(`[64:ff9b::${[24, 16, 8, 0].map((s) => (address >>> s) & 0xff).join(".")}]`),
      ),
    );
    fc.assert(
      fc.property(hosts, fc.constantFrom("", ":443", ":8443"), fc.webPath(), (host, port, path) => {
        const verdict = checkEndpointUrl(`https://${host}${port}${path}`, strict);
        expect(verdict).toMatchObject({ ok: false, reason: expect.stringMatching(/loopback|private/) });
        expect(publicHostProblem(host)).toMatch(/loopback|private/);
      }),
      { numRuns: 2000 },
    );
  });
});
