// 2-D convolution (cross-correlation, as torch.nn.functional.conv2d), its transpose, and the filter gradient.
// The filter gradient is formulated as patches x matmul: onnxruntime runs that ~4x faster than a
// convolution with an image-sized kernel (../shared/ENGINE.md).
import { GraphError } from '../../errors.js';
import { fmt } from '../shape.js';
import { apply1, expect, type Emitter, type Node, type OpDef, type Tensor } from '../tensor.js';
import { zerosND } from './refutil.js';
import { reshape } from './base.js';
import { flip, slice } from './pad.js';
import { transpose } from './shape-ops.js';

type Pair = [number, number];
/** Shared attributes: pads are [top, left, bottom, right] (non-negative here; conv2d() crops negative ones first). */
export interface ConvAttrs {
  stride: Pair;
  pads: [number, number, number, number];
  dilation: Pair;
  groups: number;
}
interface ConvTAttrs extends ConvAttrs {
  outputPadding: Pair;
}
interface FilterGradAttrs extends ConvAttrs {
  kernel: Pair;
}

/** Output length of a convolution along one axis. */
function convOut(n: number, k: number, s: number, d: number, p0: number, p1: number): number {
  return Math.floor((n + p0 + p1 - d * (k - 1) - 1) / s) + 1;
}
/** The outputs o in [lo, hi) of an axis of length `n` whose input index o * stride + offset lies in [0, size). */
function validRange(n: number, size: number, stride: number, offset: number): [number, number] {
  const lo = Math.max(0, Math.ceil(-offset / stride));
  const hi = Math.min(n, Math.floor((size - 1 - offset) / stride) + 1);
  return [lo, Math.max(lo, hi)];
}
/** Output length of a transposed convolution along one axis. */
function convTOut(n: number, k: number, s: number, d: number, p0: number, p1: number, op: number): number {
  return (n - 1) * s - p0 - p1 + d * (k - 1) + 1 + op;
}

function onnxAttrs(a: ConvAttrs, kernel: readonly number[]) {
  return {
    strides: { ints: a.stride },
    pads: { ints: a.pads },
    dilations: { ints: a.dilation },
    group: { i: a.groups },
    kernel_shape: { ints: kernel },
  };
}

/** A 1x1, stride-1, unpadded, ungrouped convolution: a matrix product over channels. */
function isPointwise(kernel: readonly number[], a: ConvAttrs): boolean {
  return kernel[0] === 1 && kernel[1] === 1 && a.groups === 1 && a.stride.every((s) => s === 1) && a.dilation.every((d) => d === 1) && a.pads.every((p) => p === 0);
}

const CONV: OpDef<ConvAttrs> = {
  type: 'Conv2d',
  infer: ([x, w], a) => {
    expect('Conv2d', x!.rank === 4 && w!.rank === 4, 'x [N,C,H,W] and w [O,C/groups,kh,kw]', `${fmt(x!.shape)} and ${fmt(w!.shape)}`);
    const [n, c, h, wd] = x!.shape as number[];
    const [o, cg, kh, kw] = w!.shape as number[];
    expect('Conv2d', c === cg! * a.groups && o! % a.groups === 0, `w of shape [O,${c! / a.groups},kh,kw] for ${a.groups} group(s) and x ${fmt(x!.shape)}`, fmt(w!.shape));
    const ho = convOut(h!, kh!, a.stride[0], a.dilation[0], a.pads[0], a.pads[2]);
    const wo = convOut(wd!, kw!, a.stride[1], a.dilation[1], a.pads[1], a.pads[3]);
    if (ho < 1 || wo < 1) throw new GraphError(`Conv2d: input ${fmt(x!.shape)} is too small for kernel ${kh}x${kw} (output would be ${ho}x${wo})`);
    return [{ shape: [n!, o!, ho, wo], dtype: 'float32' }];
  },
  emit: (e, n) => {
    const kernel = n.inputs[1]!.shape.slice(2);
    const a = n.attrs;
    // WebGPU ignores end-only pads of 1x1 convs; without a bias, padding the output instead is exact at stride 1.
    if (e.compat.webgpu && kernel[0] === 1 && kernel[1] === 1 && a.stride[0] === 1 && a.stride[1] === 1 && a.pads.some((p) => p > 0)) {
      const y = e.tmp('conv');
      e.node('Conv', [e.name(n.inputs[0]!), e.name(n.inputs[1]!)], [y], onnxAttrs({ ...a, pads: [0, 0, 0, 0] }, kernel));
      e.node('Pad', [y, e.ints([0, 0, a.pads[0], a.pads[1], 0, 0, a.pads[2], a.pads[3]])], [e.out(n)], { mode: { s: 'constant' } });
      return;
    }
    if (isPointwise(kernel, a)) {
      // A 1x1 convolution is W [O, C] times each image's [C, H*W]: one GEMM, without the NCHWc reorders
      // onnxruntime wraps around a Conv (~35% less CPU for 1024 channels at 148x148, bench in docs/benchmarks.md).
      const [N, C, H, W] = n.inputs[0]!.shape as number[];
      const O = n.inputs[1]!.shape[0]!;
      const [w2, x3, y3] = [e.tmp('w2'), e.tmp('x3'), e.tmp('y3')];
      e.node('Reshape', [e.name(n.inputs[1]!), e.ints([O, C!])], [w2]);
      e.node('Reshape', [e.name(n.inputs[0]!), e.ints([N!, C!, H! * W!])], [x3]);
      e.node('MatMul', [w2, x3], [y3]); // [N, O, H*W]
      e.node('Reshape', [y3, e.ints([N!, O, H!, W!])], [e.out(n)]);
      return;
    }
    e.node('Conv', [e.name(n.inputs[0]!), e.name(n.inputs[1]!)], [e.out(n)], onnxAttrs(a, kernel));
  },
  ref: ([x, w], a) => {
    const [N, C, H, W] = x!.shape as number[];
    const [O, Cg, KH, KW] = w!.shape as number[];
    const HO = convOut(H!, KH!, a.stride[0], a.dilation[0], a.pads[0], a.pads[2]);
    const WO = convOut(W!, KW!, a.stride[1], a.dilation[1], a.pads[1], a.pads[3]);
    const out = zerosND([N!, O!, HO, WO]);
    const og = O! / a.groups;
    const [xd, wd, od] = [x!.data, w!.data, out.data];
    // out[b, oc, oh, ow] += w[oc, ic, i, j] * x[b, g*Cg + ic, oh*s - p + i*d, ow*s - p + j*d], one tap at a time over
    // the output rows and columns that read inside the input.
    for (let b = 0; b < N!; b++)
      for (let oc = 0; oc < O!; oc++) {
        const g = Math.floor(oc / og);
        const o0 = (b * O! + oc) * HO * WO;
        for (let ic = 0; ic < Cg!; ic++) {
          const x0 = (b * C! + g * Cg! + ic) * H! * W!;
          for (let i = 0; i < KH!; i++) {
            const [ohLo, ohHi] = validRange(HO, H!, a.stride[0], i * a.dilation[0] - a.pads[0]);
            for (let j = 0; j < KW!; j++) {
              const wv = wd[((oc * Cg! + ic) * KH! + i) * KW! + j]!;
              if (wv === 0) continue;
              const [owLo, owHi] = validRange(WO, W!, a.stride[1], j * a.dilation[1] - a.pads[1]);
              for (let oh = ohLo; oh < ohHi; oh++) {
                const xr = x0 + (oh * a.stride[0] + i * a.dilation[0] - a.pads[0]) * W! + j * a.dilation[1] - a.pads[1];
                const or = o0 + oh * WO;
                for (let ow = owLo; ow < owHi; ow++) od[or + ow] += wv * xd[xr + ow * a.stride[1]]!;
              }
            }
          }
        }
      }
    return [out];
  },
  vjp: (n, [dy], needs) => {
    const [x, w] = n.inputs as [Tensor, Tensor];
    return [needs[0] ? convInputGrad(dy!, w, x.shape, n.attrs) : null, needs[1] ? filterGrad(x, dy!, n.attrs, w.shape) : null];
  },
};

const CONV_T: OpDef<ConvTAttrs> = {
  type: 'ConvTranspose2d',
  infer: ([x, w], a) => {
    expect('ConvTranspose2d', x!.rank === 4 && w!.rank === 4, 'x [N,C,H,W] and w [C,O/groups,kh,kw]', `${fmt(x!.shape)} and ${fmt(w!.shape)}`);
    const [n, c, h, wd] = x!.shape as number[];
    const [ci, og, kh, kw] = w!.shape as number[];
    expect('ConvTranspose2d', c === ci && c! % a.groups === 0, `w of shape [${c},O/groups,kh,kw]`, fmt(w!.shape));
    const ho = convTOut(h!, kh!, a.stride[0], a.dilation[0], a.pads[0], a.pads[2], a.outputPadding[0]);
    const wo = convTOut(wd!, kw!, a.stride[1], a.dilation[1], a.pads[1], a.pads[3], a.outputPadding[1]);
    if (ho < 1 || wo < 1) throw new GraphError(`ConvTranspose2d: padding ${fmt(a.pads)} leaves no output for input ${fmt(x!.shape)}`);
    return [{ shape: [n!, og! * a.groups, ho, wo], dtype: 'float32' }];
  },
  emit: (e, n) =>
    e.node('ConvTranspose', [e.name(n.inputs[0]!), e.name(n.inputs[1]!)], [e.out(n)], {
      ...onnxAttrs(n.attrs, n.inputs[1]!.shape.slice(2)),
      output_padding: { ints: n.attrs.outputPadding },
    }),
  ref: ([x, w], a) => {
    const [N, C, H, W] = x!.shape as number[];
    const [, OG, KH, KW] = w!.shape as number[];
    const O = OG! * a.groups;
    const HO = convTOut(H!, KH!, a.stride[0], a.dilation[0], a.pads[0], a.pads[2], a.outputPadding[0]);
    const WO = convTOut(W!, KW!, a.stride[1], a.dilation[1], a.pads[1], a.pads[3], a.outputPadding[1]);
    const out = zerosND([N!, O, HO, WO]);
    const cg = C! / a.groups;
    for (let b = 0; b < N!; b++)
      for (let ic = 0; ic < C!; ic++) {
        const g = Math.floor(ic / cg);
        for (let ih = 0; ih < H!; ih++)
          for (let iw = 0; iw < W!; iw++) {
            const v = x!.data[((b * C! + ic) * H! + ih) * W! + iw]!;
            for (let oc = 0; oc < OG!; oc++)
              for (let i = 0; i < KH!; i++) {
                const oh = ih * a.stride[0] - a.pads[0] + i * a.dilation[0];
                if (oh < 0 || oh >= HO) continue;
                for (let j = 0; j < KW!; j++) {
                  const ow = iw * a.stride[1] - a.pads[1] + j * a.dilation[1];
                  if (ow < 0 || ow >= WO) continue;
                  out.data[((b * O + g * OG! + oc) * HO + oh) * WO + ow] += v * w!.data[((ic * OG! + oc) * KH! + i) * KW! + j]!;
                }
              }
          }
      }
    return [out];
  },
  vjp: (n, [dy], needs) => {
    const [x, w] = n.inputs as [Tensor, Tensor];
    const { outputPadding: _, ...conv } = n.attrs;
    return [needs[0] ? apply1(CONV, [dy!, w], conv) : null, needs[1] ? filterGrad(dy!, x, conv, w.shape) : null];
  },
};

/**
 * Emits the filter gradient as im2col patches times one matmul per tap, the batch folded into the reduction:
 * x and dy go batch-second once ([C, N, H, W], [O, N, Ho, Wo]), so each tap's strided slice is a contiguous
 * [G, C/G, N*L] block and dW[:, :, i, j] = dy [G, O/G, N*L] x tap^T (onnxruntime fuses the transpose into its
 * MatMul), with no sum over the batch afterwards and a long inner dimension even on small maps.
 */
function emitFilterGrad(e: Emitter, n: Node<FilterGradAttrs>): void {
  const [x, dy] = n.inputs as [Tensor, Tensor];
  const a = n.attrs;
  const [N, C] = x.shape as [number, number];
  const [, O, HO, WO] = dy.shape as [number, number, number, number];
  const [KH, KW] = a.kernel;
  const G = a.groups;
  const K = N * HO * WO;
  const batchSecond = (name: string, shape: readonly number[]) => {
    const out = e.tmp('nt');
    if (N === 1) e.node('Reshape', [name, e.ints([shape[1]!, 1, shape[2]!, shape[3]!])], [out]);
    else e.node('Transpose', [name], [out], { perm: { ints: [1, 0, 2, 3] } });
    return out;
  };
  let xp = e.name(x);
  if (a.pads.some((p) => p > 0)) {
    const padded = e.tmp('pad');
    e.node('Pad', [xp, e.ints([0, 0, a.pads[0], a.pads[1], 0, 0, a.pads[2], a.pads[3]])], [padded]);
    xp = padded;
  }
  const Hp = x.shape[2]! + a.pads[0] + a.pads[2];
  const Wp = x.shape[3]! + a.pads[1] + a.pads[3];
  const xt = batchSecond(xp, [N, C, Hp, Wp]); // [C, N, Hp, Wp]
  const dyg = e.tmp('dyg'); // [G, O/G, N*L]
  e.node('Reshape', [batchSecond(e.name(dy), dy.shape), e.ints([G, O / G, K])], [dyg]);
  const prods: string[] = [];
  for (let i = 0; i < KH; i++)
    for (let j = 0; j < KW; j++) {
      const r0 = i * a.dilation[0];
      const c0 = j * a.dilation[1];
      const tap = e.tmp('tap'); // [C, N, Ho, Wo]
      e.node('Slice', [xt, e.ints([r0, c0]), e.ints([r0 + (HO - 1) * a.stride[0] + 1, c0 + (WO - 1) * a.stride[1] + 1]), e.ints([2, 3]), e.ints(a.stride)], [tap]);
      const tapr = e.tmp('tapr');
      e.node('Reshape', [tap, e.ints([G, C / G, K])], [tapr]);
      const tapt = e.tmp('tapt'); // [G, N*L, C/G]
      e.node('Transpose', [tapr], [tapt], { perm: { ints: [0, 2, 1] } });
      const prod = e.tmp('prod'); // [G, O/G, C/G]
      e.node('MatMul', [dyg, tapt], [prod]);
      const u = e.tmp('u');
      e.node('Unsqueeze', [prod, e.ints([3])], [u]);
      prods.push(u);
    }
  let all = prods[0]!;
  if (prods.length > 1) {
    all = e.tmp('taps'); // [G, O/G, C/G, KH*KW]
    e.concat(prods, all, 3);
  }
  e.node('Reshape', [all, e.ints([O, C / G, KH, KW])], [e.out(n)]);
}

const FILTER_GRAD: OpDef<FilterGradAttrs> = {
  type: 'Conv2dFilterGrad',
  infer: ([x, dy], a) => {
    const [, c] = x!.shape as number[];
    const [, o] = dy!.shape as number[];
    expect('Conv2dFilterGrad', x!.rank === 4 && dy!.rank === 4 && x!.shape[0] === dy!.shape[0], 'x [N,C,H,W] and dy [N,O,Ho,Wo]', `${fmt(x!.shape)} and ${fmt(dy!.shape)}`);
    return [{ shape: [o!, c! / a.groups, a.kernel[0], a.kernel[1]], dtype: 'float32' }];
  },
  emit: emitFilterGrad,
  ref: ([x, dy], a) => {
    const [N, C, H, W] = x!.shape as number[];
    const [, O, HO, WO] = dy!.shape as number[];
    const [KH, KW] = a.kernel;
    const cg = C! / a.groups;
    const og = O! / a.groups;
    const out = zerosND([O!, cg, KH, KW]);
    for (let oc = 0; oc < O!; oc++) {
      const g = Math.floor(oc / og);
      for (let ic = 0; ic < cg; ic++)
        for (let i = 0; i < KH; i++)
          for (let j = 0; j < KW; j++) {
            let acc = 0;
            for (let b = 0; b < N!; b++)
              for (let oh = 0; oh < HO!; oh++) {
                const ih = oh * a.stride[0] - a.pads[0] + i * a.dilation[0];
                if (ih < 0 || ih >= H!) continue;
                for (let ow = 0; ow < WO!; ow++) {
                  const iw = ow * a.stride[1] - a.pads[1] + j * a.dilation[1];
                  if (iw < 0 || iw >= W!) continue;
                  acc += dy!.data[((b * O! + oc) * HO! + oh) * WO! + ow]! * x!.data[((b * C! + g * cg + ic) * H! + ih) * W! + iw]!;
                }
              }
            out.data[((oc * cg + ic) * KH + i) * KW + j] = acc;
          }
    }
    return [out];
  },
  // <G, F(x, dy)> = <dy, conv(x, G)>: so d/dx is the conv input gradient with weight G and d/d(dy) is conv(x, G).
  vjp: (n, [g], needs) => {
    const [x, dy] = n.inputs as [Tensor, Tensor];
    const { kernel: _, ...conv } = n.attrs;
    return [needs[0] ? convInputGrad(dy, g!, x.shape, conv) : null, needs[1] ? apply1(CONV, [x, g!], conv) : null];
  },
};

/**
 * Gradient of conv2d with respect to its input, sized back to `xShape`. At stride 1 it is a plain convolution
 * with the flipped, transposed kernel (onnxruntime runs Conv faster than ConvTranspose); otherwise a transposed conv.
 */
function convInputGrad(dy: Tensor, w: Tensor, xShape: readonly number[], a: ConvAttrs): Tensor {
  const [o, cg, kh, kw] = w.shape as number[];
  if (a.stride[0] === 1 && a.stride[1] === 1) {
    const g = a.groups;
    const wt = reshape(transpose(reshape(flip(w, [2, 3]), [g, o! / g, cg!, kh!, kw!]), [0, 2, 1, 3, 4]), [g * cg!, o! / g, kh!, kw!]);
    const ph = a.dilation[0] * (kh! - 1);
    const pw = a.dilation[1] * (kw! - 1);
    return conv2d(dy, wt, { padding: [ph - a.pads[0], pw - a.pads[1], ph - a.pads[2], pw - a.pads[3]], dilation: a.dilation, groups: g });
  }
  const base = (i: 0 | 1, k: number) => convTOut(dy.shape[2 + i]!, k, a.stride[i], a.dilation[i], a.pads[i], a.pads[i + 2]!, 0);
  const outputPadding: Pair = [xShape[2]! - base(0, kh!), xShape[3]! - base(1, kw!)];
  return apply1(CONV_T, [dy, w], { ...a, outputPadding });
}

function filterGrad(x: Tensor, dy: Tensor, a: ConvAttrs, wShape: readonly number[]): Tensor {
  return apply1(FILTER_GRAD, [x, dy], { ...a, kernel: [wShape[2]!, wShape[3]!] });
}

export interface Conv2dOptions {
  stride?: number | Pair;
  /** p, [ph, pw] or [top, left, bottom, right]; negative values crop. */
  padding?: number | Pair | [number, number, number, number];
  dilation?: number | Pair;
  groups?: number;
}

const pair = (v: number | Pair | undefined, d: number): Pair => (v === undefined ? [d, d] : typeof v === 'number' ? [v, v] : v);
function pads4(p: Conv2dOptions['padding']): [number, number, number, number] {
  if (p === undefined) return [0, 0, 0, 0];
  if (typeof p === 'number') return [p, p, p, p];
  return p.length === 2 ? [p[0], p[1], p[0], p[1]] : p;
}

/**
 * Cross-correlation of x [N,C,H,W] with w [O,C/groups,kh,kw].
 * @example conv2d(x, w, { padding: 1 })
 */
export function conv2d(x: Tensor, w: Tensor, opts: Conv2dOptions = {}): Tensor {
  const pads = pads4(opts.padding);
  // Negative padding crops the input first.
  const crop = [0, 1].flatMap((i) => {
    const b = Math.max(-pads[i]!, 0);
    const e = Math.max(-pads[i + 2]!, 0);
    return b || e ? [{ axis: 2 + i, start: b, end: x.shape[2 + i]! - e }] : [];
  });
  const xc = crop.length ? slice(x, crop) : x;
  const attrs: ConvAttrs = {
    stride: pair(opts.stride, 1),
    pads: pads.map((p) => Math.max(p, 0)) as ConvAttrs['pads'],
    dilation: pair(opts.dilation, 1),
    groups: opts.groups ?? 1,
  };
  return apply1(CONV, [xc, w], attrs);
}

export interface ConvTranspose2dOptions extends Conv2dOptions {
  outputPadding?: number | Pair;
}

/**
 * Transposed convolution of x [N,C,H,W] with w [C,O/groups,kh,kw], as torch.nn.functional.conv_transpose2d.
 * @example convTranspose2d(x, w, { stride: 2 })
 */
export function convTranspose2d(x: Tensor, w: Tensor, opts: ConvTranspose2dOptions = {}): Tensor {
  const pads = pads4(opts.padding);
  if (pads.some((p) => p < 0)) throw new GraphError(`ConvTranspose2d: expected non-negative padding, got ${fmt(pads)}`);
  return apply1(CONV_T, [x, w], {
    stride: pair(opts.stride, 1),
    pads,
    dilation: pair(opts.dilation, 1),
    groups: opts.groups ?? 1,
    outputPadding: pair(opts.outputPadding, 0),
  });
}
