// Sliced Wasserstein distance between two image sets over Laplacian pyramid patches (Karras et al. 2018,
// "Progressive Growing of GANs", section 5; progressive_growing_of_gans metrics/sliced_wasserstein.py):
// 128 random 7x7 patches per image and level, levels from full size down to 16x16, each patch set normalised
// per channel, then 4 repeats x 128 random unit directions: the mean gap between the sorted projections, x 1e3.
// Random draws come from one legacy NumPy RandomState(seed) in this order: patch centres of every level of the
// real set (x then y), the same for the fake set, then the directions of each level (randn(D, 128) per repeat).
import { InputError } from '../errors.js';
import { RandomState } from '../random/numpy-random.js';
import { laplacianPyramid, type Planes } from './laplacian.js';

/** The paper's settings (sliced_wasserstein.py API.__init__). */
export const SWD_DEFAULTS = { nhoodSize: 7, nhoodsPerImage: 128, dirRepeats: 4, dirsPerRepeat: 128, minResolution: 16 } as const;

/** Options of slicedWassersteinDistance. */
export interface SwdOptions {
  count: number; // images in each set
  channels: number; // 1 or 3
  resolution: number; // square, power of two, at least 16
  seed?: number; // RandomState seed of patches and directions (default 0)
  /** The literal float64 path (5x5 convolutions, plain matmul and sort) instead of the fast one. */
  reference?: boolean;
}

/** SWD x 1e3 per pyramid level (finest first) and their mean. */
export interface SwdResult {
  levels: { resolution: number; swd: number }[];
  mean: number;
}

/**
 * NumPy's legacy `randint(low, high)` (int64, masked rejection on 32-bit draws, as RandomState.randint).
 * @example randint(new RandomState(0), 3, 13) // as np.random.RandomState(0).randint(3, 13)
 */
export function randint(rs: RandomState, low: number, high: number): number {
  const rng = high - 1 - low;
  if (rng < 0 || rng > 0xffffffff) throw new InputError(`randint: bad range [${low}, ${high})`);
  if (rng === 0) return low;
  let mask = rng;
  for (let s = 1; s <= 16; s *= 2) mask |= mask >>> s;
  mask >>>= 0;
  let v: number;
  do v = (rs.nextUint32() & mask) >>> 0;
  while (v > rng);
  return low + v;
}

/** Patch centres of one level: x for every patch, then y (get_descriptors_for_minibatch). */
interface Centres {
  x: Int32Array;
  y: Int32Array;
}

function drawCentres(rs: RandomState, n: number, size: number, half: number): Centres {
  const x = new Int32Array(n);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) x[i] = randint(rs, half, size - half);
  for (let i = 0; i < n; i++) y[i] = randint(rs, half, size - half);
  return { x, y };
}

/**
 * Patch descriptors [M, C * 7 * 7] of one level, component order (channel, x offset, y offset) as the official
 * np.ogrid indexing, then normalised per channel over all patches (finalize_descriptors).
 */
function descriptors(level: Planes, channels: number, perImage: number, c: Centres, nhood: number): Float32Array {
  const M = c.x.length;
  const h = nhood >> 1;
  const D = channels * nhood * nhood;
  const S = level.size;
  const out = new Float32Array(M * D); // [M, C, 7 (x), 7 (y)]
  for (let m = 0; m < M; m++) {
    const img = Math.floor(m / perImage);
    for (let ch = 0; ch < channels; ch++) {
      const plane = (img * channels + ch) * S * S;
      for (let i = 0; i < nhood; i++) {
        for (let j = 0; j < nhood; j++) out[m * D + (ch * nhood + i) * nhood + j] = level.data[plane + (c.y[m]! + j - h) * S + c.x[m]! + i - h]!;
      }
    }
  }
  // Normalise each channel to zero mean and unit (population) standard deviation.
  const per = nhood * nhood;
  for (let ch = 0; ch < channels; ch++) {
    let sum = 0;
    let sq = 0;
    for (let m = 0; m < M; m++) for (let k = 0; k < per; k++) sum += out[m * D + ch * per + k]!;
    const mean = sum / (M * per);
    for (let m = 0; m < M; m++) for (let k = 0; k < per; k++) sq += (out[m * D + ch * per + k]! - mean) ** 2;
    const std = Math.sqrt(sq / (M * per)) || 1; // a constant channel stays 0 (the official divides by 0)
    for (let m = 0; m < M; m++) for (let k = 0; k < per; k++) out[m * D + ch * per + k] = (out[m * D + ch * per + k]! - mean) / std;
  }
  return out;
}

/** `dirsPerRepeat` random unit directions as float32, direction-major [K, D] (randn(D, K) normalised per column). */
function drawDirections(rs: RandomState, D: number, K: number): Float32Array {
  const dirs = rs.randn(D, K); // [D, K]
  const out = new Float32Array(K * D); // [K, D]
  for (let k = 0; k < K; k++) {
    let norm = 0;
    for (let d = 0; d < D; d++) norm += dirs[d * K + k]! ** 2;
    norm = Math.sqrt(norm);
    for (let d = 0; d < D; d++) out[k * D + d] = dirs[d * K + k]! / norm;
  }
  return out;
}

/** Projections of every descriptor on every direction, sorted per direction: [K, M]. */
function sortedProjections(desc: Float32Array, M: number, D: number, dirs: Float32Array, K: number, reference: boolean): Float32Array | Float64Array[] {
  if (reference) {
    const cols: Float64Array[] = [];
    for (let k = 0; k < K; k++) {
      const col = new Float64Array(M);
      for (let m = 0; m < M; m++) {
        let s = 0;
        for (let d = 0; d < D; d++) s += desc[m * D + d]! * dirs[k * D + d]!;
        col[m] = s;
      }
      cols.push(col.sort());
    }
    return cols;
  }
  // Fast path: four directions per pass over a descriptor, float32 results, native typed-array sort.
  const out = new Float32Array(K * M); // [K, M]
  for (let k = 0; k < K; k += 4) {
    const k1 = Math.min(k + 1, K - 1);
    const k2 = Math.min(k + 2, K - 1);
    const k3 = Math.min(k + 3, K - 1);
    for (let m = 0; m < M; m++) {
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      const a = m * D;
      for (let d = 0; d < D; d++) {
        const v = desc[a + d]!;
        s0 += v * dirs[k * D + d]!;
        s1 += v * dirs[k1 * D + d]!;
        s2 += v * dirs[k2 * D + d]!;
        s3 += v * dirs[k3 * D + d]!;
      }
      out[k * M + m] = s0;
      out[k1 * M + m] = s1;
      out[k2 * M + m] = s2;
      out[k3 * M + m] = s3;
    }
  }
  for (let k = 0; k < K; k++) out.subarray(k * M, (k + 1) * M).sort();
  return out;
}

/** Mean |sorted A - sorted B| over all patches and directions. */
function meanGap(a: Float32Array | Float64Array[], b: Float32Array | Float64Array[], M: number, K: number): number {
  let sum = 0;
  for (let k = 0; k < K; k++) {
    const ca = Array.isArray(a) ? a[k]! : a.subarray(k * M, (k + 1) * M);
    const cb = Array.isArray(b) ? b[k]! : b.subarray(k * M, (k + 1) * M);
    for (let m = 0; m < M; m++) sum += Math.abs(ca[m]! - cb[m]!);
  }
  return sum / (M * K);
}

/** uint8 NCHW images as float planes [N * C, R, R]. */
function toPlanes(u8: Uint8Array, count: number, channels: number, R: number, what: string): Planes {
  if (u8.length !== count * channels * R * R) throw new InputError(`SWD: ${what} images hold ${u8.length} values, expected ${count}x${channels}x${R}x${R}`);
  return { data: Float32Array.from(u8), count: count * channels, size: R };
}

/**
 * SWD x 1e3 between real and fake uint8 image sets [N, C, R, R] (NCHW), per Laplacian level and averaged.
 * @example
 * const { levels, mean } = slicedWassersteinDistance(real, fake, { count: 256, channels: 3, resolution: 64 });
 * // levels: [{ resolution: 64, swd }, { resolution: 32, swd }, { resolution: 16, swd }]
 */
export function slicedWassersteinDistance(real: Uint8Array, fake: Uint8Array, o: SwdOptions): SwdResult {
  const { count: N, channels: C, resolution: R } = o;
  const { nhoodSize, nhoodsPerImage, dirRepeats, dirsPerRepeat, minResolution } = SWD_DEFAULTS;
  if (!Number.isInteger(N) || N < 1) throw new InputError(`SWD: count must be a positive integer, got ${N}`);
  if (C !== 1 && C !== 3) throw new InputError(`SWD: images must have 1 or 3 channels, got ${C}`);
  if (!Number.isInteger(R) || R < minResolution || (R & (R - 1)) !== 0) throw new InputError(`SWD: resolution must be a power of two of at least ${minResolution}, got ${R}`);
  const resolutions: number[] = [];
  for (let r = R; r >= minResolution; r /= 2) resolutions.push(r);
  const reference = !!o.reference;
  const pyramids = [toPlanes(real, N, C, R, 'real'), toPlanes(fake, N, C, R, 'fake')].map((x) => laplacianPyramid(x, resolutions.length, reference));
  const rs = new RandomState(o.seed ?? 0);
  const M = N * nhoodsPerImage;
  const half = nhoodSize >> 1;
  const centres = pyramids.map((p) => p.map((level) => drawCentres(rs, M, level.size, half)));
  const D = C * nhoodSize * nhoodSize;
  const levels = resolutions.map((resolution, l) => {
    const [descReal, descFake] = [0, 1].map((s) => descriptors(pyramids[s]![l]!, C, nhoodsPerImage, centres[s]![l]!, nhoodSize));
    let total = 0;
    for (let r = 0; r < dirRepeats; r++) {
      const dirs = drawDirections(rs, D, dirsPerRepeat);
      const a = sortedProjections(descReal!, M, D, dirs, dirsPerRepeat, reference);
      const b = sortedProjections(descFake!, M, D, dirs, dirsPerRepeat, reference);
      total += meanGap(a, b, M, dirsPerRepeat);
    }
    return { resolution, swd: (total / dirRepeats) * 1e3 };
  });
  return { levels, mean: levels.reduce((s, l) => s + l.swd, 0) / levels.length };
}
