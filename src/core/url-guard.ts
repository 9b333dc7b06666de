// SSRF guard for outbound endpoint URLs: decides from the URL text alone (Workers cannot pin the
// resolved IP) whether the gateway may send to it, and redacts URLs for logs and the admin API.
// Names that resolve to private addresses (DNS rebinding, 127.0.0.1.nip.io) cannot be caught here.

export type UrlVerdict =
  | { ok: true; url: URL }
  /** `reason` is safe to show: it never echoes the query string or the userinfo. */
  | { ok: false; reason: string };

export type UrlGuardOptions = { allowPrivateNetworks: boolean };

/** Ports an `https:` endpoint may use when private networks are not allowed (absent means 443). */
export const ALLOWED_HTTPS_PORTS: readonly number[] = [443, 8443];

/** Special-use names (RFC 6761, 6762, 8375, ICANN's `.internal`) that never name a public host. */
export const BLOCKED_NAME_SUFFIXES: readonly string[] = ["localhost", "localdomain", "local", "internal", "home.arpa"];

/** Special-purpose IPv4 ranges (IANA registry) an endpoint may not point at: [address, prefix, label]. */
const BLOCKED_IPV4: ReadonlyArray<readonly [string, number, string]> = [
  ["0.0.0.0", 8, "the 'this network' range"],
  ["10.0.0.0", 8, "a private range"],
  ["100.64.0.0", 10, "the shared CGNAT range"],
  ["127.0.0.0", 8, "the loopback range"],
  ["169.254.0.0", 16, "the link-local range (cloud metadata)"],
  ["172.16.0.0", 12, "a private range"],
  ["192.0.0.0", 24, "the IETF protocol assignments range"],
  ["192.0.2.0", 24, "a documentation range"],
  ["192.88.99.0", 24, "the 6to4 relay anycast range"],
  ["192.168.0.0", 16, "a private range"],
  ["198.18.0.0", 15, "the benchmarking range"],
  ["198.51.100.0", 24, "a documentation range"],
  ["203.0.113.0", 24, "a documentation range"],
  ["224.0.0.0", 4, "the multicast range"],
  ["255.255.255.255", 32, "the broadcast address"],
  ["240.0.0.0", 4, "the reserved range"],
];

const DNS_NAME = /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/;
const NUMERIC_LABEL = /^(0x[0-9a-f]*|[0-9]+)$/i;

function reject(reason: string): UrlVerdict {
  return { ok: false, reason };
}

/** Checks an endpoint URL against the SSRF rules; never throws. */
export function checkEndpointUrl(raw: string, opts: UrlGuardOptions): UrlVerdict {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return reject("not a valid absolute URL");
  }
  const schemes = opts.allowPrivateNetworks ? ["http:", "https:"] : ["https:"];
  if (!schemes.includes(url.protocol)) {
    return reject(`scheme "${url.protocol}" is not allowed; use ${schemes.join(" or ")}`);
  }
  if (url.username !== "" || url.password !== "") {
    return reject("credentials in the URL (user:pass@) are not allowed; use signing secrets");
  }
  if (url.hostname === "") return reject("the URL has no host");
  if (opts.allowPrivateNetworks) return { ok: true, url };

  const port = url.port === "" ? 443 : Number(url.port);
  if (!ALLOWED_HTTPS_PORTS.includes(port)) {
    return reject(`port ${port} is not allowed; use one of ${ALLOWED_HTTPS_PORTS.join(", ")}`);
  }
  const problem = publicHostProblem(url.hostname);
  return problem === null ? { ok: true, url } : reject(problem);
}

/** `scheme://host[:port]/path` without userinfo, query or fragment; never throws. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "[invalid URL]";
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return `${parsed.protocol}[redacted]`;
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}

/**
 * Why a hostname (as `URL.hostname` gives it, IPv6 in brackets) is not a public host, or null when
 * it is. Does not rely on URL normalisation: numeric hosts are parsed again in every encoding.
 */
export function publicHostProblem(rawHostname: string): string | null {
  const hostname = rawHostname.toLowerCase();
  if (hostname.startsWith("[")) {
    const groups = hostname.endsWith("]") ? parseIPv6(hostname.slice(1, -1)) : null;
    if (groups === null) return "the host is a malformed IPv6 literal";
    const label = ipv6Problem(groups);
    return label === null ? null : `host ${hostname} is in ${label}`;
  }
  const name = hostname.replace(/\.+$/, "");
  if (!DNS_NAME.test(name)) return "the host is not a valid DNS name";
  const labels = name.split(".");
  if (NUMERIC_LABEL.test(labels.at(-1) ?? "")) {
    const ip = parseIPv4(name);
    if (ip === null) return "the host is a malformed IPv4 literal";
    const label = ipv4Problem(ip);
    return label === null ? null : `host ${formatIPv4(ip)} is in ${label}`;
  }
  for (const suffix of BLOCKED_NAME_SUFFIXES) {
    if (name === suffix || name.endsWith(`.${suffix}`)) return `host ${name} is a special-use name (.${suffix})`;
  }
  if (labels.length < 2) return `host ${name} is a single-label name; use a fully qualified domain`;
  return null;
}

function ipv4Problem(ip: number): string | null {
  for (const [base, prefix, label] of BLOCKED_IPV4) {
    const mask = (0xffffffff << (32 - prefix)) >>> 0; // prefixes are 4..32, so the shift is 0..28
    if ((ip & mask) >>> 0 === parseIPv4(base)) return label;
  }
  return null;
}

/** Checks IPv6 groups; forms that embed an IPv4 address are judged by that address. */
function ipv6Problem(g: readonly number[]): string | null {
  const at = (i: number): number => g[i] ?? 0;
  const zeroUpTo = (n: number): boolean => g.slice(0, n).every((x) => x === 0);
  const embedded = (hi: number, lo: number): string | null => {
    const label = ipv4Problem(((at(hi) << 16) | at(lo)) >>> 0);
    return label === null ? null : `${label} (embedded IPv4)`;
  };
  if (zeroUpTo(7) && at(7) <= 1) return at(7) === 0 ? "the unspecified address" : "the loopback address";
  if (zeroUpTo(6)) return "the deprecated IPv4-compatible range";
  if (zeroUpTo(5) && at(5) === 0xffff) return embedded(6, 7); // ::ffff:a.b.c.d (IPv4-mapped)
  if (zeroUpTo(4) && at(4) === 0xffff && at(5) === 0) return embedded(6, 7); // ::ffff:0:a.b.c.d
  if (at(0) === 0x64 && at(1) === 0xff9b) {
    if (g.slice(2, 6).every((x) => x === 0)) return embedded(6, 7); // NAT64 well-known prefix
    if (at(2) === 1) return "the local-use NAT64 range";
  }
  if (at(0) === 0x2002) return embedded(1, 2); // 6to4
  if (at(0) === 0x2001 && at(1) === 0) return "the Teredo range";
  if (at(0) === 0x2001 && at(1) === 0x0db8) return "a documentation range";
  if (at(0) === 0x3fff && at(1) < 0x1000) return "a documentation range";
  if (at(0) === 0x0100 && zeroUpTo(4)) return "the discard-only range";
  if ((at(0) & 0xfe00) === 0xfc00) return "the unique-local range";
  if ((at(0) & 0xffc0) === 0xfe80) return "the link-local range";
  if ((at(0) & 0xffc0) === 0xfec0) return "the deprecated site-local range";
  if ((at(0) & 0xff00) === 0xff00) return "the multicast range";
  return null;
}

/** One IPv4 part as the WHATWG host parser reads it: 0x-hex, 0-octal or decimal. */
function parseIPv4Number(part: string): number | null {
  if (/^0x[0-9a-f]*$/i.test(part)) return part.length === 2 ? 0 : parseInt(part.slice(2), 16);
  if (/^0[0-7]+$/.test(part)) return parseInt(part.slice(1), 8);
  if (/^(0|[1-9][0-9]*)$/.test(part)) return parseInt(part, 10);
  return null;
}

/** IPv4 in any of the forms `inet_aton` and WHATWG accept (127.1, 0x7f000001, 0177.0.0.1), or null. */
function parseIPv4(text: string): number | null {
  const parts = text.split(".");
  if (parts.length > 1 && parts.at(-1) === "") parts.pop();
  if (parts.length > 4) return null;
  const nums: number[] = [];
  for (const part of parts) {
    const n = parseIPv4Number(part);
    if (n === null) return null;
    nums.push(n);
  }
  const last = nums.pop();
  if (last === undefined || last >= 256 ** (4 - nums.length) || nums.some((n) => n > 255)) return null;
  return nums.reduce((acc, n, i) => acc + n * 256 ** (3 - i), last);
}

function formatIPv4(ip: number): string {
  return [24, 16, 8, 0].map((shift) => (ip >>> shift) & 0xff).join(".");
}

/** The eight 16-bit groups of an IPv6 address (brackets removed), or null; zone ids are refused. */
function parseIPv6(text: string): number[] | null {
  if (!/^[0-9a-f:.]+$/i.test(text)) return null;
  const lastColon = text.lastIndexOf(":");
  if (lastColon < 0) return null;
  let body = text;
  let tail: number[] = [];
  if (text.includes(".")) {
    const quad = text.slice(lastColon + 1);
    const v4 = /^(0|[1-9]\d{0,2})(\.(0|[1-9]\d{0,2})){3}$/.test(quad) ? parseIPv4(quad) : null;
    if (v4 === null) return null;
    tail = [v4 >>> 16, v4 & 0xffff];
    body = text.slice(0, lastColon + 1);
    if (!body.endsWith("::")) body = body.slice(0, -1);
  }
  const groupsOf = (s: string): number[] => (s === "" ? [] : s.split(":").map((h) => (/^[0-9a-f]{1,4}$/i.test(h) ? parseInt(h, 16) : NaN)));
  const halves = body.split("::");
  if (halves.length > 2) return null;
  const head = groupsOf(halves[0] ?? "");
  let groups: number[];
  if (halves.length === 1) {
    groups = [...head, ...tail];
  } else {
    const rest = groupsOf(halves[1] ?? "");
    const fill = 8 - head.length - rest.length - tail.length;
    if (fill < 1) return null;
    groups = [...head, ...new Array<number>(fill).fill(0), ...rest, ...tail];
  }
  return groups.length === 8 && groups.every((x) => Number.isInteger(x)) ? groups : null;
}
