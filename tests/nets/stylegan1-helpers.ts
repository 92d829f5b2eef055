// Shared helpers of the StyleGAN (v1) tests: tiny configurations, random weights that exercise every path,
// plain-TypeScript reference ops on NCHW arrays, and running graphs on onnxruntime.
import type { TensorData } from '../../src/io/tensor.js';
import * as E from '../../src/engine/index.js';
import { stylegan1DiscriminatorConfig, stylegan1GeneratorConfig, type StyleGAN1DiscriminatorConfig, type StyleGAN1GeneratorConfig } from '../../src/nets/stylegan1/config.js';
import type { ParamSpec } from '../../src/nets/stylegan2/init.js';
import { Weights } from '../../src/nets/weights.js';
import { rng } from '../engine/harness.js';

/** A 16x16 generator with 32/16/8 channels at 4/8/16 and a 2-layer mapping of 8 features. */
export function tinyGeneratorConfig(imgResolution = 16): StyleGAN1GeneratorConfig {
  return stylegan1GeneratorConfig({ imgResolution, zDim: 8, wDim: 8, fmapBase: 64, mappingLayers: 2 });
}

export function tinyDiscriminatorConfig(imgResolution = 16): StyleGAN1DiscriminatorConfig {
  return stylegan1DiscriminatorConfig({ imgResolution, fmapBase: 64, mbstdGroupSize: 2 });
}

/** Every tensor uniform in [-0.5, 0.5] (plus 1 for the constant; lod 0), so that biases, noise and styles all matter. */
export function randomTensors(specs: readonly ParamSpec[], seed: number): Map<string, TensorData> {
  const r = rng(seed);
  const out = new Map<string, TensorData>();
  for (const p of specs) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    const data = p.name === 'synthesis.lod' ? new Float32Array(1) : new Float32Array(n).map(() => r() - 0.5 + (p.name.endsWith('.const') ? 1 : 0));
    out.set(p.name, { dtype: 'float32', shape: [...p.shape], data });
  }
  return out;
}

export function randomWeights(specs: readonly ParamSpec[], seed: number): Weights {
  return new Weights(randomTensors(specs, seed));
}

/** Uniform values in [-1, 1]. */
export function randomData(n: number, seed: number): Float32Array {
  const r = rng(seed);
  return new Float32Array(n).map(() => 2 * r() - 1);
}

/** Runs outputs on onnxruntime with the given feeds and disposes the program. */
export async function run(engine: E.Engine, outputs: Record<string, E.Tensor>, feeds: Record<string, E.Feed> = {}, random?: E.RandomSource): Promise<Record<string, Float32Array>> {
  const prog = await engine.compile(outputs);
  try {
    const res = await prog.run(feeds, random ? { random } : {});
    return Object.fromEntries(Object.entries(res).map(([k, v]) => [k, v.data]));
  } finally {
    await prog.dispose();
  }
}

/** Nearest-neighbour upscaling of NCHW data by `f`. */
export function upscaleNearest(x: Float32Array, N: number, C: number, H: number, f: number): Float32Array {
  const out = new Float32Array(N * C * H * f * H * f);
  const W = H * f;
  for (let nc = 0; nc < N * C; nc++) for (let y = 0; y < W; y++) for (let xx = 0; xx < W; xx++) out[nc * W * W + y * W + xx] = x[nc * H * H + Math.floor(y / f) * H + Math.floor(xx / f)]!;
  return out;
}

/** 'SAME' correlation of x [N, I, H, H] with w [O, I, k, k] (odd k), as TensorFlow's conv2d. */
export function convSame(x: Float32Array, N: number, I: number, H: number, w: Float32Array, O: number, k: number): Float32Array {
  const out = new Float32Array(N * O * H * H);
  const p = (k - 1) / 2;
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      for (let y = 0; y < H; y++) {
        for (let xx = 0; xx < H; xx++) {
          let s = 0;
          for (let i = 0; i < I; i++) {
            for (let a = 0; a < k; a++) {
              for (let b = 0; b < k; b++) {
                const yy = y + a - p;
                const xq = xx + b - p;
                if (yy >= 0 && yy < H && xq >= 0 && xq < H) s += x[((n * I + i) * H + yy) * H + xq]! * w[((o * I + i) * k + a) * k + b]!;
              }
            }
          }
          out[((n * O + o) * H + y) * H + xx] = s;
        }
      }
    }
  }
  return out;
}
