// The ADA augmentation pipeline (Karras et al. 2020, "Training Generative Adversarial Networks with Limited
// Data") as an engine graph, following the official training/augment.py AugmentPipe: geometric transforms as
// one inverse 3x3 matrix per sample executed by reflect-pad, 2x wavelet upsampling, bilinear grid sampling and
// 2x downsampling; colour transforms as one 4x4 matrix per sample; then image-space filtering and corruptions.
// Every random draw is a graph input named 'aug_*' (filled by the runtime's RandomSource or fed by tests), and
// p is a scalar input, so one compiled program serves every step whatever p is.
import * as E from '../engine/index.js';
import { InputError } from '../errors.js';
import { setupFilter, upfirdn2d } from '../nets/ops/upfirdn2d.js';
import { imgfilterBank, WAVELETS, type AugmentSpec } from './augment-spec.js';
import { warpBilinear } from './augment-warp.js';

export { AUGMENT_DEFAULTS, AUGMENT_PRESETS, WAVELETS, augmentSpec, type AugmentPreset, type AugmentSpec } from './augment-spec.js';
export { AdaController, type AdaControllerOptions } from './augment-ada.js';

type Entry = E.Tensor | number;

/** Per-sample matrices [N, r, c] from rows of [N] tensors and numbers (the official `matrix`). */
function matrix(n: number, rows: Entry[][]): E.Tensor {
  const elems = rows.flat().map((v) => (typeof v === 'number' ? E.expand(E.constant(v), [n]) : v));
  return E.reshape(E.stack(elems, 1), [n, rows.length, rows[0]!.length]); // [N, r, c]
}

/** A constant matrix [r, c] (broadcasts against [N, r, c] in matmul). */
const constMatrix = (rows: number[][]): E.Tensor => E.constant(rows.flat(), [rows.length, rows[0]!.length]);

const translate2d = (n: number, tx: Entry, ty: Entry) => matrix(n, [[1, 0, tx], [0, 1, ty], [0, 0, 1]]);
const scale2d = (n: number, sx: Entry, sy: Entry) => matrix(n, [[sx, 0, 0], [0, sy, 0], [0, 0, 1]]);
const rotate2d = (n: number, t: E.Tensor) => matrix(n, [[E.cos(t), E.neg(E.sin(t)), 0], [E.sin(t), E.cos(t), 0], [0, 0, 1]]);
const translate3d = (n: number, t: E.Tensor) => matrix(n, [[1, 0, 0, t], [0, 1, 0, t], [0, 0, 1, t], [0, 0, 0, 1]]);
const scale3d = (n: number, s: E.Tensor) => matrix(n, [[s, 0, 0, 0], [0, s, 0, 0], [0, 0, s, 0], [0, 0, 0, 1]]);
const inv = (t: E.Tensor) => E.reciprocal(t);
const exp2 = (t: E.Tensor) => E.exp(E.mul(t, Math.LN2));
/** torch.round, except that ties round up (they have probability zero for continuous draws). */
const round = (t: E.Tensor) => E.floor(E.add(t, 0.5));

/** Rotation by theta [N] about the unit axis v (Rodrigues), homogeneous 4x4. */
function rotate3d(n: number, v: readonly number[], theta: E.Tensor): E.Tensor {
  const [vx, vy, vz] = v as [number, number, number];
  const s = E.sin(theta);
  const c = E.cos(theta);
  const cc = E.sub(1, c);
  const a = (k: number, m: Entry = 0) => E.add(E.mul(cc, k), m);
  return matrix(n, [
    [E.add(a(vx * vx), c), a(vx * vy, E.mul(s, -vz)), a(vx * vz, E.mul(s, vy)), 0],
    [a(vy * vx, E.mul(s, vz)), E.add(a(vy * vy), c), a(vy * vz, E.mul(s, -vx)), 0],
    [a(vz * vx, E.mul(s, -vy)), a(vz * vy, E.mul(s, vx)), E.add(a(vz * vz), c), 0],
    [0, 0, 0, 1],
  ]);
}

/** Affine sampling grid [N, Ho, Wo, 2] for theta [N, 2, 3] (torch affine_grid, align_corners=False). */
function affineGrid(theta: E.Tensor, ho: number, wo: number): E.Tensor {
  const base = new Float32Array(ho * wo * 3);
  for (let i = 0; i < ho; i++)
    for (let j = 0; j < wo; j++) base.set([(2 * j + 1) / wo - 1, (2 * i + 1) / ho - 1, 1], (i * wo + j) * 3);
  const grid = E.matmul(E.constant(base, [ho * wo, 3]), E.transposeLast(theta)); // [N, Ho*Wo, 2]
  return E.reshape(grid, [theta.shape[0]!, ho, wo, 2]);
}

/**
 * Fast path of the official upsample2d(x, f, up=2) for a 1-D (separable) filter f of even length: each axis as
 * one stride-1 convolution with the filter's two polyphase components (even and odd output samples) and an
 * interleave, instead of a transposed convolution with the 2-D filter (about 6x fewer multiply-adds).
 * `upsample2d` from nets/ops is the reference path (tests compare them).
 * @example upsample2x(x, WAVELETS.sym6) // [N, C, 2H, 2W]
 */
export function upsample2x(x: E.Tensor, taps: readonly number[]): E.Tensor {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const L = taps.length;
  if (L % 2) throw new InputError(`upsample2x: expected a filter of even length, got ${L}`);
  const total = taps.reduce((a, b) => a + b, 0);
  const f = taps.map((v) => (v / total) * 2); // normalised, gain 2 per axis (4 in all)
  // Output 2q + phase = sum over s in [-r, r] of x[q + s] * f[L/2 - 1 + phase - 2s]: the official zero insertion,
  // padding ((L + 1) / 2 before) and true convolution, with the zero taps dropped.
  const r = Math.ceil(L / 4);
  const kernel = (phase: number) => Array.from({ length: 2 * r + 1 }, (_, t) => f[L / 2 - 1 + phase - 2 * (t - r)] ?? 0);
  // Depthwise (one group per plane, two phase outputs each): measured 3-5x faster than a 1-channel conv with 2 outputs.
  const P = N * C;
  const w = Array.from({ length: P }, () => [...kernel(0), ...kernel(1)]).flat();
  let y = E.reshape(x, [1, P, H, W]);
  y = E.conv2d(y, E.constant(w, [2 * P, 1, 1, 2 * r + 1]), { padding: [0, r, 0, r], groups: P }); // [1, 2P, H, W]: even, odd columns
  y = E.reshape(E.transpose(E.reshape(y, [P, 2, H, W]), [0, 2, 3, 1]), [1, P, H, 2 * W]); // interleave columns
  y = E.conv2d(y, E.constant(w, [2 * P, 1, 2 * r + 1, 1]), { padding: [r, 0, r, 0], groups: P }); // [1, 2P, H, 2W]
  return E.reshape(E.transpose(E.reshape(y, [P, 2, H, 2 * W]), [0, 2, 1, 3]), [N, C, 2 * H, 2 * W]); // interleave rows
}

/** The unit luma axis in homogeneous RGB coordinates. */
const LUMA = [1, 1, 1, 0].map((v) => v / Math.sqrt(3));
const LUMA_OUTER = LUMA.map((a) => LUMA.map((b) => a * b)); // v v^T
const I4 = [0, 1, 2, 3].map((i) => [0, 1, 2, 3].map((j) => (i === j ? 1 : 0)));

/** Random draws of one augmentation: its values and its gate (true with the augmentation's probability). */
interface Draws {
  uniform(name: string, shape?: number[]): E.Tensor;
  normal(name: string, shape?: number[]): E.Tensor;
  gate(name: string, prob: E.Tensor, shape?: number[]): E.Tensor;
}

/** Makes the tensor of one named random draw (default: a graph input filled by the runtime's RandomSource). */
export type AugmentDrawSource = (name: string, shape: number[], kind: E.RandomKind) => E.Tensor;

function draws(n: number, source: AugmentDrawSource, prefix: string): Draws {
  const uniform = (name: string, shape = [n]) => source(`${prefix}_${name}`, shape, 'uniform');
  return {
    uniform,
    normal: (name, shape = [n]) => source(`${prefix}_${name}`, shape, 'normal'),
    gate: (name, prob, shape = [n]) => E.less(uniform(`${name}_gate`, shape), prob),
  };
}

/**
 * Augments images x [N, C, H, W] (float, about [-1, 1], C = 1 or 3) as the official AugmentPipe with overall
 * probability multiplier p (a scalar [] tensor fed at run time, so p changes without recompiling). Random
 * draws are E.randomInput nodes named 'aug_<op>' (values) and 'aug_<op>_gate' (uniform; the op applies to a
 * sample when its gate < multiplier * p). Differentiable with respect to x.
 *
 * The graph always runs every enabled op (at p = 0 each is the identity, and the result equals x up to float
 * error, as the official also executes identity matrices). Geometric ops pad with the largest margin the
 * official ever uses (size - 1, reflect), so shapes are static; the output is the same as with its
 * data-dependent margin.
 * `o.prefix` (default 'aug') names the draws: two pipelines in one graph (e.g. reals and fakes) need distinct
 * prefixes, as input names are unique. `o.draw` replaces the random inputs (e.g. by constants, for the
 * reference interpreter).
 * @example
 * const p = E.input('augment_p', []);
 * const y = augmentPipe(E.input('img', [8, 3, 64, 64]), p, AUGMENT_PRESETS.bgc);
 * await program.run({ img, augment_p: [0.2] }, { random: seededSource(step) });
 */
export function augmentPipe(x: E.Tensor, p: E.Tensor, spec: AugmentSpec, o: { prefix?: string; draw?: AugmentDrawSource } = {}): E.Tensor {
  if (x.rank !== 4) throw new InputError(`augmentPipe: expected images [N, C, H, W], got [${x.shape}]`);
  if (p.rank !== 0) throw new InputError(`augmentPipe: p must be a scalar tensor [], got [${p.shape}]`);
  const [N, C, H, W] = x.shape as [number, number, number, number];
  if (C !== 1 && C !== 3) throw new InputError(`augmentPipe: images must be RGB (3 channels) or L (1 channel), got ${C} channels`);
  const d = draws(N, o.draw ?? ((name, shape, kind) => E.randomInput(name, shape, kind)), o.prefix ?? 'aug');
  const prob = (mult: number) => E.mul(p, mult);
  let y = geometric(x, p, spec, d);
  y = colour(y, spec, d, prob);
  if (spec.imgfilter > 0) y = imageFilter(y, spec, d, prob);
  if (spec.noise > 0) {
    const sigma = E.where(d.gate('noise', prob(spec.noise)), E.mul(E.abs(d.normal('noise_sigma')), spec.noiseStd), 0); // [N]
    y = E.add(y, E.mul(d.normal('noise', [N, C, H, W]), E.reshape(sigma, [N, 1, 1, 1])));
  }
  if (spec.cutout > 0) {
    const size = E.reshape(E.where(d.gate('cutout', prob(spec.cutout)), spec.cutoutSize, 0), [N, 1, 1]); // [N, 1, 1]
    const center = d.uniform('cutout_center', [N, 2]);
    const coord = (len: number) => E.constant(Array.from({ length: len }, (_, i) => (i + 0.5) / len), [1, len]);
    const outside = (axis: number, len: number) => E.greaterEqual(E.abs(E.sub(coord(len), E.slice(center, [{ axis: 1, start: axis, end: axis + 1 }]))), E.reshape(E.mul(size, 0.5), [N, 1])); // [N, len]
    const keep = E.or(E.reshape(outside(0, W), [N, 1, W]), E.reshape(outside(1, H), [N, H, 1])); // [N, H, W]
    y = E.mul(y, E.reshape(E.cast(keep, 'float32'), [N, 1, H, W]));
  }
  return y;
}

/** Pixel blitting and general geometric transforms: the inverse transform per sample, then its execution. */
function geometric(x: E.Tensor, p: E.Tensor, s: AugmentSpec, d: Draws): E.Tensor {
  const [N, , H, W] = x.shape as [number, number, number, number];
  const prob = (mult: number) => E.mul(p, mult);
  let G: E.Tensor | null = null; // G_inv @ pixel_out ==> pixel_in, [N, 3, 3]
  const then = (m: E.Tensor) => (G = G ? E.matmul(G, m) : m);
  if (s.xflip > 0) {
    const i = E.where(d.gate('xflip', prob(s.xflip)), E.floor(E.mul(d.uniform('xflip'), 2)), 0);
    then(scale2d(N, E.sub(1, E.mul(i, 2)), 1)); // its own inverse
  }
  if (s.rotate90 > 0) {
    const i = E.where(d.gate('rotate90', prob(s.rotate90)), E.floor(E.mul(d.uniform('rotate90'), 4)), 0);
    then(rotate2d(N, E.mul(i, Math.PI / 2))); // rotate2d_inv(-pi/2 * i)
  }
  if (s.xint > 0) {
    const t = E.mul(E.sub(E.mul(d.uniform('xint', [N, 2]), 2), 1), s.xintMax); // [N, 2]
    const ti = E.where(d.gate('xint', prob(s.xint), [N, 1]), t, 0);
    const [tx, ty] = E.split(ti, 1, [1, 1]).map((v) => E.reshape(v, [N]));
    then(translate2d(N, E.neg(round(E.mul(tx!, W))), E.neg(round(E.mul(ty!, H)))));
  }
  if (s.scale > 0) {
    const sc = E.where(d.gate('scale', prob(s.scale)), exp2(E.mul(d.normal('scale'), s.scaleStd)), 1);
    then(scale2d(N, inv(sc), inv(sc)));
  }
  // Rotation before and after anisotropic scaling, each with p_rot, so that P(pre OR post) = rotate * p.
  const pRot = E.sub(1, E.sqrt(E.clip(E.sub(1, prob(s.rotate)), 0, 1)));
  const rotation = (name: string) => {
    const theta = E.mul(E.sub(E.mul(d.uniform(name), 2), 1), Math.PI * s.rotateMax);
    then(rotate2d(N, E.where(d.gate(name, pRot), theta, 0))); // rotate2d_inv(-theta)
  };
  if (s.rotate > 0) rotation('rotate_pre');
  if (s.aniso > 0) {
    const sc = E.where(d.gate('aniso', prob(s.aniso)), exp2(E.mul(d.normal('aniso'), s.anisoStd)), 1);
    then(scale2d(N, inv(sc), sc));
  }
  if (s.rotate > 0) rotation('rotate_post');
  if (s.xfrac > 0) {
    const t = E.where(d.gate('xfrac', prob(s.xfrac), [N, 1]), E.mul(d.normal('xfrac', [N, 2]), s.xfracStd), 0); // [N, 2]
    const [tx, ty] = E.split(t, 1, [1, 1]).map((v) => E.reshape(v, [N]));
    then(translate2d(N, E.neg(E.mul(tx!, W)), E.neg(E.mul(ty!, H))));
  }
  if (!G) return x;
  let g: E.Tensor = G;

  // Pad by the official's largest margin (its clamp), so no transformed corner reaches past the border.
  const f = setupFilter([...WAVELETS.sym6]);
  const hzPad = Math.floor(f.shape[0] / 4);
  const [mx, my] = [W - 1, H - 1];
  let y = E.pad(x, [[0, 0], [0, 0], [my, my], [mx, mx]], 'reflect'); // [N, C, H + 2my, W + 2mx]

  // Upsample 2x with the orthogonal wavelet filter; move the transform to the upsampled pixel grid.
  y = upsample2x(y, WAVELETS.sym6); // [N, C, 2(H + 2my), 2(W + 2mx)], official upsample2d
  g = E.matmul(E.matmul(constMatrix([[2, 0, 0], [0, 2, 0], [0, 0, 1]]), g), constMatrix([[0.5, 0, 0], [0, 0.5, 0], [0, 0, 1]]));
  g = E.matmul(E.matmul(constMatrix([[1, 0, -0.5], [0, 1, -0.5], [0, 0, 1]]), g), constMatrix([[1, 0, 0.5], [0, 1, 0.5], [0, 0, 1]]));

  // Sample the output (with a filter margin) in normalised coordinates.
  const [ho, wo] = [(H + hzPad * 2) * 2, (W + hzPad * 2) * 2];
  const [hu, wu] = [y.shape[2]!, y.shape[3]!];
  g = E.matmul(E.matmul(constMatrix([[2 / wu, 0, 0], [0, 2 / hu, 0], [0, 0, 1]]), g), constMatrix([[wo / 2, 0, 0], [0, ho / 2, 0], [0, 0, 1]]));
  const theta = E.slice(g, [{ axis: 1, start: 0, end: 2 }]); // [N, 2, 3]
  y = warpBilinear(y, affineGrid(theta, ho, wo)); // [N, C, ho, wo], torch grid_sample(align_corners=False)

  // Downsample 2x and crop the margin (official downsample2d with padding -2 hzPad and a flipped filter).
  const fw = f.shape[1];
  const p0 = -hzPad * 2 + Math.floor((fw - 1) / 2);
  const p1 = -hzPad * 2 + Math.floor((fw - 2) / 2);
  y = upfirdn2d(y, f, { down: 2, padding: [p0, p1, p0, p1], flipFilter: true });
  return y; // [N, C, H, W]
}

/** Colour transforms as one homogeneous 4x4 matrix per sample, applied to every pixel. */
function colour(x: E.Tensor, s: AugmentSpec, d: Draws, prob: (m: number) => E.Tensor): E.Tensor {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  let M: E.Tensor | null = null; // C @ color_in ==> color_out, [N, 4, 4]
  const before = (m: E.Tensor) => (M = M ? E.matmul(m, M) : m);
  if (s.brightness > 0) {
    const b = E.where(d.gate('brightness', prob(s.brightness)), E.mul(d.normal('brightness'), s.brightnessStd), 0);
    before(translate3d(N, b));
  }
  if (s.contrast > 0) {
    const c = E.where(d.gate('contrast', prob(s.contrast)), exp2(E.mul(d.normal('contrast'), s.contrastStd)), 1);
    before(scale3d(N, c));
  }
  if (s.lumaflip > 0) {
    const i = E.where(d.gate('lumaflip', prob(s.lumaflip)), E.floor(E.mul(d.uniform('lumaflip'), 2)), 0);
    const householder = E.mul(constMatrix(LUMA_OUTER), E.reshape(E.mul(i, -2), [N, 1, 1])); // -2 v v^T i
    before(E.add(constMatrix(I4), householder));
  }
  if (s.hue > 0 && C > 1) {
    const theta = E.mul(E.sub(E.mul(d.uniform('hue'), 2), 1), Math.PI * s.hueMax);
    before(rotate3d(N, LUMA, E.where(d.gate('hue', prob(s.hue)), theta, 0)));
  }
  if (s.saturation > 0 && C > 1) {
    const sat = E.where(d.gate('saturation', prob(s.saturation)), exp2(E.mul(d.normal('saturation'), s.saturationStd)), 1);
    const off = I4.map((r, i) => r.map((v, j) => v - LUMA_OUTER[i]![j]!)); // I - v v^T
    before(E.add(constMatrix(LUMA_OUTER), E.mul(constMatrix(off), E.reshape(sat, [N, 1, 1]))));
  }
  if (!M) return x;
  const m: E.Tensor = M;
  const flat = E.reshape(x, [N, C, H * W]);
  let y: E.Tensor;
  if (C === 3) {
    const lin = E.slice(m, [{ axis: 1, start: 0, end: 3 }, { axis: 2, start: 0, end: 3 }]); // [N, 3, 3]
    const off = E.slice(m, [{ axis: 1, start: 0, end: 3 }, { axis: 2, start: 3, end: 4 }]); // [N, 3, 1]
    y = E.add(E.matmul(lin, flat), off);
  } else {
    const avg = E.mean(E.slice(m, [{ axis: 1, start: 0, end: 3 }]), 1, true); // [N, 1, 4]
    const gain = E.sum(E.slice(avg, [{ axis: 2, start: 0, end: 3 }]), 2, true); // [N, 1, 1]
    y = E.add(E.mul(flat, gain), E.slice(avg, [{ axis: 2, start: 3, end: 4 }]));
  }
  return E.reshape(y, [N, C, H, W]);
}

/** Image-space filtering: random per-band amplification of a 4-band filter bank, separable, reflect-padded. */
function imageFilter(x: E.Tensor, s: AugmentSpec, d: Draws, prob: (m: number) => E.Tensor): E.Tensor {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const bank = imgfilterBank();
  const bands = bank.length;
  const taps = bank[0]!.length;
  const pad = Math.floor(taps / 2);
  if (pad >= H || pad >= W) throw new InputError(`augmentPipe: image filtering needs images larger than ${pad} pixels, got ${H}x${W}`);
  const power = [10, 1, 1, 1].map((v) => v / 13); // expected power spectrum (1/f)
  let g: E.Tensor | null = null; // [N, bands]
  s.imgfilterBands.forEach((strength, i) => {
    const t = E.where(d.gate(`imgfilter${i}`, E.mul(prob(s.imgfilter), strength)), exp2(E.mul(d.normal(`imgfilter${i}`), s.imgfilterStd)), 1);
    const onehot = E.constant(Array.from({ length: bands }, (_, k) => (k === i ? 1 : 0)), [1, bands]);
    const tv = E.add(E.mul(E.sub(E.reshape(t, [N, 1]), 1), onehot), 1); // ones with t at band i, [N, bands]
    const norm = E.sqrt(E.sum(E.mul(E.constant(power, [1, bands]), E.square(tv)), 1, true)); // [N, 1]
    const tn = E.div(tv, norm);
    g = g ? E.mul(g, tn) : tn;
  });
  const hz = E.matmul(g!, E.constant(bank.flat(), [bands, taps])); // [N, taps]
  const w = E.reshape(E.expand(E.reshape(hz, [N, 1, taps]), [N, C, taps]), [N * C, 1, taps]);
  let y = E.reshape(x, [1, N * C, H, W]);
  y = E.pad(y, [[0, 0], [0, 0], [pad, pad], [pad, pad]], 'reflect');
  y = E.conv2d(y, E.reshape(w, [N * C, 1, 1, taps]), { groups: N * C });
  y = E.conv2d(y, E.reshape(w, [N * C, 1, taps, 1]), { groups: N * C });
  return E.reshape(y, [N, C, H, W]);
}
