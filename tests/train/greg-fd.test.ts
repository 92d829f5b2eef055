// The path-length (Greg) gradients, as the ONNX float32 graph computes them, against float64 central finite
// differences of the same loss (the engine's reference interpreter) on a StyleGAN2 G of the shape where
// `synthesis.b16.conv1.noise_strength` was seen 3% from an official step: z_dim 256, w_dim 256, channel_base 2048,
// channel_max 128, 8 mapping layers, conv_clamp 256, batch 4 / pl_batch_shrink 2, pl_weight 2, noise const, random
// weights from `initialize` (and random noise strengths, as a trained network has). The resolution is 16 (blocks
// b4, b8, b16 at 128 channels) so that each float64 evaluation takes about a second; parameters are subsampled:
// b16.conv1.noise_strength alone, every noise strength together, and a random direction over a few elements of
// every parameter. (At 128x128 the float32 gradient of b16.conv1.noise_strength is within 8e-6 of the float64
// evaluation of the graph, the largest gap of the 90 parameters; see README, Training.)
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import * as E from '../../src/engine/index.js';
import { createEngine } from '../../src/node.js';
import { generatorConfigFromKwargs } from '../../src/nets/stylegan2/config.js';
import { generatorSpecs, initialize } from '../../src/nets/stylegan2/init.js';
import { RandomState } from '../../src/random/numpy-random.js';
import { StyleGAN2Loss } from '../../src/train/loss.js';
import { StyleGAN2TrainableGenerator } from '../../src/train/stylegan/stylegan2.js';

const R = 16;
const B = 2; // batch 4 / pl_batch_shrink 2
const cfg = generatorConfigFromKwargs({ z_dim: 256, w_dim: 256, c_dim: 0, img_resolution: R, img_channels: 3, channel_base: 2048, channel_max: 128, num_fp16_res: 4, conv_clamp: 256, mapping_kwargs: { num_layers: 8 } });

describe('Greg gradients against float64 finite differences (z 256, w 256, channel_base 2048, channel_max 128, conv_clamp 256)', () => {
  const engine = createEngine({ threads: 2 });
  after(() => engine.dispose());
  const rs = new RandomState(7);
  const tensors = initialize(generatorSpecs(cfg), 3);
  for (const [name, t] of tensors) if (name.endsWith('noise_strength')) t.data[0] = rs.randn(1)[0]! * 0.3;
  const G = new StyleGAN2TrainableGenerator(cfg, tensors);
  // Greg uses only G; the discriminator is never built.
  const loss = new StyleGAN2Loss(G, null as never, { batch: 2 * B, r1Gamma: 1, plWeight: 2, plDecay: 0.01, plBatchShrink: 2, styleMixing: false, noiseMode: 'const' });
  const graph = loss.phase('Greg', 4);
  const z = Float32Array.from(rs.randn(B * 256));
  const plNoise = Float32Array.from(rs.randn(B * 3 * R * R), (v) => v / R); // randn / sqrt(H * W)
  const plMean = 0.5;
  // The official gradient has none through the running mean (the stylegan2-train-step fixture shows it), so the
  // finite differences differentiate the penalty with the running mean held at its updated value: a second graph
  // with pl_decay 0 fed that value.
  const fixedMean = new StyleGAN2Loss(G, null as never, { ...loss.o, plDecay: 0 }).phase('Greg', 4).outputs.loss!;
  let updatedMean = NaN; // pl_mean_after of the float32 step
  const float64Loss = (): number =>
    E.evaluate([fixedMean], { z: E.ndarray([B, 256], z), pl_noise: E.ndarray([B, 3, R, R], plNoise), pl_mean: E.ndarray([], [updatedMean]) })[0]!.data[0]! * 4; // * gain

  /** Elements to move: parameter -> (element index -> step). */
  type Step = Map<E.Parameter, Map<number, number>>;

  /**
   * Central difference of the float64 loss along `step`: the parameters are set to the float32 values theta + step,
   * then theta - step, then back. Returns L+ - L- and the exact (float64) difference of every value moved.
   */
  const centralDifference = (step: Step): { dL: number; moved: Step } => {
    const entries = [...step].flatMap(([p, elems]) => [...elems].map(([i, d]) => ({ p, i, d, base: p.data[i]! })));
    const at = (sign: number): number[] =>
      entries.map((e) => {
        e.p.data[e.i] = e.base + sign * e.d;
        return e.p.data[e.i]!; // the value as float32 stores it
      });
    const plus = at(1);
    const lPlus = float64Loss();
    const minus = at(-1);
    const lMinus = float64Loss();
    for (const e of entries) e.p.data[e.i] = e.base;
    const moved: Step = new Map();
    entries.forEach((e, k) => moved.set(e.p, (moved.get(e.p) ?? new Map()).set(e.i, plus[k]! - minus[k]!)));
    return { dL: lPlus - lMinus, moved };
  };

  test('b16.conv1.noise_strength, every noise strength, and a random direction over every parameter', async () => {
    const prog = await engine.compile(graph.outputs, 'inputs');
    const out = await prog.run({ z, pl_noise: plNoise, pl_mean: Float32Array.of(plMean) });
    await prog.dispose();
    updatedMean = out.pl_mean_after!.data[0]!;
    const grad = (p: E.Parameter) => out[`grad:${p.name}`]!.data;
    const params = graph.params;
    const noise = params.filter((p) => p.name.endsWith('noise_strength'));
    assert.deepEqual(noise.map((p) => p.name), ['synthesis.b4.conv1.noise_strength', 'synthesis.b8.conv0.noise_strength', 'synthesis.b8.conv1.noise_strength', 'synthesis.b16.conv0.noise_strength', 'synthesis.b16.conv1.noise_strength']);
    const sign = () => (rs.randn(1)[0]! > 0 ? 1 : -1);
    // Steps of 1e-7 of the value (at least 1e-9: a few float32 ulps; the exact float32 move is what counts). The
    // penalty holds the Jacobian, whose leaky-ReLU slopes jump where an activation crosses zero: with ~10^5
    // activations, steps of 1e-3 cross such kinks and the quotient is off tenfold, steps of 1e-5 still cross some
    // when every noise strength moves; at 1e-7 none is crossed, and float64 keeps the quotient's rounding near 1e-8.
    const along = (p: E.Parameter, i: number, s: number): number => s * 1e-7 * Math.max(Math.abs(p.data[i]!), 1e-2);
    const b16 = noise[4]!;
    const directions: [string, Step][] = [
      ['b16.conv1.noise_strength', new Map([[b16, new Map([[0, along(b16, 0, 1)]])]])],
      ['every noise strength', new Map(noise.map((p) => [p, new Map([[0, along(p, 0, sign())]])]))],
      ['4 random elements of every parameter', new Map(params.map((p) => {
        const idx = new Set(Array.from({ length: Math.min(4, p.data.length) }, () => Math.floor(rs.randomSample() * p.data.length)));
        return [p, new Map([...idx].map((i) => [i, along(p, i, sign())]))];
      }))],
    ];
    for (const [what, step] of directions) {
      const { dL, moved } = centralDifference(step);
      let predicted = 0; // the float32 gradient along the exact move
      let scale = 0;
      for (const [p, elems] of moved) for (const [i, d] of elems) (predicted += grad(p)[i]! * d), (scale += Math.abs(grad(p)[i]! * d));
      assert.ok(Math.abs(dL - predicted) <= 1e-5 * scale, `${what}: float64 finite difference ${dL} vs float32 gradient ${predicted} (scale ${scale})`);
      if (what === 'b16.conv1.noise_strength') {
        const slope = dL / moved.get(b16)!.get(0)!;
        assert.ok(Math.abs(grad(b16)[0]! - slope) <= 1e-5 * Math.abs(slope), `float32 ${grad(b16)[0]} vs float64 finite difference ${slope}`);
      }
    }
  });
});
