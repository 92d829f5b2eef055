// Latent interpolation videos as NVlabs stylegan3 gen_video.py (`gen_interp_video`): the seeds are laid out
// as [gridH, gridW, numKeyframes], mapped to ws with truncation, and each grid cell follows a cubic spline
// through its keyframes in W (scipy `interp1d(kind='cubic')` over the keyframes tiled 2 * wraps + 1 times,
// so that the loop closes smoothly), sampled w_frames times per keyframe.
import { InputError } from '../errors.js';
import { DEFAULT_PSI } from '../nets/truncation.js';
import { RandomState, zFromSeed } from '../random/numpy-random.js';
import { toUint8Image } from './generate.js';
import type { Generator } from './generator.js';

/**
 * scipy's `interp1d(x, y, kind='cubic', axis=0)` for the knots x = x0, x0 + 1, ..., x0 + n - 1: the not-a-knot
 * cubic spline through the points (third derivative continuous at the second and the last but one knot).
 * Vector-valued: y is [n, dim]; every column is interpolated on its own, in float64.
 * @example new CubicSpline(Float64Array.of(0, 1, 8, 27), 4, 1).at(1.5) // [3.375]: a cubic is reproduced
 */
export class CubicSpline {
  /** Second derivatives at the knots [n, dim]. */
  private readonly m: Float64Array;

  constructor(
    readonly y: ArrayLike<number>, // Values at the knots: [n, dim]
    readonly n: number, // Number of knots, at least 4 (as scipy)
    readonly dim: number, // Values per knot
    readonly x0 = 0, // Abscissa of the first knot; knots are spaced by 1
  ) {
    if (!Number.isInteger(n) || n < 4) throw new InputError(`a cubic spline needs at least 4 knots, got ${n}`);
    if (y.length !== n * dim) throw new InputError(`CubicSpline: expected ${n * dim} values ([${n}, ${dim}]), got ${y.length}`);
    this.m = notAKnotSecondDerivatives(y, n, dim);
  }

  /** The last knot's abscissa. */
  get x1(): number {
    return this.x0 + this.n - 1;
  }

  /**
   * The spline's value at x (within the knots, as interp1d's default bounds_error) into `out` [dim].
   * @example spline.at(2.25, new Float64Array(spline.dim));
   */
  at(x: number, out: Float64Array | Float32Array = new Float64Array(this.dim)): Float64Array | Float32Array {
    if (!(x >= this.x0 && x <= this.x1)) throw new InputError(`x = ${x} is outside the spline's knots [${this.x0}, ${this.x1}]`);
    const { y, m, dim } = this;
    // Interval [x_i, x_i+1] holding x, with u = x - x_i and v = 1 - u (unit spacing).
    const i = Math.min(Math.floor(x - this.x0), this.n - 2);
    const u = x - this.x0 - i;
    const v = 1 - u;
    const a = i * dim;
    const b = a + dim;
    for (let d = 0; d < dim; d++) {
      const mi = m[a + d]!;
      const mj = m[b + d]!;
      out[d] = (mi * v * v * v + mj * u * u * u) / 6 + (y[a + d]! - mi / 6) * v + (y[b + d]! - mj / 6) * u;
    }
    return out;
  }
}

/**
 * Second derivatives M [n, dim] of the not-a-knot spline on unit-spaced knots. The interior conditions are
 * M[i-1] + 4 M[i] + M[i+1] = 6 d[i] with d[i] = y[i-1] - 2 y[i] + y[i+1]; not-a-knot adds M[0] - 2 M[1] + M[2] = 0
 * (and its mirror), which turns the first and last interior rows into M[1] = d[1] and M[n-2] = d[n-2]. The
 * rows 2..n-3 left are a tridiagonal system, solved by the Thomas algorithm for all columns at once.
 */
function notAKnotSecondDerivatives(y: ArrayLike<number>, n: number, dim: number): Float64Array {
  const m = new Float64Array(n * dim);
  const d = (i: number, c: number) => y[(i - 1) * dim + c]! - 2 * y[i * dim + c]! + y[(i + 1) * dim + c]!;
  for (let c = 0; c < dim; c++) {
    m[dim + c] = d(1, c);
    m[(n - 2) * dim + c] = d(n - 2, c);
  }
  // Forward sweep over rows 2..n-3 (diagonal 4, off-diagonals 1); the known M[1], M[n-2] move to the right.
  const first = 2;
  const last = n - 3;
  const cp = new Float64Array(n); // Modified super-diagonal c'[i]
  for (let i = first; i <= last; i++) {
    const denom = 4 - (i > first ? cp[i - 1]! : 0);
    cp[i] = 1 / denom;
    for (let c = 0; c < dim; c++) {
      let rhs = 6 * d(i, c);
      if (i === first) rhs -= m[dim + c]!;
      else rhs -= m[(i - 1) * dim + c]!;
      if (i === last) rhs -= m[(n - 2) * dim + c]!;
      m[i * dim + c] = rhs / denom;
    }
  }
  // Back substitution.
  for (let i = last - 1; i >= first; i--) {
    for (let c = 0; c < dim; c++) m[i * dim + c]! -= cp[i]! * m[(i + 1) * dim + c]!;
  }
  // The end knots from not-a-knot: M[0] = 2 M[1] - M[2], M[n-1] = 2 M[n-2] - M[n-3].
  for (let c = 0; c < dim; c++) {
    m[c] = 2 * m[dim + c]! - m[2 * dim + c]!;
    m[(n - 1) * dim + c] = 2 * m[(n - 2) * dim + c]! - m[(n - 3) * dim + c]!;
  }
  return m;
}

/**
 * gen_video.py's looping interpolation of one grid cell: keyframes [numKeyframes, dim] tiled 2 * wraps + 1
 * times on the knots x = -numKeyframes * wraps, ..., numKeyframes * (wraps + 1) - 1. Sample it at
 * t in [0, numKeyframes); t = k is keyframe k, and t = numKeyframes comes back to keyframe 0.
 * @example const spline = loopSpline(ws, 4, numWs * wDim); spline.at(frameIdx / wFrames);
 */
export function loopSpline(keyframes: ArrayLike<number>, numKeyframes: number, dim: number, wraps = 2): CubicSpline {
  if (keyframes.length !== numKeyframes * dim) throw new InputError(`loopSpline: expected ${numKeyframes * dim} values ([${numKeyframes}, ${dim}]), got ${keyframes.length}`);
  const tiles = 2 * wraps + 1;
  const y = new Float64Array(tiles * numKeyframes * dim); // np.tile(ws, [tiles, 1, 1]): [tiles * numKeyframes, dim]
  for (let r = 0; r < tiles; r++) {
    for (let i = 0; i < keyframes.length; i++) y[r * keyframes.length + i] = keyframes[i]!;
  }
  return new CubicSpline(y, tiles * numKeyframes, dim, -numKeyframes * wraps);
}

/**
 * NumPy's legacy `RandomState(seed).shuffle(x)` of a 1-D array, in place: Fisher-Yates from the end with
 * `random_interval` (masked 32-bit draws, rejected above the bound).
 * @example shuffleLegacy([0, 1, 2, 3], 1)
 */
export function shuffleLegacy<T>(x: T[], seed: number): T[] {
  const rs = new RandomState(seed);
  for (let i = x.length - 1; i >= 1; i--) {
    let mask = i;
    for (const s of [1, 2, 4, 8, 16]) mask |= mask >>> s;
    let j: number;
    do {
      j = (rs.nextUint32() & mask) >>> 0;
    } while (j > i);
    [x[i], x[j]] = [x[j]!, x[i]!];
  }
  return x;
}

/** Grid and keyframes of a video, as gen_video.py's options. */
export interface InterpVideoOptions {
  /** Seeds, cycled to fill gridW * gridH * numKeyframes. */
  seeds: readonly number[];
  /** Grid width and height in cells (default 1 x 1). */
  gridW?: number;
  gridH?: number;
  /** Keyframes per cell (default: seeds.length / (gridW * gridH), which must then be a whole number). */
  numKeyframes?: number;
  /** Shuffles the seed layout with NumPy's legacy RandomState(shuffleSeed).shuffle. */
  shuffleSeed?: number;
  /** Frames per keyframe (default 120, as gen_video.py's --w-frames). */
  wFrames?: number;
  /** Truncation psi (default DEFAULT_PSI, 1). */
  psi?: number;
  /** The label of a conditional network ([cDim] one-hot); gen_video.py itself passes c = None. */
  c?: Float32Array | null;
}

/** The checked layout of a video: every cell's keyframe seeds, in gen_video.py's order. */
export interface InterpVideoLayout {
  gridW: number;
  gridH: number;
  numKeyframes: number;
  wFrames: number;
  /** all_seeds reshaped to [gridH, gridW, numKeyframes], flattened. */
  seeds: number[];
  /** numKeyframes * wFrames. */
  numFrames: number;
}

/**
 * gen_video.py's seed layout and its errors (seeds not filling the grid, empty lists, sizes below 1).
 * @example interpVideoLayout({ seeds: [0, 1, 2, 3], gridW: 2, gridH: 1 }) // 2 keyframes per cell
 */
export function interpVideoLayout(o: InterpVideoOptions): InterpVideoLayout {
  const gridW = o.gridW ?? 1;
  const gridH = o.gridH ?? 1;
  const wFrames = o.wFrames ?? 120;
  for (const [v, what] of [[gridW, 'grid width'], [gridH, 'grid height'], [wFrames, 'w_frames']] as const) {
    if (!Number.isSafeInteger(v) || v < 1) throw new InputError(`the ${what} must be a positive integer, got ${v}`);
  }
  if (o.seeds.length === 0) throw new InputError('no seeds given');
  const cells = gridW * gridH;
  let numKeyframes = o.numKeyframes;
  if (numKeyframes === undefined) {
    if (o.seeds.length % cells !== 0) {
      throw new InputError(`the number of seeds (${o.seeds.length}) must be divisible by the grid size ${gridW}x${gridH} = ${cells}, or give the number of keyframes`);
    }
    numKeyframes = o.seeds.length / cells;
  }
  if (!Number.isSafeInteger(numKeyframes) || numKeyframes < 1) throw new InputError(`the number of keyframes must be a positive integer, got ${numKeyframes}`);
  const seeds = Array.from({ length: numKeyframes * cells }, (_, i) => o.seeds[i % o.seeds.length]!);
  if (o.shuffleSeed !== undefined) shuffleLegacy(seeds, o.shuffleSeed);
  return { gridW, gridH, numKeyframes, wFrames, seeds, numFrames: numKeyframes * wFrames };
}

/**
 * Lays out a batch of images [N, C, R, R] in [-1, 1] from image `first` on as one uint8 HWC grid of
 * gridH rows and gridW columns, converted as gen_video.py's layout_grid ((x * 127.5 + 128).clamp(0, 255)).
 * @example const frame = layoutGrid(imgs, 0, 2, 2, 3, 32); // [64, 64, 3]
 */
export function layoutGrid(img: Float32Array, first: number, gridW: number, gridH: number, channels: number, res: number): Uint8Array {
  const width = gridW * res;
  const out = new Uint8Array(gridH * res * width * channels); // [gridH * R, gridW * R, C]
  for (let gy = 0; gy < gridH; gy++) {
    for (let gx = 0; gx < gridW; gx++) {
      const cell = toUint8Image(img, channels, res, res, first + gy * gridW + gx); // [R, R, C]
      for (let row = 0; row < res; row++) {
        out.set(cell.subarray(row * res * channels, (row + 1) * res * channels), ((gy * res + row) * width + gx * res) * channels);
      }
    }
  }
  return out;
}

/**
 * A latent interpolation video of a generator, as gen_video.py renders it: call `frames()` and consume the
 * uint8 HWC frames in order. Works with any `Generator` (StyleGAN2, StyleGAN3).
 * @example
 * const video = await InterpVideo.create(G, { seeds: [0, 1, 2, 3], gridW: 2, wFrames: 60 });
 * for await (const frame of video.frames({ batch: 4 })) encoder.write(frame);
 */
export class InterpVideo {
  /** Frame size in pixels and channels. */
  readonly width: number;
  readonly height: number;
  readonly channels: number;

  private constructor(
    private readonly G: Generator,
    readonly layout: InterpVideoLayout,
    private readonly splines: CubicSpline[], // One per grid cell, row-major
  ) {
    this.width = layout.gridW * G.imgResolution;
    this.height = layout.gridH * G.imgResolution;
    this.channels = G.imgChannels;
  }

  /**
   * Checks the layout, maps every keyframe seed to ws (z = RandomState(seed).randn(z_dim), truncated) and fits the splines.
   * @example const video = await InterpVideo.create(G, { seeds: [0, 1, 2], psi: 0.7 }); // 360 frames
   */
  static async create(G: Generator, o: InterpVideoOptions): Promise<InterpVideo> {
    const layout = interpVideoLayout(o);
    const { numKeyframes } = layout;
    const dim = G.numWs * G.wDim;
    // Map each distinct seed once (a batch of all of them), then gather ws [cells * numKeyframes, numWs, wDim].
    const distinct = [...new Set(layout.seeds)];
    const z = new Float64Array(distinct.length * G.zDim); // [seeds, zDim]
    distinct.forEach((seed, i) => z.set(zFromSeed(seed, G.zDim), i * G.zDim));
    const c = G.cDim > 0 ? tileLabel(o.c ?? null, G.cDim, distinct.length) : null;
    const mapped = await G.mapping(z, c, { psi: o.psi ?? DEFAULT_PSI }); // [seeds, numWs, wDim]
    const row = new Map(distinct.map((seed, i) => [seed, i]));
    const splines: CubicSpline[] = [];
    for (let cell = 0; cell < layout.gridW * layout.gridH; cell++) {
      const ws = new Float32Array(numKeyframes * dim); // [numKeyframes, numWs * wDim]
      for (let k = 0; k < numKeyframes; k++) {
        const r = row.get(layout.seeds[cell * numKeyframes + k]!)!;
        ws.set(mapped.subarray(r * dim, (r + 1) * dim), k * dim);
      }
      splines.push(loopSpline(ws, numKeyframes, dim));
    }
    return new InterpVideo(G, layout, splines);
  }

  /** Number of frames (numKeyframes * wFrames). */
  get numFrames(): number {
    return this.layout.numFrames;
  }

  /**
   * The ws of frame `frameIdx` for every cell, at t = frameIdx / wFrames, rounded to float32 as the official
   * synthesis does (`ws.to(torch.float32)`): [cells, numWs, wDim].
   * @example const ws = video.wsAt(0); // the first keyframe of every cell
   */
  wsAt(frameIdx: number, out = new Float32Array(this.splines.length * this.G.numWs * this.G.wDim)): Float32Array {
    const t = frameIdx / this.layout.wFrames;
    const dim = this.G.numWs * this.G.wDim;
    const w = new Float64Array(dim);
    this.splines.forEach((s, cell) => out.set(s.at(t, w), cell * dim));
    return out;
  }

  /**
   * The frames in order, uint8 HWC [height, width, channels], with noise mode 'const' as gen_video.py.
   * `batch` frames go through the synthesis program per call (the last call is padded, so one program serves all).
   * @example for await (const frame of video.frames({ batch: 8 })) write(frame);
   */
  async *frames(o: { batch?: number; start?: number; end?: number } = {}): AsyncGenerator<Uint8Array> {
    const { gridW, gridH } = this.layout;
    const batch = o.batch ?? 1;
    const start = o.start ?? 0;
    const end = o.end ?? this.numFrames;
    if (!Number.isSafeInteger(batch) || batch < 1) throw new InputError(`the frame batch must be a positive integer, got ${batch}`);
    if (!(Number.isSafeInteger(start) && Number.isSafeInteger(end) && start >= 0 && start <= end && end <= this.numFrames)) {
      throw new InputError(`frames ${start}-${end} are outside the video's 0-${this.numFrames}`);
    }
    const cells = gridW * gridH;
    const per = cells * this.G.numWs * this.G.wDim;
    const ws = new Float32Array(batch * per); // [batch * cells, numWs, wDim]
    for (let f0 = start; f0 < end; f0 += batch) {
      const count = Math.min(batch, end - f0);
      // Pad the last batch with its last frame (computed, not shown).
      for (let b = 0; b < batch; b++) this.wsAt(f0 + Math.min(b, count - 1), ws.subarray(b * per, (b + 1) * per));
      const img = await this.G.synthesis(ws, { noiseMode: 'const' }); // [batch * cells, C, R, R]
      for (let b = 0; b < count; b++) yield layoutGrid(img, b * cells, gridW, gridH, this.channels, this.G.imgResolution);
    }
  }
}

/** A label [cDim] repeated for a batch, as conditional networks need. */
function tileLabel(c: Float32Array | null, cDim: number, batch: number): Float32Array {
  if (!c) throw new InputError(`the network is conditional (${cDim} classes): give a class label`);
  if (c.length !== cDim) throw new InputError(`expected a label of ${cDim} values, got ${c.length}`);
  const out = new Float32Array(batch * cDim);
  for (let n = 0; n < batch; n++) out.set(c, n * cDim);
  return out;
}
