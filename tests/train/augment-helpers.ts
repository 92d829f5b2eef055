// Shared helpers of the augmentation tests: run augmentPipe on onnxruntime with explicit draws.
import * as E from '../../src/engine/index.js';
import { augmentPipe, type AugmentSpec } from '../../src/train/augment.js';
import { rng } from '../engine/harness.js';

export type Draws = Record<string, Float64Array>;

/** A compiled augmentation of images of one shape, with its draw inputs. */
export interface Augmenter {
  run(x: ArrayLike<number>, p: number, draws: Draws): Promise<Float32Array>;
  /** The random inputs (name, shape, kind) the graph reads. */
  inputs: readonly { name: string; shape: readonly number[]; random?: E.RandomKind }[];
  dispose(): Promise<void>;
}

export async function augmenter(engine: E.Engine, shape: number[], spec: AugmentSpec): Promise<Augmenter> {
  const y = augmentPipe(E.input('x', shape), E.input('p', []), spec);
  const prog = await engine.compile({ y });
  const inputs = prog.inputs.filter((i) => i.random);
  return {
    inputs,
    run: async (x, p, draws) => {
      const feeds: Record<string, E.Feed> = { x: Float32Array.from(x), p: [p] };
      for (const i of inputs) feeds[i.name] = Float32Array.from(draws[i.name]!);
      return (await prog.run(feeds)).y!.data;
    },
    dispose: () => prog.dispose(),
  };
}

/** Seeded draws for every random input: uniforms in [0, 1), normals by Box-Muller; `fixed` overrides by name (a number fills). */
export function makeDraws(inputs: Augmenter['inputs'], seed: number, fixed: Record<string, number | ArrayLike<number>> = {}): Draws {
  const r = rng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const out: Draws = {};
  for (const i of inputs) {
    const n = i.shape.reduce((a, b) => a * b, 1);
    const f = fixed[i.name];
    out[i.name] = f === undefined ? Float64Array.from({ length: n }, i.random === 'normal' ? normal : r) : typeof f === 'number' ? new Float64Array(n).fill(f) : Float64Array.from(f);
  }
  return out;
}

/** Seeded test images in [-1, 1]. */
export function images(shape: readonly number[], seed: number): Float64Array {
  const r = rng(seed);
  return Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r() * 2 - 1);
}

/** Largest absolute difference. */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
