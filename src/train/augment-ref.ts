// Plain TypeScript reference of the ADA pipeline (float64 loops, no engine), written from the official
// training/augment.py step by step, including its data-dependent padding margin. Tests compare the graph
// (augment.ts, which pads by the largest margin so that shapes are static) against it.
import { InputError } from '../errors.js';
import { imgfilterBank, WAVELETS, type AugmentSpec } from './augment-spec.js';

type Mat = number[][];
type Draws = Record<string, ArrayLike<number>>;

const eye = (k: number): Mat => Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => (i === j ? 1 : 0)));
const mm = (a: Mat, b: Mat): Mat => a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
const translate2d = (tx: number, ty: number): Mat => [[1, 0, tx], [0, 1, ty], [0, 0, 1]];
const scale2d = (sx: number, sy: number): Mat => [[sx, 0, 0], [0, sy, 0], [0, 0, 1]];
const rotate2d = (t: number): Mat => [[Math.cos(t), -Math.sin(t), 0], [Math.sin(t), Math.cos(t), 0], [0, 0, 1]];

/** Reads one draw, naming the missing one. */
function draw(d: Draws, name: string, i: number): number {
  const v = d[`aug_${name}`];
  if (!v || i >= v.length) throw new InputError(`augmentReference: missing draw 'aug_${name}'[${i}]`);
  return v[i]!;
}

/**
 * One axis of upfirdn2d on a line: zero insertion by `up`, pad (negative crops), FIR filter (a true convolution
 * unless `flip`), keep every `down`-th sample.
 */
function upfirdn1d(x: Float64Array, f: readonly number[], up: number, down: number, p0: number, p1: number, flip: boolean, gain: number): Float64Array {
  const len = x.length * up + p0 + p1;
  const at = (k: number) => {
    const u = k - p0; // index into the zero-inserted line
    return u >= 0 && u < x.length * up && u % up === 0 ? x[u / up]! : 0;
  };
  const taps = f.length;
  const out = new Float64Array(Math.ceil((len - taps + 1) / down));
  for (let m = 0; m < out.length; m++) {
    let acc = 0;
    for (let t = 0; t < taps; t++) acc += at(m * down + t) * f[flip ? t : taps - 1 - t]!;
    out[m] = acc * gain;
  }
  return out;
}

/** Applies a line operation along the rows and then the columns of each plane of x [P, H, W]. */
function separable(x: Float64Array, planes: number, h: number, w: number, op: (line: Float64Array) => Float64Array): { data: Float64Array; h: number; w: number } {
  const w2 = op(new Float64Array(w)).length;
  const rows = new Float64Array(planes * h * w2);
  for (let p = 0; p < planes; p++) for (let i = 0; i < h; i++) rows.set(op(x.subarray((p * h + i) * w, (p * h + i + 1) * w)), (p * h + i) * w2);
  const h2 = op(new Float64Array(h)).length;
  const out = new Float64Array(planes * h2 * w2);
  const col = new Float64Array(h);
  for (let p = 0; p < planes; p++)
    for (let j = 0; j < w2; j++) {
      for (let i = 0; i < h; i++) col[i] = rows[(p * h + i) * w2 + j]!;
      op(col).forEach((v, i) => (out[(p * h2 + i) * w2 + j] = v));
    }
  return { data: out, h: h2, w: w2 };
}

/** Reflect padding of x [P, H, W] by (left, right, top, bottom). */
function reflectPad(x: Float64Array, planes: number, h: number, w: number, [l, r, t, b]: number[]): Float64Array {
  const src = (j: number, n: number) => (j < 0 ? -j : j >= n ? 2 * (n - 1) - j : j);
  const [h2, w2] = [h + t! + b!, w + l! + r!];
  const out = new Float64Array(planes * h2 * w2);
  for (let p = 0; p < planes; p++)
    for (let i = 0; i < h2; i++)
      for (let j = 0; j < w2; j++) out[(p * h2 + i) * w2 + j] = x[(p * h + src(i - t!, h)) * w + src(j - l!, w)]!;
  return out;
}

/** The per-sample inverse geometric transforms G_inv [N][3][3] from the draws (null when no op is enabled). */
function geometricMatrices(n: number, w: number, h: number, p: number, s: AugmentSpec, d: Draws): Mat[] | null {
  const on = (name: string, prob: number, i: number) => draw(d, `${name}_gate`, i) < prob;
  const enabled = [s.xflip, s.rotate90, s.xint, s.scale, s.rotate, s.aniso, s.xfrac].some((m) => m > 0);
  if (!enabled) return null;
  const pRot = 1 - Math.sqrt(Math.min(Math.max(1 - s.rotate * p, 0), 1));
  return Array.from({ length: n }, (_, k) => {
    let G = eye(3);
    const then = (m: Mat) => (G = mm(G, m));
    if (s.xflip > 0) then(scale2d(1 - 2 * (on('xflip', s.xflip * p, k) ? Math.floor(draw(d, 'xflip', k) * 2) : 0), 1));
    if (s.rotate90 > 0) then(rotate2d((Math.PI / 2) * (on('rotate90', s.rotate90 * p, k) ? Math.floor(draw(d, 'rotate90', k) * 4) : 0)));
    if (s.xint > 0) {
      const t = on('xint', s.xint * p, k) ? [0, 1].map((a) => (draw(d, 'xint', k * 2 + a) * 2 - 1) * s.xintMax) : [0, 0];
      then(translate2d(-Math.round(t[0]! * w), -Math.round(t[1]! * h)));
    }
    if (s.scale > 0) {
      const sc = on('scale', s.scale * p, k) ? 2 ** (draw(d, 'scale', k) * s.scaleStd) : 1;
      then(scale2d(1 / sc, 1 / sc));
    }
    const rotation = (name: string) => then(rotate2d(on(name, pRot, k) ? (draw(d, name, k) * 2 - 1) * Math.PI * s.rotateMax : 0));
    if (s.rotate > 0) rotation('rotate_pre');
    if (s.aniso > 0) {
      const sc = on('aniso', s.aniso * p, k) ? 2 ** (draw(d, 'aniso', k) * s.anisoStd) : 1;
      then(scale2d(1 / sc, sc));
    }
    if (s.rotate > 0) rotation('rotate_post');
    if (s.xfrac > 0) {
      const t = on('xfrac', s.xfrac * p, k) ? [0, 1].map((a) => draw(d, 'xfrac', k * 2 + a) * s.xfracStd) : [0, 0];
      then(translate2d(-t[0]! * w, -t[1]! * h));
    }
    return G;
  });
}

/** The per-sample colour matrices [N][4][4] (null when no colour op is enabled). */
function colourMatrices(n: number, channels: number, p: number, s: AugmentSpec, d: Draws): Mat[] | null {
  const on = (name: string, prob: number, i: number) => draw(d, `${name}_gate`, i) < prob;
  const useHue = s.hue > 0 && channels > 1;
  const useSat = s.saturation > 0 && channels > 1;
  if (!(s.brightness > 0 || s.contrast > 0 || s.lumaflip > 0 || useHue || useSat)) return null;
  const v = [1, 1, 1, 0].map((x) => x / Math.sqrt(3));
  const vv = v.map((a) => v.map((b) => a * b));
  return Array.from({ length: n }, (_, k) => {
    let C = eye(4);
    const before = (m: Mat) => (C = mm(m, C));
    if (s.brightness > 0) {
      const b = on('brightness', s.brightness * p, k) ? draw(d, 'brightness', k) * s.brightnessStd : 0;
      before([[1, 0, 0, b], [0, 1, 0, b], [0, 0, 1, b], [0, 0, 0, 1]]);
    }
    if (s.contrast > 0) {
      const c = on('contrast', s.contrast * p, k) ? 2 ** (draw(d, 'contrast', k) * s.contrastStd) : 1;
      before([[c, 0, 0, 0], [0, c, 0, 0], [0, 0, c, 0], [0, 0, 0, 1]]);
    }
    if (s.lumaflip > 0) {
      const i = on('lumaflip', s.lumaflip * p, k) ? Math.floor(draw(d, 'lumaflip', k) * 2) : 0;
      before(eye(4).map((r, a) => r.map((x, b) => x - 2 * vv[a]![b]! * i)));
    }
    if (useHue) {
      const t = on('hue', s.hue * p, k) ? (draw(d, 'hue', k) * 2 - 1) * Math.PI * s.hueMax : 0;
      const [x, y, z] = v as [number, number, number];
      const [sn, c] = [Math.sin(t), Math.cos(t)];
      const cc = 1 - c;
      before([
        [x * x * cc + c, x * y * cc - z * sn, x * z * cc + y * sn, 0],
        [y * x * cc + z * sn, y * y * cc + c, y * z * cc - x * sn, 0],
        [z * x * cc - y * sn, z * y * cc + x * sn, z * z * cc + c, 0],
        [0, 0, 0, 1],
      ]);
    }
    if (useSat) {
      const sat = on('saturation', s.saturation * p, k) ? 2 ** (draw(d, 'saturation', k) * s.saturationStd) : 1;
      before(vv.map((r, a) => r.map((x, b) => x + ((a === b ? 1 : 0) - x) * sat)));
    }
    return C;
  });
}

/**
 * The official AugmentPipe forward in float64 on images [N, C, H, W] with the given draws (the graph's
 * 'aug_*' inputs by name). The reference for augmentPipe in tests.
 * @example const y = augmentReference(x, [2, 3, 8, 8], 1, AUGMENT_PRESETS.bgc, draws);
 */
export function augmentReference(images: ArrayLike<number>, shape: readonly number[], p: number, s: AugmentSpec, d: Draws): Float64Array {
  const [N, C, H, W] = shape as [number, number, number, number];
  let x: Float64Array = Float64Array.from(images);
  const G = geometricMatrices(N, W, H, p, s, d);
  if (G) {
    const f1 = [...WAVELETS.sym6].map((v, _, a) => v / a.reduce((t, u) => t + u, 0)); // setup_filter, separable
    const hzPad = Math.floor(f1.length / 4);
    // Margin: how far the transformed corners reach past the border, plus the filter's support.
    const [cx, cy] = [(W - 1) / 2, (H - 1) / 2];
    const m = [-Infinity, -Infinity, -Infinity, -Infinity]; // x0, y0, x1, y1
    for (const g of G)
      for (const [px, py] of [[-cx, -cy], [cx, -cy], [cx, cy], [-cx, cy]] as const) {
        const qx = g[0]![0]! * px + g[0]![1]! * py + g[0]![2]!;
        const qy = g[1]![0]! * px + g[1]![1]! * py + g[1]![2]!;
        [m[0], m[1], m[2], m[3]] = [Math.max(m[0]!, -qx), Math.max(m[1]!, -qy), Math.max(m[2]!, qx), Math.max(m[3]!, qy)];
      }
    const lim = [W - 1, H - 1, W - 1, H - 1];
    const [mx0, my0, mx1, my1] = m.map((v, i) => Math.ceil(Math.min(Math.max(v + hzPad * 2 - (i % 2 ? cy : cx), 0), lim[i]!))) as [number, number, number, number];
    const padded = reflectPad(x, N * C, H, W, [mx0, mx1, my0, my1]);
    const shift = translate2d((mx0 - mx1) / 2, (my0 - my1) / 2);
    // Upsample 2x (official upsample2d: padding [6, 5], gain 4 = 2 per axis).
    const fw = f1.length;
    const up = separable(padded, N * C, H + my0 + my1, W + mx0 + mx1, (l) => upfirdn1d(l, f1, 2, 1, Math.floor((fw + 1) / 2), Math.floor((fw - 2) / 2), false, 2));
    const [ho, wo] = [(H + hzPad * 2) * 2, (W + hzPad * 2) * 2];
    const sampled = new Float64Array(N * C * ho * wo);
    for (let n = 0; n < N; n++) {
      let g = mm(shift, G[n]!);
      g = mm(mm(scale2d(2, 2), g), scale2d(0.5, 0.5));
      g = mm(mm(translate2d(-0.5, -0.5), g), translate2d(0.5, 0.5));
      g = mm(mm(scale2d(2 / up.w, 2 / up.h), g), scale2d(wo / 2, ho / 2));
      for (let i = 0; i < ho; i++)
        for (let j = 0; j < wo; j++) {
          const [xn, yn] = [(2 * j + 1) / wo - 1, (2 * i + 1) / ho - 1]; // affine_grid, align_corners=False
          const ix = ((g[0]![0]! * xn + g[0]![1]! * yn + g[0]![2]! + 1) * up.w - 1) / 2;
          const iy = ((g[1]![0]! * xn + g[1]![1]! * yn + g[1]![2]! + 1) * up.h - 1) / 2;
          const [x0, y0] = [Math.floor(ix), Math.floor(iy)];
          for (let c = 0; c < C; c++) {
            const plane = (n * C + c) * up.h * up.w;
            let acc = 0;
            for (const [xc, yc, wt] of [[x0, y0, (x0 + 1 - ix) * (y0 + 1 - iy)], [x0 + 1, y0, (ix - x0) * (y0 + 1 - iy)], [x0, y0 + 1, (x0 + 1 - ix) * (iy - y0)], [x0 + 1, y0 + 1, (ix - x0) * (iy - y0)]] as const)
              if (xc >= 0 && xc < up.w && yc >= 0 && yc < up.h) acc += wt * up.data[plane + yc * up.w + xc]!;
            sampled[((n * C + c) * ho + i) * wo + j] = acc;
          }
        }
    }
    // Downsample 2x and crop (official downsample2d, padding -2 hzPad, flip_filter=True).
    x = separable(sampled, N * C, ho, wo, (l) => upfirdn1d(l, f1, 1, 2, -hzPad * 2 + Math.floor((fw - 1) / 2), -hzPad * 2 + Math.floor((fw - 2) / 2), true, 1)).data;
  }
  const M = colourMatrices(N, C, p, s, d);
  if (M) {
    const hw = H * W;
    for (let n = 0; n < N; n++) {
      const m = M[n]!;
      const avg = [0, 1, 2, 3].map((j) => (m[0]![j]! + m[1]![j]! + m[2]![j]!) / 3);
      for (let q = 0; q < hw; q++) {
        const rgb = Array.from({ length: C }, (_, c) => x[(n * C + c) * hw + q]!);
        if (C === 3) for (let c = 0; c < 3; c++) x[(n * C + c) * hw + q] = m[c]![0]! * rgb[0]! + m[c]![1]! * rgb[1]! + m[c]![2]! * rgb[2]! + m[c]![3]!;
        else x[n * hw + q] = rgb[0]! * (avg[0]! + avg[1]! + avg[2]!) + avg[3]!;
      }
    }
  }
  const on = (name: string, prob: number, i: number) => draw(d, `${name}_gate`, i) < prob;
  if (s.imgfilter > 0) {
    const bank = imgfilterBank();
    const power = [10, 1, 1, 1].map((v) => v / 13);
    const pad = Math.floor(bank[0]!.length / 2);
    for (let n = 0; n < N; n++) {
      const g = [1, 1, 1, 1];
      s.imgfilterBands.forEach((strength, i) => {
        const t = [1, 1, 1, 1];
        t[i] = on(`imgfilter${i}`, s.imgfilter * p * strength, n) ? 2 ** (draw(d, `imgfilter${i}`, n) * s.imgfilterStd) : 1;
        const norm = Math.sqrt(t.reduce((a, v, k) => a + power[k]! * v * v, 0));
        t.forEach((v, k) => (g[k]! *= v / norm));
      });
      const hz = bank[0]!.map((_, j) => bank.reduce((a, row, k) => a + g[k]! * row[j]!, 0));
      const plane = x.subarray(n * C * H * W, (n + 1) * C * H * W);
      const padded = reflectPad(plane, C, H, W, [pad, pad, pad, pad]);
      plane.set(separable(padded, C, H + 2 * pad, W + 2 * pad, (l) => upfirdn1d(l, hz, 1, 1, 0, 0, true, 1)).data);
    }
  }
  if (s.noise > 0)
    for (let n = 0; n < N; n++) {
      const sigma = on('noise', s.noise * p, n) ? Math.abs(draw(d, 'noise_sigma', n)) * s.noiseStd : 0;
      for (let q = n * C * H * W; q < (n + 1) * C * H * W; q++) x[q]! += draw(d, 'noise', q) * sigma;
    }
  if (s.cutout > 0)
    for (let n = 0; n < N; n++) {
      const size = on('cutout', s.cutout * p, n) ? s.cutoutSize : 0;
      const [ccx, ccy] = [draw(d, 'cutout_center', n * 2), draw(d, 'cutout_center', n * 2 + 1)];
      for (let c = 0; c < C; c++)
        for (let i = 0; i < H; i++)
          for (let j = 0; j < W; j++) {
            const keep = Math.abs((j + 0.5) / W - ccx) >= size / 2 || Math.abs((i + 0.5) / H - ccy) >= size / 2;
            if (!keep) x[((n * C + c) * H + i) * W + j] = 0;
          }
    }
  return x;
}
