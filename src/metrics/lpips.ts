// LPIPS (Zhang et al. 2018, "The Unreasonable Effectiveness of Deep Features as a Perceptual Metric"), version
// 0.1 with the VGG16 trunk, as richzhang/PerceptualSimilarity `lpips.LPIPS(net='vgg')`: the scaling layer, the
// five ReLU taps of torchvision's VGG16, each unit-normalised over channels, squared differences weighted by the
// learned 1x1 `lin` layers (vgg.pth), averaged over space and summed over taps. Built as a graph, so the
// distance can be differentiated with respect to either image (projection) and run in batches (PPL).
import * as E from '../engine/index.js';
import { CheckpointError } from '../errors.js';
import type { TensorData } from '../io/tensor.js';
import { readStateDict } from './nets/state-dict.js';
import { Vgg16, VGG16_CHANNELS } from './nets/vgg16.js';

/** PerceptualSimilarity's file name of the v0.1 VGG linear layers (lpips/weights/v0.1/vgg.pth). */
export const LPIPS_FILE = 'vgg.pth';

/** ScalingLayer: maps [-1, 1] inputs to torchvision's ImageNet normalisation, per channel. */
const SHIFT = [-0.03, -0.088, -0.188] as const;
const SCALE = [0.458, 0.448, 0.45] as const;
/** normalize_tensor's epsilon (added to the channel norm). */
const NORM_EPS = 1e-10;

/**
 * Reads PerceptualSimilarity's linear layers (`lin<k>.model.1.weight`, [1, C_k, 1, 1]) from vgg.pth.
 * @example const lin = readLpipsLinear(readFileSync('vgg.pth'));
 */
export function readLpipsLinear(bytes: Uint8Array): Map<string, TensorData> {
  const signature = Object.fromEntries(VGG16_CHANNELS.map((c, k) => [`lin${k}.model.1.weight`, [1, c, 1, 1]]));
  return readStateDict(bytes, { what: `the LPIPS v0.1 VGG linear layers (PerceptualSimilarity ${LPIPS_FILE})`, signature });
}

/**
 * LPIPS-VGG v0.1 on graph tensors. The same instance serves any image size (at least 16x16) and batch.
 * @example
 * const lpips = new Lpips(readVgg16(vggBytes, false), readLpipsLinear(linBytes));
 * const d = lpips.distance(x, y); // [N], x and y [N, 3, H, W] in [-1, 1]
 */
export class Lpips {
  readonly vgg: Vgg16;
  /** Per-tap channel weights w_k [C_k] of the lin layers. */
  private readonly lin: Float32Array[];
  constructor(vggFeatures: ReadonlyMap<string, TensorData>, linear: ReadonlyMap<string, TensorData>) {
    this.vgg = new Vgg16(vggFeatures);
    this.lin = VGG16_CHANNELS.map((c, k) => {
      const t = linear.get(`lin${k}.model.1.weight`);
      if (!t || t.shape.join() !== [1, c, 1, 1].join()) throw new CheckpointError(`LPIPS linear layers: lin${k}.model.1.weight must be [1, ${c}, 1, 1]`);
      return Float32Array.from(t.data as Float32Array);
    });
  }

  /** Unit-normalised taps of x [N, 3, H, W] in [-1, 1]: the scaling layer, VGG16, normalize_tensor per tap. */
  private normalisedTaps(x: E.Tensor): E.Tensor[] {
    const h = E.div(E.sub(x, E.constant(SHIFT, [1, 3, 1, 1])), E.constant(SCALE, [1, 3, 1, 1]));
    return this.vgg.taps(h).map((f) => E.div(f, E.add(E.sqrt(E.sum(E.square(f), 1, true)), NORM_EPS))); // [N, C_k, H_k, W_k]
  }

  /**
   * The distance per image pair, [N]: sum over taps of mean over space of sum_c w_c (f0 - f1)^2.
   * @example const d = lpips.distance(E.input('x', [2, 3, 64, 64]), E.input('y', [2, 3, 64, 64]));
   */
  distance(x: E.Tensor, y: E.Tensor): E.Tensor {
    const fx = this.normalisedTaps(x);
    const fy = this.normalisedTaps(y);
    const per = fx.map((f, k) => {
      const C = f.shape[1]!;
      const d = E.square(E.sub(f, fy[k]!)); // [N, C, H, W]
      const weighted = E.conv2d(d, E.constant(this.lin[k]!, [1, C, 1, 1])); // lin_k: 1x1 conv, no bias [N, 1, H, W]
      return E.mean(weighted, [1, 2, 3]); // spatial_average [N]
    });
    return per.reduce((a, b) => E.add(a, b));
  }

  /**
   * Features phi(x) [N, F] with |phi(x) - phi(y)|^2 = distance(x, y): each normalised tap times sqrt(w_c / (H W)),
   * flattened and concatenated (what NVIDIA's vgg16.pt returns with return_lpips=True). The projector compares
   * a fixed target's features with the synthesised image's this way.
   * @example const target = lpips.features(E.input('target', [1, 3, 256, 256]));
   */
  features(x: E.Tensor): E.Tensor {
    const [N] = x.shape as number[];
    const parts = this.normalisedTaps(x).map((f, k) => {
      const [, C, H, W] = f.shape as number[];
      const w = this.lin[k]!;
      if (w.some((v) => v < 0)) throw new CheckpointError(`LPIPS lin${k} has negative weights: its distance has no feature form (use distance())`);
      const s = Float32Array.from(w, (v) => Math.sqrt(v / (H! * W!)));
      return E.reshape(E.mul(f, E.constant(s, [1, C!, 1, 1])), [N!, C! * H! * W!]);
    });
    return E.concat(parts, 1);
  }
}

/**
 * LPIPS bound to an engine: compiled once per input shape, released by `dispose()`.
 * @example
 * const s = new LpipsSession(engine, lpips);
 * const d = await s.distances(x, y, [2, 3, 64, 64]); // Float32Array [2]
 * await s.dispose();
 */
export class LpipsSession {
  private readonly programs: E.ProgramCache;
  constructor(
    engine: E.Engine,
    readonly lpips: Lpips,
  ) {
    this.programs = new E.ProgramCache(engine);
  }

  /** Distances of image pairs x, y [N, 3, H, W] in [-1, 1] (row-major), [N]. */
  async distances(x: Float32Array, y: Float32Array, shape: readonly [number, number, number, number]): Promise<Float32Array> {
    const prog = await this.programs.get(`lpips:${shape.join('x')}`, () => ({ d: this.lpips.distance(E.input('x', shape), E.input('y', shape)) }));
    return (await prog.run({ x, y })).d!.data;
  }

  /** Number of compiled programs held open. */
  get sessions(): number {
    return this.programs.size;
  }

  dispose(): Promise<void> {
    return this.programs.dispose();
  }
}
