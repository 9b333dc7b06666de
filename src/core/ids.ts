// Identifiers: message ids (time-sortable, `msg_` + 26 Crockford base32 chars), W3C trace and span ids.
// Time and random bytes come in as arguments.

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** A ULID-style id: 48 bits of milliseconds then 80 random bits, so ids sort by acceptance time. */
export function messageId(nowMs: number, random10: Uint8Array): string {
  let out = "";
  let time = Math.max(0, Math.floor(nowMs));
  const timeChars: string[] = [];
  for (let i = 0; i < 10; i++) {
    timeChars.push(CROCKFORD.charAt(time % 32));
    time = Math.floor(time / 32);
  }
  out += timeChars.reverse().join("");
  let bits = 0;
  let value = 0;
  for (let i = 0; i < 10; i++) {
    value = (value << 8) | (random10[i] ?? 0);
    bits += 8;
    while (bits >= 5) {
      out += CROCKFORD.charAt((value >>> (bits - 5)) & 31);
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return `msg_${out}`;
}

export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

/** 32 lowercase hex chars, never all zero. */
export function traceId(random16: Uint8Array): string {
  const hex = toHex(random16.subarray(0, 16)).padEnd(32, "0");
  return /^0+$/.test(hex) ? "00000000000000000000000000000001" : hex;
}

/** 16 lowercase hex chars, never all zero. */
export function spanId(random8: Uint8Array): string {
  const hex = toHex(random8.subarray(0, 8)).padEnd(16, "0");
  return /^0+$/.test(hex) ? "0000000000000001" : hex;
}

const MESSAGE_ID = /^msg_[0-9A-HJKMNP-TV-Z]{26}$/;
export function isMessageId(value: string): boolean {
  return MESSAGE_ID.test(value);
}
