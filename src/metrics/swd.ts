// Sliced Wasserstein distance between two image sets over Laplacian pyramid patches (Karras et al. 2018,
// "Progressive Growing of GANs", section 5; progressive_growing_of_gans metrics/sliced_wasserstein.py):
// 128 random 7x7 patches per image and level, levels from full size down to 16x16, each patch set normalised
// per channel, then 4 repeats x 128 random unit directions: the mean gap between the sorted projections, x 1e3.
// Random draws come from one legacy NumPy RandomState(seed) in this order: patch centres of every level of the
// real set (x then y), the same for the fake set, then the directions of each level (randn(D, 128) per repeat).
import * as E from '../engine/index.js';
import type { Engine } from '../engine/runtime.js';
import { InputError } from '../errors.js';
import { RandomState } from '../random/numpy-random.js';
import { randint } from '../random/randint.js';
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

/**
 * Projections of descriptors [M, D] on directions [K, D], direction-major [K, M] (fast path: four directions per
 * pass over a descriptor, float32 results).
 * @example const proj = projectDescriptors(desc, M, D, dirs, K); // [K, M]
 */
export function projectDescriptors(desc: Float32Array, M: number, D: number, dirs: Float32Array, K: number): Float32Array {
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
  return out;
}

/**
 * Sorts float32 values ascending in place: LSD radix sort on order-preserving 32-bit keys, 3 passes of 11 bits
 * (several times faster than Float32Array.prototype.sort on the ~10^5 values of a projection).
 * @example radixSortFloat32(Float32Array.of(2, -1, 0.5)) // [-1, 0.5, 2]
 */
export function radixSortFloat32(values: Float32Array, scratch = new Uint32Array(values.length)): Float32Array {
  const n = values.length;
  const keys = new Uint32Array(values.buffer, values.byteOffset, n);
  // Order-preserving keys: flip every bit of negatives, the sign bit of positives.
  for (let i = 0; i < n; i++) {
    const u = keys[i]!;
    keys[i] = u & 0x80000000 ? ~u : u | 0x80000000;
  }
  const counts = new Uint32Array(2048);
  let src: Uint32Array = keys;
  let dst: Uint32Array = scratch;
  for (let shift = 0; shift < 32; shift += 11) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(src[i]! >>> shift) & 2047]!++;
    let sum = 0;
    for (let b = 0; b < 2048; b++) {
      const c = counts[b]!;
      counts[b] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const k = src[i]!;
      dst[counts[(k >>> shift) & 2047]!++] = k;
    }
    [src, dst] = [dst, src];
  }
  // Three passes leave the result in scratch: copy back and undo the key mapping.
  for (let i = 0; i < n; i++) {
    const k = src[i]!;
    keys[i] = k & 0x80000000 ? k & 0x7fffffff : ~k;
  }
  return values;
}

/** Sorted projections of both sets on one repeat's directions, then their mean gap: the repeat's SWD. */
function repeatDistance(projA: Float32Array, projB: Float32Array, M: number, K: number): number {
  const scratch = new Uint32Array(M);
  let sum = 0;
  for (let k = 0; k < K; k++) {
    const a = radixSortFloat32(projA.subarray(k * M, (k + 1) * M), scratch);
    const b = radixSortFloat32(projB.subarray(k * M, (k + 1) * M), scratch);
    for (let m = 0; m < M; m++) sum += Math.abs(a[m]! - b[m]!);
  }
  return sum / (M * K);
}

/** The literal path: float64 dot products, comparison sort, mean gap. */
function repeatDistanceReference(descA: Float32Array, descB: Float32Array, M: number, D: number, dirs: Float32Array, K: number): number {
  let sum = 0;
  for (let k = 0; k < K; k++) {
    const [a, b] = [descA, descB].map((desc) => {
      const col = new Float64Array(M);
      for (let m = 0; m < M; m++) {
        let s = 0;
        for (let d = 0; d < D; d++) s += desc[m * D + d]! * dirs[k * D + d]!;
        col[m] = s;
      }
      return col.sort();
    });
    for (let m = 0; m < M; m++) sum += Math.abs(a![m]! - b![m]!);
  }
  return sum / (M * K);
}

/** One pyramid level's work: normalised descriptors of both sets [M, D] and each repeat's directions [K, D]. */
export interface SwdLevel {
  resolution: number;
  real: Float32Array;
  fake: Float32Array;
  dirs: Float32Array[];
  M: number;
  D: number;
  K: number;
}

/** uint8 NCHW images as float planes [N * C, R, R]. */
function toPlanes(u8: Uint8Array, count: number, channels: number, R: number, what: string): Planes {
  if (u8.length !== count * channels * R * R) throw new InputError(`SWD: ${what} images hold ${u8.length} values, expected ${count}x${channels}x${R}x${R}`);
  return { data: Float32Array.from(u8), count: count * channels, size: R };
}

/**
 * The levels of an SWD computation, finest first, with every random draw made in the documented order.
 * @example for (const level of swdLevels(real, fake, o)) ...
 */
export function* swdLevels(real: Uint8Array, fake: Uint8Array, o: SwdOptions): Generator<SwdLevel> {
  const { count: N, channels: C, resolution: R } = o;
  const { nhoodSize, nhoodsPerImage, dirRepeats, dirsPerRepeat: K, minResolution } = SWD_DEFAULTS;
  if (!Number.isInteger(N) || N < 1) throw new InputError(`SWD: count must be a positive integer, got ${N}`);
  if (C !== 1 && C !== 3) throw new InputError(`SWD: images must have 1 or 3 channels, got ${C}`);
  if (!Number.isInteger(R) || R < minResolution || (R & (R - 1)) !== 0) throw new InputError(`SWD: resolution must be a power of two of at least ${minResolution}, got ${R}`);
  const resolutions: number[] = [];
  for (let r = R; r >= minResolution; r /= 2) resolutions.push(r);
  const pyramids = [toPlanes(real, N, C, R, 'real'), toPlanes(fake, N, C, R, 'fake')].map((x) => laplacianPyramid(x, resolutions.length, !!o.reference));
  const rs = new RandomState(o.seed ?? 0);
  const M = N * nhoodsPerImage;
  const centres = pyramids.map((p) => p.map((level) => drawCentres(rs, M, level.size, nhoodSize >> 1)));
  const D = C * nhoodSize * nhoodSize;
  for (const [l, resolution] of resolutions.entries()) {
    const [a, b] = [0, 1].map((s) => descriptors(pyramids[s]![l]!, C, nhoodsPerImage, centres[s]![l]!, nhoodSize));
    const dirs = Array.from({ length: dirRepeats }, () => drawDirections(rs, D, K));
    yield { resolution, real: a!, fake: b!, dirs, M, D, K };
  }
}

/** SWD x 1e3 per level and the mean, from per-level distances (already averaged over repeats). */
function result(levels: { resolution: number; swd: number }[]): SwdResult {
  return { levels, mean: levels.reduce((s, l) => s + l.swd, 0) / levels.length };
}

/**
 * SWD x 1e3 between real and fake uint8 image sets [N, C, R, R] (NCHW), per Laplacian level and averaged.
 * Plain JavaScript; slicedWassersteinDistanceOnEngine is the same with the projections on ONNX Runtime.
 * @example
 * const { levels, mean } = slicedWassersteinDistance(real, fake, { count: 256, channels: 3, resolution: 64 });
 * // levels: [{ resolution: 64, swd }, { resolution: 32, swd }, { resolution: 16, swd }]
 */
export function slicedWassersteinDistance(real: Uint8Array, fake: Uint8Array, o: SwdOptions): SwdResult {
  const levels: { resolution: number; swd: number }[] = [];
  for (const L of swdLevels(real, fake, o)) {
    let total = 0;
    for (const dirs of L.dirs) {
      total += o.reference
        ? repeatDistanceReference(L.real, L.fake, L.M, L.D, dirs, L.K)
        : repeatDistance(projectDescriptors(L.real, L.M, L.D, dirs, L.K), projectDescriptors(L.fake, L.M, L.D, dirs, L.K), L.M, L.K);
    }
    levels.push({ resolution: L.resolution, swd: (total / L.dirs.length) * 1e3 });
  }
  return result(levels);
}

/**
 * SWD with the projections (the bulk of the work) as one ONNX Runtime MatMul per set and level; the program is
 * cached on the engine (released by engine.dispose()).
 * @example const swd = await slicedWassersteinDistanceOnEngine(real, fake, { count: 1000, channels: 3, resolution: 64 }, engine);
 */
export async function slicedWassersteinDistanceOnEngine(real: Uint8Array, fake: Uint8Array, o: SwdOptions, engine: Engine): Promise<SwdResult> {
  const levels: { resolution: number; swd: number }[] = [];
  for (const L of swdLevels(real, fake, o)) {
    const R = L.dirs.length;
    const KD = new Float32Array(R * L.K * L.D); // [R * K, D]: every repeat's directions at once
    L.dirs.forEach((d, r) => KD.set(d, r * L.K * L.D));
    const program = await engine.cached(`swd-projection:${L.M}x${L.D}:${R * L.K}`, () => {
      const desc = E.input('desc', [L.M, L.D]);
      const dirs = E.input('dirs', [R * L.K, L.D]);
      return { proj: E.matmul(dirs, E.transposeLast(desc)) }; // [R * K, M]
    });
    const [a, b] = await Promise.all([L.real, L.fake].map(async (desc) => (await program.run({ desc, dirs: KD })).proj!.data));
    let total = 0;
    for (let r = 0; r < R; r++) total += repeatDistance(a!.subarray(r * L.K * L.M, (r + 1) * L.K * L.M), b!.subarray(r * L.K * L.M, (r + 1) * L.K * L.M), L.M, L.K);
    levels.push({ resolution: L.resolution, swd: (total / R) * 1e3 });
  }
  return result(levels);
}
