// Architectures without an official fixture (generator orig/resnet, discriminator skip/orig, minibatch-stddev
// with several groups): the fast formulation against the official one, and onnxruntime against the float64
// reference interpreter, on randomly initialised networks.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import * as E from '../../src/engine/index.js';
import { createEngine, StyleGAN2Discriminator, StyleGAN2Generator, validateGeneratorConfig, Weights, zFromSeed, type DiscriminatorConfig, type GeneratorConfig } from '../../src/node.js';
import { discriminator, minibatchStd } from '../../src/nets/stylegan2/discriminator.js';
import { discriminatorSpecs, generatorSpecs, initialize } from '../../src/nets/stylegan2/init.js';
import { numWsOf, type Architecture } from '../../src/nets/stylegan2/config.js';
import { synthesisNetwork } from '../../src/nets/stylegan2/synthesis.js';
import { assertClose, randomND, rng } from '../engine/harness.js';

const engine = createEngine({ threads: 1 });
after(() => engine.dispose());

function generatorConfig(architecture: Architecture): GeneratorConfig {
  const synthesis = { wDim: 16, imgResolution: 16, imgChannels: 3, channelBase: 128, channelMax: 16, numFp16Res: 0, architecture, resampleFilter: [1, 3, 3, 1], convClamp: 256, useNoise: true, activation: 'lrelu' as const };
  const mapping = { zDim: 8, cDim: 0, wDim: 16, numWs: numWsOf(synthesis), numLayers: 2, embedFeatures: null, layerFeatures: null, activation: 'lrelu' as const, lrMultiplier: 0.01, wAvgBeta: 0.998 };
  return validateGeneratorConfig({ zDim: 8, cDim: 0, wDim: 16, imgResolution: 16, imgChannels: 3, mapping, synthesis });
}

/** Official init, plus non-zero noise strengths and biases so that every path matters. */
function weightsFor(specs: ReturnType<typeof generatorSpecs>, seed: number): Weights {
  const tensors = initialize(specs, seed);
  const r = rng(seed);
  for (const [name, t] of tensors) if (/(noise_strength|\.bias)$/.test(name)) t.data = new Float32Array(t.data.length).map(() => r() - 0.5);
  return new Weights(tensors);
}

describe('generator architectures', () => {
  for (const arch of ['orig', 'resnet', 'skip'] as const) {
    test(`${arch}: fast = official fused formulation = reference interpreter`, async () => {
      const cfg = generatorConfig(arch);
      const specs = generatorSpecs(cfg);
      if (arch === 'resnet') assert.ok(specs.some((s) => s.name === 'synthesis.b8.skip.weight'));
      if (arch === 'orig') assert.ok(!specs.some((s) => s.name === 'synthesis.b8.torgb.weight') && specs.some((s) => s.name === 'synthesis.b16.torgb.weight'));
      const G = new StyleGAN2Generator(engine, cfg, weightsFor(specs, 3));
      const ws = await G.mapping(zFromSeed(1, 8), null, { psi: 0.8 });
      const fast = await G.synthesis(ws, { noiseMode: 'const' });
      const fused = await G.synthesis(ws, { noiseMode: 'const', fused: true });
      assert.equal(fast.length, 3 * 16 * 16);
      assertClose(fast, fused, 1e-4, 1e-4, 'fast vs fused');
      const wsIn = E.input('ws', [1, cfg.mapping.numWs!, 16]);
      const [ref] = E.evaluate([synthesisNetwork(cfg.synthesis, G.weights.scope('synthesis'), wsIn, { noiseMode: 'const' })], { ws: E.ndarray(wsIn.shape, ws) });
      assertClose(fast, ref!.data, 1e-4, 1e-4, 'onnxruntime vs reference interpreter');
      await G.dispose();
    });
  }
});

describe('discriminator architectures', () => {
  for (const arch of ['resnet', 'skip', 'orig'] as const) {
    test(`${arch}, conditional, batch 4 with minibatch groups of 2: fast = official conv2d_resample fallback = reference interpreter`, async () => {
      const cfg: DiscriminatorConfig = {
        cDim: 3, imgResolution: 16, imgChannels: 3, architecture: arch, channelBase: 128, channelMax: 16, numFp16Res: 0, convClamp: 256, cmapDim: null,
        activation: 'lrelu', resampleFilter: [1, 3, 3, 1], mapping: { numLayers: 2, embedFeatures: null, layerFeatures: null, activation: 'lrelu', lrMultiplier: 0.01, wAvgBeta: null },
        mbstdGroupSize: 2, mbstdNumChannels: 1,
      };
      const D = new StyleGAN2Discriminator(engine, cfg, weightsFor(discriminatorSpecs(cfg), 5));
      const img = randomND([4, 3, 16, 16], rng(6));
      const c = Float32Array.from({ length: 12 }, (_, i) => (i % 4 === 0 ? 1 : 0));
      const logits = await D.logits(Float32Array.from(img.data), c);
      const imgIn = E.input('img', [4, 3, 16, 16]);
      const cIn = E.input('c', [4, 3]);
      const refGraph = discriminator(cfg, D.weights.scope(''), imgIn, cIn, { reference: true });
      const prog = await engine.compile({ logits: refGraph });
      const official = (await prog.run({ img: Float32Array.from(img.data), c })).logits!.data;
      await prog.dispose();
      assertClose(logits, official, 1e-4, 1e-4, 'fast vs official formulation');
      const [ref] = E.evaluate([refGraph], { img, c: E.ndarray([4, 3], c) });
      assertClose(logits, ref!.data, 1e-4, 1e-4, 'onnxruntime vs reference interpreter');
      await D.dispose();
    });
  }
});

test('minibatch stddev: groups of 2 over a batch of 4, 2 channel groups, against a direct loop', () => {
  const [N, C, H, W, G, F] = [4, 4, 2, 3, 2, 2];
  const x = randomND([N, C, H, W], rng(8));
  const [y] = E.evaluate([minibatchStd(E.input('x', [N, C, H, W]), G, F)], { x });
  // Sample n belongs to group n % (N / G): the official reshape(G, -1, ...) puts index g * (N/G) + m in group m.
  const n = N / G;
  const c = C / F;
  for (let s = 0; s < N; s++) {
    const m = s % n;
    for (let f = 0; f < F; f++) {
      let acc = 0;
      for (let ch = f * c; ch < (f + 1) * c; ch++)
        for (let p = 0; p < H * W; p++) {
          const vals = Array.from({ length: G }, (_, g) => x.data[((g * n + m) * C + ch) * H * W + p]!);
          const mean = vals.reduce((a, b) => a + b, 0) / G;
          acc += Math.sqrt(vals.reduce((a, b) => a + (b - mean) ** 2, 0) / G + 1e-8);
        }
      const expected = acc / (c * H * W);
      for (let p = 0; p < H * W; p++) assert.ok(Math.abs(y!.data[((s * (C + F)) + C + f) * H * W + p]! - expected) < 1e-12, `sample ${s} feature ${f}`);
    }
  }
});
