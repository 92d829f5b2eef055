// Decoders for the text forms used by pickle protocol 0 (INT, LONG, FLOAT, STRING, UNICODE lines)
// and the binary little-endian integers of LONG1 / LONG4. Pure functions; nothing is evaluated.
import { CheckpointError } from '../errors.js';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * A Python int as a JS number when it is a safe integer, else a bigint.
 * @example normalizeInt(5n) // 5
 */
export function normalizeInt(v: bigint): number | bigint {
  return v >= -MAX_SAFE && v <= MAX_SAFE ? Number(v) : v;
}

/**
 * Decodes a little-endian two's-complement integer (LONG1 / LONG4 payload).
 * @example decodeLongLE(new Uint8Array([0xff])) // -1
 */
export function decodeLongLE(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  if (bytes[bytes.length - 1]! & 0x80) v -= 1n << BigInt(8 * bytes.length);
  return normalizeInt(v);
}

/**
 * Decodes bytes as latin-1 (each byte one code point), as Python does for py2 `str` data.
 * @example latin1(new Uint8Array([0x41])) // 'A'
 */
export function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    s += String.fromCharCode(...bytes.subarray(i, Math.min(bytes.length, i + 8192)));
  }
  return s;
}

/**
 * Decodes UTF-8 (invalid sequences become U+FFFD, never an exception).
 * @example utf8(new Uint8Array([0x68, 0x69])) // 'hi'
 */
export function utf8(bytes: Uint8Array): string {
  return new TextDecoder('utf-8').decode(bytes);
}

/**
 * Parses a protocol-0 integer line (INT / LONG / GET / PUT): decimal, optional sign, optional
 * trailing 'L', or 0x/0o/0b prefixes as Python's int(text, 0) accepts.
 * @example parseIntLine('123L', 'LONG', 4) // 123
 */
export function parseIntLine(text: string, op: string, at: number): number | bigint {
  const t = text.trim().replace(/L$/, '').replace(/_/g, '');
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|\d+)$/.exec(t);
  if (!m) throw new CheckpointError(`corrupt pickle: ${op} at byte ${at} has a malformed integer '${clip(text)}'`);
  const digits = m[2]!;
  const prefixed = /^0[xXoObB]/.test(digits) ? '0' + digits[1]!.toLowerCase() + digits.slice(2) : digits;
  const v = BigInt(prefixed);
  return normalizeInt(m[1] === '-' ? -v : v);
}

/**
 * Parses a protocol-0 FLOAT line the way Python's float() does (including inf / nan).
 * @example parseFloatLine('0.5', 7) // 0.5
 */
export function parseFloatLine(text: string, at: number): number {
  const t = text.trim().toLowerCase();
  const special: Record<string, number> = { inf: Infinity, '+inf': Infinity, '-inf': -Infinity, infinity: Infinity, '-infinity': -Infinity, nan: NaN, '-nan': NaN, '+nan': NaN };
  if (Object.hasOwn(special, t)) return special[t]!;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) {
    throw new CheckpointError(`corrupt pickle: FLOAT at byte ${at} has a malformed number '${clip(text)}'`);
  }
  return Number(t);
}

/**
 * Decodes a protocol-0 STRING argument: a quoted Python 2 literal with backslash escapes.
 * Returns the raw bytes (the caller decides how to turn them into text).
 * @example decodeStringLiteral("'a\\n'", 3) // Uint8Array [0x61, 0x0a]
 */
export function decodeStringLiteral(text: string, at: number): Uint8Array {
  const q = text[0];
  if (text.length < 2 || (q !== "'" && q !== '"') || text[text.length - 1] !== q) {
    throw new CheckpointError(`corrupt pickle: STRING at byte ${at} is not a quoted string`);
  }
  const body = text.slice(1, -1);
  const out: number[] = [];
  const simple: Record<string, number> = { n: 10, t: 9, r: 13, '\\': 92, "'": 39, '"': 34, a: 7, b: 8, f: 12, v: 11 };
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c !== 92 || i === body.length - 1) {
      out.push(c & 0xff);
      continue;
    }
    const e = body[++i]!;
    if (Object.hasOwn(simple, e)) out.push(simple[e]!);
    else if (e === '\n') continue; // line continuation
    else if (e === 'x' && /^[0-9a-fA-F]{2}$/.test(body.slice(i + 1, i + 3))) {
      out.push(parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (/[0-7]/.test(e)) {
      const oct = /^[0-7]{1,3}/.exec(body.slice(i))![0];
      out.push(parseInt(oct, 8) & 0xff);
      i += oct.length - 1;
    } else out.push(92, e.charCodeAt(0) & 0xff); // unknown escape: kept as written
  }
  return Uint8Array.from(out);
}

/**
 * Decodes a protocol-0 UNICODE argument (Python's raw-unicode-escape: latin-1 plus \uXXXX / \UXXXXXXXX).
 * @example decodeRawUnicodeEscape(new Uint8Array([0x5c, 0x75, 0x30, 0x30, 0x65, 0x39])) // 'é'
 */
export function decodeRawUnicodeEscape(bytes: Uint8Array): string {
  const s = latin1(bytes);
  return s.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (whole, u4: string | undefined, u8: string | undefined) => {
    const cp = parseInt((u4 ?? u8)!, 16);
    return cp <= 0x10ffff ? String.fromCodePoint(cp) : whole;
  });
}

/**
 * Makes untrusted text safe to quote in a one-line message (control characters escaped, length capped).
 * @example clip('a\nb') // 'a\\nb'
 */
export function clip(text: string, max = 80): string {
  const esc = text.replace(/[\x00-\x1f\x7f]/g, (c) => (c === '\n' ? '\\n' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
  return esc.length > max ? esc.slice(0, max) + '...' : esc;
}
