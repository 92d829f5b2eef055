// The image operators of the equivariance metrics (NVlabs stylegan3 metrics/equivariance.py, "Alias-Free
// Generative Adversarial Networks" appendix E): integer translation (T_x, E.1), fractional translation with a
// Lanczos-3 kernel (E.2), rotation through an oriented band-limiting filter and bilinear resampling of the 4x
// upsampled image (R_alpha, E.3), and the pseudo-rotation that filters without rotating (R*_alpha). Pure
// TypeScript on [N, C, H, W] arrays, computed in float64. `fractionalRotation` evaluates the 4x upsampled image
// only where grid_sample reads it; `fractionalRotationRef` follows the official op for op (tests compare them).
import { InputError } from '../errors.js';
import { invert3x3 } from '../nets/stylegan3/transform.js';

/** A batch of images [N, C, H, W], row-major. */
export interface Images {
  data: ArrayLike<number>;
  n: number;
  c: number;
  h: number;
  w: number;
}

/** A transformed batch [N, C, H, W] and its validity mask [H, W] (the same for every image and channel). */
export interface Transformed {
  z: Float64Array;
  mask: Float64Array;
}

/** sinc(x) = sin(pi x) / (pi x), 1 at 0. */
export function sinc(x: number): number {
  const y = Math.abs(x * Math.PI);
  return y < 1e-30 ? 1 : Math.sin(y) / y;
}

/** The Lanczos window of `a` lobes: sinc(x / a) inside |x| < a, 0 outside. */
export function lanczosWindow(x: number, a: number): number {
  const t = Math.abs(x) / a;
  return t < 1 ? sinc(t) : 0;
}

/**
 * The official rotation_matrix(angle), row-major 3x3: [[cos, sin, 0], [-sin, cos, 0], [0, 0, 1]].
 * @example rotationMatrix(Math.PI / 2) // [0, 1, 0, -1, 0, 0, 0, 0, 1] (up to rounding)
 */
export function rotationMatrix(angle: number): Float64Array {
  const [c, s] = [Math.cos(angle), Math.sin(angle)];
  return Float64Array.of(c, s, 0, -s, c, 0, 0, 0, 1);
}

/** torch.round: halves to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * apply_integer_translation: shifts by (round(tx W), round(ty H)) pixels (content moves right/down for positive
 * t), zeros and mask 0 where nothing was shifted in.
 * @example const { z, mask } = integerTranslation(img, 0.125, 0);
 */
export function integerTranslation(x: Images, tx: number, ty: number): Transformed {
  const { n, c, h, w } = x;
  const ix = roundHalfEven(Math.fround(tx * w));
  const iy = roundHalfEven(Math.fround(ty * h));
  const z = new Float64Array(n * c * h * w);
  const mask = new Float64Array(h * w);
  if (Math.abs(ix) >= w || Math.abs(iy) >= h) return { z, mask };
  for (let y = Math.max(iy, 0); y < h + Math.min(iy, 0); y++)
    for (let xx = Math.max(ix, 0); xx < w + Math.min(ix, 0); xx++) {
      mask[y * w + xx] = 1;
      for (let p = 0; p < n * c; p++) z[(p * h + y) * w + xx] = x.data[(p * h + y - iy) * w + xx - ix]!;
    }
  return { z, mask };
}

/** The normalised Lanczos-a taps of a fractional shift f, for offsets -(a-1) .. a (the official filter_x). */
function shiftTaps(f: number, a: number): Float64Array {
  const taps = Float64Array.from({ length: 2 * a }, (_, m) => m - (a - 1) - f);
  const k = taps.map((t) => sinc(t) * sinc(t / a));
  const sum = k.reduce((s, v) => s + v, 0);
  return k.map((v) => v / sum);
}

/**
 * apply_fractional_translation: shift by (tx W, ty H) pixels with a separable Lanczos-a (a = 3) interpolation;
 * the mask excludes the a-pixel borders the kernel reads from outside the image.
 * @example const { z, mask } = fractionalTranslation(img, 0.071, -0.043);
 */
export function fractionalTranslation(x: Images, tx: number, ty: number, a = 3): Transformed {
  const { n, c, h, w } = x;
  const b = a - 1;
  const px = Math.fround(tx * w);
  const py = Math.fround(ty * h);
  const ix = Math.floor(px);
  const iy = Math.floor(py);
  const kx = shiftTaps(Math.fround(px - ix), a);
  const ky = shiftTaps(Math.fround(py - iy), a);
  const z = new Float64Array(n * c * h * w);
  const [zx0, zx1, zy0, zy1] = [Math.max(ix - b, 0), Math.min(ix + a, 0) + w, Math.max(iy - b, 0), Math.min(iy + a, 0) + h];
  // z[y][x] = sum_{j,k} ky[j] kx[k] x[y - iy + b - j][x - ix + b - k] (zero outside the image).
  const row = new Float64Array(w);
  for (let p = 0; p < n * c; p++)
    for (let y = zy0; y < zy1; y++) {
      row.fill(0);
      for (let j = 0; j < 2 * a; j++) {
        const sy = y - iy + b - j;
        if (sy < 0 || sy >= h) continue;
        for (let xx = zx0; xx < zx1; xx++) row[xx] += ky[j]! * horizontal(x.data, (p * h + sy) * w, w, xx - ix + b, kx);
      }
      for (let xx = zx0; xx < zx1; xx++) z[(p * h + y) * w + xx] = row[xx]!;
    }
  const mask = new Float64Array(h * w);
  const [mx0, mx1, my0, my1] = [Math.max(ix + a, 0), Math.min(ix - b, 0) + w, Math.max(iy + a, 0), Math.min(iy - b, 0) + h];
  for (let y = my0; y < my1; y++) for (let xx = mx0; xx < mx1; xx++) mask[y * w + xx] = 1;
  return { z, mask };
}

/** sum_k taps[k] * row[at - k] over the row's valid pixels. */
function horizontal(data: ArrayLike<number>, offset: number, w: number, at: number, taps: Float64Array): number {
  let s = 0;
  for (let k = 0; k < taps.length; k++) {
    const sx = at - k;
    if (sx >= 0 && sx < w) s += taps[k]! * data[offset + sx]!;
  }
  return s;
}

/** A square FIR filter [size, size], row-major. */
export interface Filter2d {
  data: Float64Array;
  size: number;
}

/**
 * construct_affine_bandlimit_filter: the windowed FIR filter that band-limits an image to the cut-offs before and
 * after the affine map `mat` (3x3 row-major; only its 2x2 part is used), for `up`x upsampling: the circular
 * convolution of two oriented sinc filters, times that of two oriented Lanczos windows, on the official
 * (2 aflt up - 1)^2 tap grid, cropped to amax, each polyphase component normalised. Size 2 amax up - 1.
 * The circular convolutions are computed directly and separably (the input-space factors are separable), only at
 * the taps kept; `fast = false` sums every tap pair (the reference; tests compare them on small grids).
 * @example const f = affineBandlimitFilter(rotationMatrix(0.3), { a: 3, amax: 6, up: 4 }); // 47x47
 */
export function affineBandlimitFilter(mat: ArrayLike<number>, o: { a?: number; amax?: number; aflt?: number; up?: number; cutoffIn?: number; cutoffOut?: number; fast?: boolean } = {}): Filter2d {
  const { a = 3, amax = 16, aflt = 64, up = 4, cutoffIn = 1, cutoffOut = 1, fast = true } = o;
  if (!(a <= amax && amax < aflt)) throw new InputError(`affineBandlimitFilter: expected a <= amax < aflt, got ${a}, ${amax}, ${aflt}`);
  const N = 2 * aflt * up - 1; // the tap grid, circular
  const M = aflt * up;
  const coord = (i: number) => (i < M ? i : i - N) / up; // the official rolled taps: index i at coordinate s(i) / up
  const [m00, m01, m10, m11] = [mat[0]!, mat[1]!, mat[3]!, mat[4]!];
  const K = amax * up - 1; // kept taps: coordinates -K .. K (in units of 1 / up)
  const size = 2 * K + 1;
  // Output space factors (oriented, not separable) and input space factors (separable) of filter and window.
  const outF = (ja: number, jb: number) => {
    const [xi, yi] = [coord(jb), coord(ja)];
    return sinc((xi * m00 + yi * m01) * cutoffOut) * sinc((xi * m10 + yi * m11) * cutoffOut);
  };
  const outW = (ja: number, jb: number) => {
    const [xi, yi] = [coord(jb), coord(ja)];
    return lanczosWindow(xi * m00 + yi * m01, a) * lanczosWindow(xi * m10 + yi * m11, a);
  };
  const inF = Float64Array.from({ length: N }, (_, i) => sinc(coord(i) * cutoffIn));
  const inW = Float64Array.from({ length: N }, (_, i) => lanczosWindow(coord(i), a));
  const conv = fast ? circularConvSeparable : circularConvDirect;
  const F = conv(inF, outF, N, K);
  const W = conv(inW, outW, N, K);
  const f = F.map((v, i) => v * W[i]!); // [size, size], coordinates -K .. K
  // Padded to 2 amax up (a zero last row and column), each of the up x up polyphase components sums to 1 / up^2.
  const sums = new Float64Array(up * up);
  for (let r = 0; r < size; r++) for (let q = 0; q < size; q++) sums[(r % up) * up + (q % up)] += f[r * size + q]!;
  return { data: f.map((v, i) => v / sums[(Math.floor(i / size) % up) * up + ((i % size) % up)]! / (up * up)), size };
}

/**
 * (inner (x) inner) circularly convolved with outer on the N x N grid, at coordinates -K .. K:
 * F[pa][pb] = sum_{qa, qb} inner[qa] inner[qb] outer[(pa - qa) mod N][(pb - qb) mod N], in two passes.
 */
function circularConvSeparable(inner: Float64Array, outer: (ja: number, jb: number) => number, N: number, K: number): Float64Array {
  const size = 2 * K + 1;
  const nz = [...inner.keys()].filter((i) => inner[i] !== 0); // the window's input factor has few non-zero taps
  // Indices (p - q) mod N for p in -K .. K and q in 0 .. N - 1 are read as ext[p - q + 2N], ext[i] = row[i mod N].
  const ext = new Float64Array(3 * N);
  // Pass 1: G[ja][pb] = sum_qb inner[qb] outer[ja][pb - qb] for every row ja and kept column pb.
  const G = new Float64Array(N * size);
  for (let ja = 0; ja < N; ja++) {
    for (let jb = 0; jb < N; jb++) ext[jb] = ext[jb + N] = ext[jb + 2 * N] = outer(ja, jb);
    for (let t = 0; t < size; t++) {
      const base = t - K + 2 * N;
      let s = 0;
      for (const qb of nz) s += inner[qb]! * ext[base - qb]!;
      G[ja * size + t] = s;
    }
  }
  // Pass 2: F[pa][pb] = sum_qa inner[qa] G[pa - qa][pb].
  const F = new Float64Array(size * size);
  for (let u = 0; u < size; u++)
    for (const qa of nz) {
      const g = ((((u - K - qa) % N) + N) % N) * size;
      for (let t = 0; t < size; t++) F[u * size + t] += inner[qa]! * G[g + t]!;
    }
  return F;
}

/** The same circular convolution summed over every tap pair (the reference). */
function circularConvDirect(inner: Float64Array, outer: (ja: number, jb: number) => number, N: number, K: number): Float64Array {
  const size = 2 * K + 1;
  const mod = (i: number) => ((i % N) + N) % N;
  const F = new Float64Array(size * size);
  for (let u = 0; u < size; u++)
    for (let t = 0; t < size; t++) {
      let s = 0;
      for (let qa = 0; qa < N; qa++) for (let qb = 0; qb < N; qb++) s += inner[qa]! * inner[qb]! * outer(mod(u - K - qa), mod(t - K - qb));
      F[u * size + t] = s;
    }
  return F;
}

/** upfirdn2d geometry of upsample2d(x, f, up, padding=p) for a square filter of `size` taps. */
function upsampleGeometry(h: number, w: number, size: number, up: number) {
  const p = (size - 1) / 2;
  const [pad0, pad1] = [p + Math.floor((size + up - 1) / 2), p + Math.floor((size - up) / 2)];
  return { p, pad0, hy: h * up + pad0 + pad1 - size + 1, wy: w * up + pad0 + pad1 - size + 1 };
}

/**
 * Pixel (r, c) of upsample2d(x, f, up, padding=p) on every plane (image and channel) into `out` [planes]: zero
 * insertion, padding, true convolution with f (flipped for conv2d's correlation), gain up^2. Only every up-th
 * tap meets a pixel.
 */
function upsampledPixel(x: Images, f: Filter2d, up: number, pad0: number, r: number, c: number, out: Float64Array): void {
  const { h, w } = x;
  const S = f.size;
  const planes = out.length;
  out.fill(0);
  // Tap a meets input row k where r + S - 1 - a - pad0 = k up (columns alike).
  const ra = r + S - 1 - pad0;
  const ca = c + S - 1 - pad0;
  const [l0, l1] = [Math.max(0, Math.ceil((ca - S + 1) / up)), Math.min(w - 1, Math.floor(ca / up))];
  for (let k = Math.max(0, Math.ceil((ra - S + 1) / up)); k <= Math.min(h - 1, Math.floor(ra / up)); k++) {
    const frow = (ra - k * up) * S + ca;
    for (let l = l0; l <= l1; l++) {
      const tap = f.data[frow - l * up]! * up * up;
      for (let q = 0; q < planes; q++) out[q] += tap * x.data[(q * h + k) * w + l]!;
    }
  }
}

/** theta of apply_affine_transformation: inverse(mat) with its translation doubled, shifted half an upsampled pixel, scaled to the padded image. */
function samplingTheta(mat: ArrayLike<number>, h: number, w: number, p: number, up: number): number[] {
  const t = Array.from(invert3x3(mat));
  t[2] = t[2]! * 2 + 1 / up / w;
  t[5] = t[5]! * 2 + 1 / up / h;
  const [sx, sy] = [w / (w + (p / up) * 2), h / (h + (p / up) * 2)];
  return [t[0]! * sx, t[1]! * sx, t[2]! * sx, t[3]! * sy, t[4]! * sy, t[5]! * sy];
}

/**
 * apply_affine_transformation: upsample 4x through the band-limiting filter `f`, then grid_sample (bilinear, zeros,
 * align_corners=False) on affine_grid(theta); the mask is the upsampled image's interior (2p + 1 pixels in from
 * each edge) sampled with nearest. `dense` computes the whole upsampled image first (the official order).
 */
function affineTransformation(x: Images, mat: ArrayLike<number>, f: Filter2d, up: number, dense: boolean): Transformed {
  const { n, c, h, w } = x;
  const planes = n * c;
  const { p, pad0, hy, wy } = upsampleGeometry(h, w, f.size, up);
  const th = samplingTheta(mat, h, w, p, up);
  const px = new Float64Array(planes);
  const Y = dense ? new Float64Array(hy * wy * planes) : null; // [hy, wy, planes]
  if (Y)
    for (let r = 0; r < hy; r++)
      for (let cc = 0; cc < wy; cc++) {
        upsampledPixel(x, f, up, pad0, r, cc, px);
        Y.set(px, (r * wy + cc) * planes);
      }
  /** The upsampled pixel (r, cc) of every plane: from the dense image, or computed where sampling reads it. */
  const at = (r: number, cc: number): Float64Array => {
    if (Y) return Y.subarray((r * wy + cc) * planes, (r * wy + cc + 1) * planes);
    upsampledPixel(x, f, up, pad0, r, cc, px);
    return px;
  };
  const z = new Float64Array(planes * h * w);
  const mask = new Float64Array(h * w);
  const edge = 2 * p + 1;
  for (let i = 0; i < h; i++)
    for (let j = 0; j < w; j++) {
      const [gx0, gy0] = [(2 * j + 1) / w - 1, (2 * i + 1) / h - 1]; // affine_grid's base grid
      const gx = th[0]! * gx0 + th[1]! * gy0 + th[2]!;
      const gy = th[3]! * gx0 + th[4]! * gy0 + th[5]!;
      const fx = ((gx + 1) * wy - 1) / 2; // grid_sample's unnormalisation (align_corners=False)
      const fy = ((gy + 1) * hy - 1) / 2;
      const [nx, ny] = [roundHalfEven(fx), roundHalfEven(fy)];
      if (nx >= edge && nx < wy - edge && ny >= edge && ny < hy - edge) mask[i * w + j] = 1;
      const [x0, y0] = [Math.floor(fx), Math.floor(fy)];
      const [ax, ay] = [fx - x0, fy - y0];
      const corners: [number, number, number][] = [
        [y0, x0, (1 - ax) * (1 - ay)],
        [y0, x0 + 1, ax * (1 - ay)],
        [y0 + 1, x0, (1 - ax) * ay],
        [y0 + 1, x0 + 1, ax * ay],
      ];
      for (const [r, cc, wt] of corners) {
        if (r < 0 || r >= hy || cc < 0 || cc >= wy || wt === 0) continue;
        const v = at(r, cc);
        for (let q = 0; q < planes; q++) z[(q * h + i) * w + j] += wt * v[q]!;
      }
    }
  return { z, mask };
}

/**
 * apply_fractional_rotation: rotation by `angle` radians (rotation_matrix(angle)) through the band-limiting filter
 * (a = 3, amax = 2a, 4x upsampling). The upsampled image is evaluated only at the pixels bilinear sampling reads.
 * @example const { z, mask } = fractionalRotation(img, 0.3);
 */
export function fractionalRotation(x: Images, angle: number, a = 3): Transformed {
  const mat = rotationMatrix(angle);
  return affineTransformation(x, mat, affineBandlimitFilter(mat, { a, amax: 2 * a, up: 4 }), 4, false);
}

/** fractionalRotation computed as the official op: the whole 4x upsampled image, then sampling (the reference). */
export function fractionalRotationRef(x: Images, angle: number, a = 3): Transformed {
  const mat = rotationMatrix(angle);
  return affineTransformation(x, mat, affineBandlimitFilter(mat, { a, amax: 2 * a, up: 4 }), 4, true);
}

/**
 * apply_fractional_pseudo_rotation: the band-limiting of a rotation by `angle` without rotating: filter2d with
 * the up = 1 filter of rotation_matrix(-angle) (11x11 for a = 3); the mask drops a filter radius at each edge.
 * @example const { z, mask } = fractionalPseudoRotation(img, 0.3);
 */
export function fractionalPseudoRotation(x: Images, angle: number, a = 3): Transformed {
  const f = affineBandlimitFilter(rotationMatrix(-angle), { a, amax: 2 * a, up: 1 });
  const { n, c, h, w } = x;
  const S = f.size;
  const k = Math.floor(S / 2);
  const z = new Float64Array(n * c * h * w);
  // y[r][c] = sum_{a,b} f[a][b] x[r + k - a][c + k - b] (zeros outside).
  for (let q = 0; q < n * c; q++)
    for (let r = 0; r < h; r++)
      for (let cc = 0; cc < w; cc++) {
        let s = 0;
        for (let ta = Math.max(0, r + k - h + 1); ta < Math.min(S, r + k + 1); ta++)
          for (let tb = Math.max(0, cc + k - w + 1); tb < Math.min(S, cc + k + 1); tb++) s += f.data[ta * S + tb]! * x.data[(q * h + r + k - ta) * w + cc + k - tb]!;
        z[(q * h + r) * w + cc] = s;
      }
  const mask = new Float64Array(h * w);
  for (let r = k; r < h - k; r++) for (let cc = k; cc < w - k; cc++) mask[r * w + cc] = 1;
  return { z, mask };
}
