// IEEE float16 rounding (round to nearest, ties to even), for the features and distances that the official
// precision/recall holds in torch.float16.
import { halfToNumber } from '../io/tensor.js';

/** The float16 bit pattern nearest to the float32 with bit pattern `b`. */
function halfBitsOf(b: number): number {
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  const mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // inf, nan
  const e = exp - 127 + 15; // float16 exponent
  if (e >= 31) return sign | 0x7c00; // overflow to infinity
  if (e <= 0) {
    // Subnormal float16 (or zero): the value in units of 2^-24, rounded half to even.
    if (e < -10) return sign;
    const m = mant | 0x800000; // implicit 1
    const shift = 14 - e;
    const q = m >>> shift;
    const rest = m & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    return sign | (q + (rest > half || (rest === half && q & 1) ? 1 : 0));
  }
  const q = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  return sign | (q + (rest > 0x1000 || (rest === 0x1000 && q & 1) ? 1 : 0)); // a carry moves into the exponent correctly
}

/**
 * Float16 bit patterns of float32 values (as a float32 tensor's `.half()`), into `out`.
 * @example toHalfBits(Float32Array.of(1, 0.1), new Uint16Array(2)) // [0x3c00, 0x2e66]
 */
export function toHalfBits(x: Float32Array, out: Uint16Array): Uint16Array {
  const bits = new Uint32Array(x.buffer, x.byteOffset, x.length);
  for (let i = 0; i < x.length; i++) out[i] = halfBitsOf(bits[i]!);
  return out;
}

/**
 * x rounded to float32 and then to the nearest float16 value.
 * @example roundHalf(0.1) // 0.0999755859375
 */
export function roundHalf(x: number): number {
  return halfToNumber(toHalfBits(Float32Array.of(x), new Uint16Array(1))[0]!);
}
