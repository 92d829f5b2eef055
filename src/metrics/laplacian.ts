// Gaussian and Laplacian image pyramids as progressive_growing_of_gans metrics/sliced_wasserstein.py builds them
// (cv2.pyrDown/pyrUp: the 5x5 binomial filter [1 4 6 4 1]^2 / 256, scipy.ndimage 'mirror' borders). Two paths:
// a reference that convolves with the 5x5 filter literally, and the fast one that uses its separability.

/** The 1-D binomial taps; the 2-D filter is their outer product (/ 256). */
const TAPS = [1, 4, 6, 4, 1].map((t) => t / 16);

/** Planes of float images: `count` planes (images x channels) of size x size, row-major. */
export interface Planes {
  data: Float32Array; // [count, size, size]
  count: number;
  size: number;
}

/**
 * scipy.ndimage mode='mirror' (reflect about the edge pixel: d c b | a b c d | c b a).
 * @example mirror(-1, 4) // 1
 */
export function mirror(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * n - 2;
  let j = ((i % period) + period) % period;
  if (j >= n) j = period - j;
  return j;
}

/** One 5-tap pass along rows (axis 'x') or columns ('y'), mirror borders, taps scaled by `gain`. */
function blur1d(src: Float32Array, count: number, size: number, axis: 'x' | 'y', gain: number): Float32Array {
  const out = new Float32Array(src.length);
  const S = size;
  for (let p = 0; p < count; p++) {
    const base = p * S * S;
    for (let y = 0; y < S; y++) {
      for (let x = 0; x < S; x++) {
        let acc = 0;
        for (let k = -2; k <= 2; k++) {
          const v = axis === 'x' ? src[base + y * S + mirror(x + k, S)]! : src[base + mirror(y + k, S) * S + x]!;
          acc += TAPS[k + 2]! * v;
        }
        out[base + y * S + x] = acc * gain;
      }
    }
  }
  return out;
}

/** The 5x5 filter applied literally (reference), mirror borders, scaled by `gain`. */
function blur2dReference(src: Float32Array, count: number, size: number, gain: number): Float32Array {
  const out = new Float32Array(src.length);
  const S = size;
  for (let p = 0; p < count; p++) {
    const base = p * S * S;
    for (let y = 0; y < S; y++) {
      for (let x = 0; x < S; x++) {
        let acc = 0;
        for (let i = -2; i <= 2; i++) for (let j = -2; j <= 2; j++) acc += TAPS[i + 2]! * TAPS[j + 2]! * src[base + mirror(y + i, S) * S + mirror(x + j, S)]!;
        out[base + y * S + x] = acc * gain;
      }
    }
  }
  return out;
}

function blur(src: Float32Array, count: number, size: number, gain: number, reference: boolean): Float32Array {
  if (reference) return blur2dReference(src, count, size, gain);
  return blur1d(blur1d(src, count, size, 'x', 1), count, size, 'y', gain);
}

/**
 * cv2.pyrDown: blur, then keep the even rows and columns.
 * @example const half = pyrDown(planes); // size / 2
 */
export function pyrDown(x: Planes, reference = false): Planes {
  const b = blur(x.data, x.count, x.size, 1, reference);
  const h = x.size / 2;
  const out = new Float32Array(x.count * h * h); // [count, size/2, size/2]
  for (let p = 0; p < x.count; p++) for (let y = 0; y < h; y++) for (let xx = 0; xx < h; xx++) out[(p * h + y) * h + xx] = b[(p * x.size + 2 * y) * x.size + 2 * xx]!;
  return { data: out, count: x.count, size: h };
}

/**
 * cv2.pyrUp: zeros between the samples, then blur with 4x the filter.
 * @example const double = pyrUp(planes); // size * 2
 */
export function pyrUp(x: Planes, reference = false): Planes {
  const S = x.size * 2;
  const up = new Float32Array(x.count * S * S); // [count, 2 size, 2 size]
  for (let p = 0; p < x.count; p++) for (let y = 0; y < x.size; y++) for (let xx = 0; xx < x.size; xx++) up[(p * S + 2 * y) * S + 2 * xx] = x.data[(p * x.size + y) * x.size + xx]!;
  return { data: blur(up, x.count, S, 4, reference), count: x.count, size: S };
}

/**
 * The Laplacian pyramid of `numLevels` levels: band-pass differences, then the last Gaussian level.
 * @example const [l64, l32, l16] = laplacianPyramid(planes, 3);
 */
export function laplacianPyramid(x: Planes, numLevels: number, reference = false): Planes[] {
  const pyramid: Planes[] = [{ ...x, data: Float32Array.from(x.data) }];
  for (let i = 1; i < numLevels; i++) {
    const down = pyrDown(pyramid[i - 1]!, reference);
    const up = pyrUp(down, reference);
    const prev = pyramid[i - 1]!.data;
    for (let k = 0; k < prev.length; k++) prev[k] = prev[k]! - up.data[k]!;
    pyramid.push(down);
  }
  return pyramid;
}
