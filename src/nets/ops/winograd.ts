// Winograd minimal filtering F(m x m, 3 x 3) (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks",
// 2016) for a stride-1 3x3 convolution with a constant weight: Y = A^T [(G g G^T) . (B^T d B)] A per tile.
// Written with plain ONNX ops: one Gather cuts the overlapping (m+2)^2 input tiles, the 2-D transforms are
// Kronecker matrices applied as one MatMul each, the channel mixing is one batched MatMul over the (m+2)^2
// transform positions, and DepthToSpace interleaves the output tiles. (Cutting the tiles channels-first with
// strided Slices instead, which avoids both transposes, measured ~20% slower.) The weight transform only
// involves the weight, so onnxruntime folds it.
import * as E from '../../engine/index.js';
import { GraphError } from '../../errors.js';

export type WinogradTile = 2 | 4;

/** Where a network uses Winograd for its 3x3 layers: where it wins (`winogradWins`), in every layer, or nowhere. */
export type WinogradMode = 'auto' | 'always' | 'never';

/**
 * Whether a stride-1 conv of this weight shape on a `mapSize` x `mapSize` map runs as Winograd F(4x4, 3x3) under
 * `mode`. 'auto' also wants a map of 32x32 or more: the transformed weight is 4x the weight's size, and on smaller
 * maps (few tiles) it costs memory for little time (StyleGAN2 256x256: the 8x8 and 16x16 layers added ~220 MB of
 * peak RSS and no measurable speed).
 */
export function useWinograd(mode: WinogradMode | undefined, weightShape: readonly number[], mapSize = Infinity): boolean {
  const [O, I, kh, kw] = weightShape as number[];
  return kh === 3 && kw === 3 && (mode === 'always' || (mode === 'auto' && winogradWins(I!, O!) && mapSize >= 32));
}

/** The 1-D transforms B^T [a, a], G [a, 3], A^T [m, a] (a = m + 2), for correlation as in ONNX Conv. */
const TRANSFORMS: Record<WinogradTile, { BT: number[][]; G: number[][]; AT: number[][] }> = {
  // Interpolation points 0, 1, -1, infinity.
  2: {
    BT: [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]],
    G: [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]],
    AT: [[1, 1, 1, 0], [0, 1, -1, -1]],
  },
  // Interpolation points 0, 1, -1, 2, -2, infinity.
  4: {
    BT: [[4, 0, -5, 0, 1, 0], [0, -4, -4, 1, 1, 0], [0, 4, -4, -1, 1, 0], [0, -2, -1, 2, 1, 0], [0, 2, -1, -2, 1, 0], [0, 4, 0, -5, 0, 1]],
    G: [[1 / 4, 0, 0], [-1 / 6, -1 / 6, -1 / 6], [-1 / 6, 1 / 6, -1 / 6], [1 / 24, 1 / 12, 1 / 6], [1 / 24, -1 / 12, 1 / 6], [0, 0, 1]],
    AT: [[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0], [0, 1, -1, 8, -8, 1]],
  },
};

/** kron(M, M) for a row-major [r, c] matrix: the 2-D transform X -> M X M^T on flattened X, [r*r, c*c]. */
function kron(M: number[][]): { values: Float64Array; shape: [number, number] } {
  const r = M.length;
  const c = M[0]!.length;
  const values = new Float64Array(r * r * c * c); // exact in the reference interpreter; float32 in ONNX
  for (let i = 0; i < r; i++)
    for (let j = 0; j < r; j++)
      for (let k = 0; k < c; k++) for (let l = 0; l < c; l++) values[(i * r + j) * c * c + k * c + l] = M[i]![k]! * M[j]![l]!;
  return { values, shape: [r * r, c * c] };
}

/**
 * Whether F(4x4, 3x3) beats onnxruntime's direct Conv. It saves work in proportion to I*O per pixel and spends it
 * on transforms in proportion to I + O, so it wins with wide layers: measured (bench/winograd.ts, 2 threads, CPU
 * time) 0.5-0.65x for 512 -> 512/362 and 362 -> 256, 0.8x for 256 -> 181 (I*O/(I+O) = 106), even or slower for
 * 181 -> 128 (75) and 128 -> 128 (64).
 * @example winogradWins(512, 362) // true
 */
export function winogradWins(inChannels: number, outChannels: number): boolean {
  return (inChannels * outChannels) / (inChannels + outChannels) >= 100;
}

/**
 * The Winograd-domain weight U = G g G^T of a [O, I, 3, 3] weight, laid out [a*a, I, O] for the batched MatMul.
 * @example winogradWeight(w, 4) // [36, I, O]
 */
export function winogradWeight(weight: E.Tensor, m: WinogradTile): E.Tensor {
  const [O, I, kh, kw] = weight.shape as number[];
  if (kh !== 3 || kw !== 3) throw new GraphError(`winograd: needs a 3x3 weight, got [${weight.shape}]`);
  const param = paramOf(weight);
  if (param) return new E.Parameter(`${param.name}#winograd${m}`, [(m + 2) ** 2, I!, O!], transformWeight(param.data, O!, I!, m)).tensor;
  const GG = kron(TRANSFORMS[m].G); // [a*a, 9]
  const g = E.reshape(E.transpose(E.reshape(weight, [O!, I!, 9]), [2, 1, 0]), [9, I! * O!]); // [9, I*O]
  return E.reshape(E.matmul(E.constant(GG.values, GG.shape), g), [GG.shape[0], I!, O!]); // [a*a, I, O]
}

/** The parameter a tensor stands for (a weight read from a checkpoint), or null for any other tensor. */
function paramOf(t: E.Tensor): E.Parameter | null {
  const attrs = t.node.attrs as { param?: E.Parameter } | undefined;
  return t.node.op.type === 'Param' && attrs?.param instanceof E.Parameter ? attrs.param : null;
}

/**
 * The input gradient of winogradConv2d: a stride-1 3x3 correlation of dy with w flipped in space, in and out
 * swapped ([O, I, 3, 3] -> [I, O, 3, 3]), padding 2 - p, by Winograd again. A baked weight's flipped transform is
 * computed from its values (no parameter of its own, which onnxruntime would report as an unused initializer).
 */
function winogradInputGrad(dy: E.Tensor, weight: E.Tensor, p: number, m: WinogradTile): E.Tensor {
  const wt = E.transpose(E.flip(weight, [2, 3]), [1, 0, 2, 3]); // for the rule's own gradients (second order)
  const param = paramOf(weight);
  if (!param) return winogradWith(dy, wt, winogradWeight(wt, m), { padding: 2 - p, m });
  const [O, I] = weight.shape as number[];
  const w = param.data;
  const flipped = new Float32Array(w.length);
  for (let o = 0; o < O!; o++) for (let i = 0; i < I!; i++) for (let k = 0; k < 9; k++) flipped[(i * O! + o) * 9 + 8 - k] = w[(o * I! + i) * 9 + k]!;
  const U = new E.Parameter(`${param.name}#winograd${m}T`, [(m + 2) ** 2, O!, I!], transformWeight(flipped, I!, O!, m)).tensor;
  return winogradWith(dy, wt, U, { padding: 2 - p, m });
}

/**
 * U = G g G^T of a [O, I, 3, 3] weight's values, [a*a, I, O] (float64 sums, stored float32), computed here
 * rather than by onnxruntime's constant folding, whose intermediates raised a 256x256 StyleGAN2's peak RSS by ~300 MB.
 */
function transformWeight(w: Float32Array, O: number, I: number, m: WinogradTile): Float32Array {
  const Gm = TRANSFORMS[m].G;
  const a = m + 2;
  const out = new Float32Array(a * a * I * O);
  const t = new Float64Array(a * 3);
  for (let o = 0; o < O; o++)
    for (let i = 0; i < I; i++) {
      const g = (o * I + i) * 9;
      for (let r = 0; r < a; r++) for (let c = 0; c < 3; c++) t[r * 3 + c] = Gm[r]![0]! * w[g + c]! + Gm[r]![1]! * w[g + 3 + c]! + Gm[r]![2]! * w[g + 6 + c]!; // G g
      for (let r = 0; r < a; r++) for (let c = 0; c < a; c++) out[((r * a + c) * I + i) * O + o] = t[r * 3]! * Gm[c]![0]! + t[r * 3 + 1]! * Gm[c]![1]! + t[r * 3 + 2]! * Gm[c]![2]!; // (G g) G^T
    }
  return out;
}

/**
 * A stride-1 3x3 correlation (as conv2d) by Winograd F(m x m, 3 x 3). x [N, I, H, W], weight [O, I, 3, 3]
 * (a constant, so that its transform folds) -> [N, O, H + pt + pb - 2, W + pl + pr - 2].
 * @example winogradConv2d(x, w, { padding: 2, m: 4 }) // equals conv2d(x, w, { padding: 2 }) up to rounding
 */
export function winogradConv2d(x: E.Tensor, weight: E.Tensor, o: { padding?: number; m?: WinogradTile } = {}): E.Tensor {
  return winogradWith(x, weight, winogradWeight(weight, o.m ?? 4), o);
}

/** winogradConv2d with the transformed weight U given; gradients by rule (the weight's are the direct conv's). */
function winogradWith(x: E.Tensor, weight: E.Tensor, U: E.Tensor, o: { padding?: number; m?: WinogradTile }): E.Tensor {
  const p = o.padding ?? 0;
  const m = o.m ?? 4;
  if (!(p >= 0 && p <= 2)) throw new GraphError(`winograd: padding must be 0, 1 or 2, got ${p}`);
  return E.customGrad(winogradForward(x, U, weight.shape[0]!, p, m), [x, weight], (dy, needs) => [
    needs[0] ? winogradInputGrad(dy, weight, p, m) : null,
    needs[1] ? E.backprop([E.conv2d(x, weight, { padding: p })], [dy], [weight])[0]! : null,
  ]);
}

/** The Winograd forward pass: x [N, I, H, W] and U [a*a, I, O] -> [N, O, H + 2p - 2, W + 2p - 2]. */
function winogradForward(x: E.Tensor, U: E.Tensor, O: number, p: number, m: WinogradTile): E.Tensor {
  const a = m + 2;
  const P = a * a;
  const [N, I, H, W] = x.shape as number[];
  const [Ho, Wo] = [H! + 2 * p - 2, W! + 2 * p - 2];
  const [Th, Tw] = [Math.ceil(Ho / m), Math.ceil(Wo / m)];
  // Zero-pad to whole tiles, channels last so that each gathered tile pixel is one contiguous row of I values.
  const [Hp, Wp] = [Th * m + 2, Tw * m + 2];
  const xp = E.pad(x, [[0, 0], [0, 0], [p, Hp - H! - p], [p, Wp - W! - p]]); // [N, I, Hp, Wp]
  const rows = E.reshape(E.transpose(xp, [0, 2, 3, 1]), [N! * Hp * Wp, I!]); // [N*Hp*Wp, I]
  // Tile pixel (i, j) of tile (n, ty, tx) is input pixel (n, ty*m + i, tx*m + j).
  const T = N! * Th * Tw;
  const index = new Array<number>(P * T);
  for (let i = 0; i < a; i++)
    for (let j = 0; j < a; j++)
      for (let n = 0; n < N!; n++)
        for (let ty = 0; ty < Th; ty++)
          for (let tx = 0; tx < Tw; tx++) index[(i * a + j) * T + (n * Th + ty) * Tw + tx] = n * Hp * Wp + (ty * m + i) * Wp + tx * m + j;
  const d = E.gather(rows, E.constant(index, [P, T], 'int64'), 0); // [a*a, T, I]
  const { BT, AT } = TRANSFORMS[m];
  const BB = kron(BT);
  const V = E.reshape(E.matmul(E.constant(BB.values, BB.shape), E.reshape(d, [P, T * I!])), [P, T, I!]); // B^T d B
  const M = E.matmul(V, U); // [a*a, T, O]
  const AA = kron(AT);
  const Y = E.matmul(E.constant(AA.values, AA.shape), E.reshape(M, [P, T * O])); // A^T M A: [m*m, T*O]
  // Channels first again, then the m*m output pixels of each tile interleave as DepthToSpace (DCR order).
  const Yc = E.transpose(E.reshape(Y, [m * m, N!, Th * Tw, O]), [1, 0, 3, 2]); // [N, m*m, O, Th*Tw]
  const full = E.depthToSpace(E.reshape(Yc, [N!, m * m * O, Th, Tw]), m, 'DCR'); // [N, O, Th*m, Tw*m]
  return Th * m === Ho && Tw * m === Wo ? full : E.slice(full, [{ axis: 2, end: Ho }, { axis: 3, end: Wo }]);
}
