// The projector's image distance, pluggable: LPIPS (the official choice, a VGG16 perceptual distance) or plain
// mean squared error. Images reach the distance as projector.py hands them to VGG16: downsampled to 256x256 by
// area averaging (F.interpolate mode='area') when larger.
import * as E from '../engine/index.js';
import { InputError } from '../errors.js';
import type { Lpips } from '../metrics/lpips.js';

/** The side the projector downsamples larger images to before the distance (VGG16 was built for 224x224). */
export const DISTANCE_SIZE = 256;

/**
 * A distance between the synthesised image and the target, built into the step graph.
 * @example const d = mseDistance(); const dist = d.graph(synth); const feeds = await d.targetFeeds(target, 3, 256);
 */
export interface ProjectionDistance {
  /** Short name for logs ('lpips', 'mse'). */
  readonly name: string;
  /**
   * The scalar distance of `synth` [1, C, S, S] (values about [-1, 1]) to the target, which the graph reads from
   * inputs this call creates (fed from `targetFeeds`).
   */
  graph(synth: E.Tensor): E.Tensor;
  /** Feeds of the target inputs for a target image [1, C, S, S] in [-1, 1]. */
  targetFeeds(target: Float32Array, channels: number, size: number): Promise<Record<string, E.Feed>>;
  /** Releases what the distance holds (programs); the projector calls it when disposed. */
  dispose(): Promise<void>;
}

/**
 * The squared L2 distance of the images in [-1, 1], summed over pixels and channels: projector.py's
 * `(target_features - synth_features).square().sum()` with the pixels as the features. What the CLI uses with
 * --loss mse (no feature network needed). Summed rather than averaged so that the image term keeps its weight
 * against the noise regulariser (1e5) on the noise buffers: with the mean, the regulariser's gradient swamps the
 * image's there and a network with strong noise is matched ~10 dB worse (24 vs 36 dB PSNR on stylegan2-tiny).
 * @example const d = mseDistance();
 */
export function mseDistance(): ProjectionDistance {
  return {
    name: 'mse',
    graph(synth) {
      const target = E.input('target', synth.shape);
      return E.sum(E.square(E.sub(synth, target)));
    },
    async targetFeeds(target) {
      return { target };
    },
    async dispose() {},
  };
}

/**
 * LPIPS-VGG v0.1 as projector.py uses NVIDIA's vgg16.pt: the target's LPIPS features phi(target) computed once,
 * then dist = |phi(target) - phi(synth)|^2 (= LPIPS(target, synth)) each step.
 * @example const d = lpipsDistance(G.engine, new Lpips(readVgg16(vggBytes, false), readLpipsLinear(linBytes)));
 */
export function lpipsDistance(engine: E.Engine, lpips: Lpips): ProjectionDistance {
  return {
    name: 'lpips',
    graph(synth) {
      const f = lpips.features(synth); // [1, F]
      return E.sum(E.square(E.sub(E.input('target_features', f.shape), f)));
    },
    async targetFeeds(target, channels, size) {
      const prog = await engine.compile({ f: lpips.features(E.input('x', [1, channels, size, size])) });
      try {
        return { target_features: Float32Array.from((await prog.run({ x: target })).f!.data) };
      } finally {
        await prog.dispose();
      }
    },
    async dispose() {},
  };
}

/** Bin [start, end) of output index i of adaptive average pooling from n to size (floor and ceil, as torch). */
function bin(i: number, n: number, size: number): [number, number] {
  return [Math.floor((i * n) / size), Math.ceil(((i + 1) * n) / size)];
}

/** The averaging matrix [size, n] of adaptive average pooling along one axis. */
function poolMatrix(n: number, size: number): Float32Array {
  const m = new Float32Array(size * n);
  for (let i = 0; i < size; i++) {
    const [s, e] = bin(i, n, size);
    for (let j = s; j < e; j++) m[i * n + j] = 1 / (e - s);
  }
  return m;
}

/**
 * F.interpolate(x, size=(size, size), mode='area') of x [N, C, H, H] when H > size (else x itself): k x k means
 * when size divides H (every StyleGAN resolution), adaptive-pooling matrices otherwise.
 * @example const small = areaDownsample(img, 256); // [1, 3, 256, 256] from [1, 3, 1024, 1024]
 */
export function areaDownsample(x: E.Tensor, size = DISTANCE_SIZE): E.Tensor {
  const [N, C, H, W] = x.shape as number[];
  if (H !== W) throw new InputError(`area downsampling expects square images, got ${H}x${W}`);
  if (H! <= size) return x;
  if (H! % size === 0) {
    const k = H! / size;
    return E.mean(E.reshape(x, [N!, C!, size, k, size, k]), [3, 5]); // [N, C, size, size]
  }
  const P = E.constant(poolMatrix(H!, size), [size, H!]);
  return E.matmul(E.matmul(P, x), E.transposeLast(P)); // [N, C, size, size]
}

/**
 * areaDownsample on plain arrays (float64 sums), for the target and as the graph's reference.
 * @example const t = areaDownsampleRef(target, 3, 1024); // [1, 3, 256, 256]
 */
export function areaDownsampleRef(x: Float32Array, channels: number, n: number, size = DISTANCE_SIZE): Float32Array {
  if (n <= size) return Float32Array.from(x);
  const out = new Float32Array(channels * size * size);
  for (let c = 0; c < channels; c++)
    for (let i = 0; i < size; i++) {
      const [y0, y1] = bin(i, n, size);
      for (let j = 0; j < size; j++) {
        const [x0, x1] = bin(j, n, size);
        let s = 0;
        for (let y = y0; y < y1; y++) for (let xx = x0; xx < x1; xx++) s += x[(c * n + y) * n + xx]!;
        out[(c * size + i) * size + j] = s / ((y1 - y0) * (x1 - x0));
      }
    }
  return out;
}
