// ECDSA signature encodings: DER `SEQUENCE { INTEGER r, INTEGER s }` (what SendGrid sends) and the
// fixed-width r||s WebCrypto verifies. Strict parsing: short-form lengths only, null on anything odd.

/** r||s (each `size` bytes) from DER, or null when it is not a well-formed signature. */
export function derToRaw(der: Uint8Array, size: number): Uint8Array | null {
  if (der.length < 8 || der[0] !== 0x30 || der[1] !== der.length - 2) return null;
  const out = new Uint8Array(size * 2);
  let at = 2;
  for (let part = 0; part < 2; part++) {
    if (der[at] !== 0x02) return null;
    const length = der[at + 1] ?? 0;
    const start = at + 2;
    if (length === 0 || length > size + 1 || start + length > der.length) return null;
    let value = der.subarray(start, start + length);
    while (value.length > size && value[0] === 0) value = value.subarray(1);
    if (value.length > size) return null;
    out.set(value, part * size + size - value.length);
    at = start + length;
  }
  return at === der.length ? out : null;
}

/** DER from r||s (what a producer sends). */
export function rawToDer(raw: Uint8Array): Uint8Array {
  const half = raw.length / 2;
  const integer = (bytes: Uint8Array): number[] => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start++;
    const value = [...bytes.subarray(start)];
    if ((value[0] ?? 0) >= 0x80) value.unshift(0);
    return [0x02, value.length, ...value];
  };
  const body = [...integer(raw.subarray(0, half)), ...integer(raw.subarray(half))];
  return new Uint8Array([0x30, body.length, ...body]);
}
