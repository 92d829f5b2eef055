// StyleGAN3 (configs T and R): parity with every official output in ../shared/fixtures/stylegan3-{t,r}-tiny
// (ws, float and uint8 images, translated/rotated images, D logits), for the fast and the reference formulation;
// the DragGAN feature list; and the random-initialised network's tensors.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import * as E from '../../src/engine/index.js';
import {
  createEngine, generator3Specs, generatorConfig3FromKwargs, initialize3, toFloat32, inputTransform, loadCheckpoint, openDiscriminator, openGenerator, readNpy, StyleGAN3Generator, synthesisPlan, toUint8Image, Weights, zFromSeed,
} from '../../src/node.js';
import { synthesisNetwork3 } from '../../src/nets/stylegan3/synthesis.js';
import { assertClose } from '../engine/harness.js';
import { fixture } from '../fixtures.js';

const engine = createEngine({ threads: 1 });
after(() => engine.dispose());

const npy = (dir: string, file: string) => ({ data: toFloat32(readNpy(readFileSync(fixture(dir, file)))) });

/** The fixtures README's uint8 rule: >= 99.9% identical, never more than 1 apart. */
function assertUint8Close(actual: Uint8Array, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: size`);
  let diff = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    assert.ok(d <= 1, `${what}: value ${i} is ${actual[i]}, official ${expected[i]}`);
    if (d) diff++;
  }
  assert.ok(diff <= actual.length * 0.001, `${what}: ${diff} of ${actual.length} values differ`);
}

interface Call {
  seed: number;
  psi: number;
  z?: string;
  ws?: string;
  img: string;
  uint8_nhwc?: string;
  translate?: [number, number];
  rotate_degrees?: number;
}

for (const dir of ['stylegan3-t-tiny', 'stylegan3-r-tiny']) {
  describe(`${dir}: official outputs`, () => {
    const ref = JSON.parse(readFileSync(fixture(dir, 'reference.json'), 'utf8')) as { calls: Call[]; z_dim: number; img_resolution: number };
    const ckpt = loadCheckpoint(fixture(dir, 'network.pkl'));
    const G = openGenerator(engine, ckpt);
    after(() => G.dispose());
    const R = ref.img_resolution;

    test('is opened as a StyleGAN3 generator with the official dimensions', () => {
      assert.ok(G instanceof StyleGAN3Generator);
      assert.equal(G.arch, 'stylegan3');
      assert.equal(ckpt.arch, 'stylegan3');
      assert.equal(G.numWs, 16);
      assert.equal(G.zDim, ref.z_dim);
      assert.equal(ckpt.networks.D?.arch, 'stylegan2', 'the discriminator of an SG3 snapshot is StyleGAN2');
    });

    for (const call of ref.calls.filter((c) => c.z)) {
      test(`seed ${call.seed} psi ${call.psi}: z, ws, image (fast and reference), uint8`, async () => {
        const z = zFromSeed(call.seed, G.zDim);
        assertClose(z, npy(dir, call.z!).data, 1e-6, 0, 'z');
        const ws = await G.mapping(z, null, { psi: call.psi });
        assertClose(ws, npy(dir, call.ws!).data, 1e-4, 0, 'ws');
        const expected = npy(dir, call.img).data;
        const img = await G.synthesis(ws);
        assertClose(img, expected, 2e-3, 0, 'image (fast path)');
        assertClose(await G.synthesis(ws, { fused: true }), expected, 2e-3, 0, 'image (reference path)');
        assertUint8Close(toUint8Image(img, 3, R, R), npy(dir, call.uint8_nhwc!).data, 'uint8 image');
      });
    }

    for (const call of ref.calls.filter((c) => c.translate)) {
      test(`translate ${call.translate} rotate ${call.rotate_degrees}: the image gen_images.py writes`, async () => {
        const ws = await G.mapping(zFromSeed(call.seed, G.zDim), null, { psi: call.psi });
        await G.synthesis(ws);
        const sessions = G.sessions;
        const img = await G.synthesis(ws, { transform: inputTransform(call.translate!, call.rotate_degrees!) });
        assertClose(img, npy(dir, call.img).data, 2e-3, 0, 'transformed image');
        // The transform is a run-time input: no new program, and the untransformed image differs.
        assert.equal(G.sessions, sessions);
        const plain = await G.synthesis(ws);
        assert.ok(plain.some((v, i) => Math.abs(v - img[i]!) > 1e-2), 'the transform changes the image');
      });
    }

    for (const seed of ref.calls.filter((c) => c.z && c.psi === 1).map((c) => c.seed)) {
      test(`D logits of seed ${seed} (the StyleGAN2 discriminator of the snapshot)`, async () => {
        const D = openDiscriminator(engine, ckpt);
        const img = await G.generate(zFromSeed(seed, G.zDim), null, { psi: 1 });
        assertClose(await D.logits(img, null), npy(dir, `d_logits_seed${seed}.npy`).data, 2e-3, 0, 'logits');
        await D.dispose();
      });
    }

    test('gradients w.r.t. ws through the fast path (what DragGAN needs) match finite differences', async () => {
      const G3 = G as StyleGAN3Generator;
      const features = new Map<string, E.Tensor>();
      const ws = E.input('ws', [1, G.numWs, G.wDim]);
      const img = synthesisNetwork3(G3.config.synthesis, G3.weights.scope('synthesis'), ws, { features });
      const f5 = [...features.values()][5]!;
      const loss = E.add(E.mean(E.square(img)), E.mean(E.square(f5)));
      const [g] = E.grad(loss, [ws]);
      const prog = await engine.compile({ loss, g: g! });
      const ws0 = npy(dir, ref.calls.find((c) => c.psi === 0.7 && c.z)!.ws!).data;
      const analytic = (await prog.run({ ws: ws0 })).g!.data;
      const eps = 1e-2;
      for (const i of [64 * 3 + 7, 64 * 15 + 63]) {
        const at = async (d: number) => (await prog.run({ ws: Float32Array.from(ws0, (v, j) => (j === i ? v + d : v)) })).loss!.data[0]!;
        const fd = ((await at(eps)) - (await at(-eps))) / (2 * eps);
        assert.ok(Math.abs(fd - analytic[i]!) <= 1e-2 * Math.abs(fd) + 1e-6, `d loss / d ws[${i}]: ${analytic[i]} vs finite difference ${fd}`);
      }
      await prog.dispose();
    });

    test('features: one per layer in DragGAN order, the last one is the image before output scaling', async () => {
      const features = new Map<string, E.Tensor>();
      const { img } = G.synthesisGraph(1, { features });
      const names = [...features.keys()];
      assert.deepEqual(names, synthesisPlan((G as StyleGAN3Generator).config.synthesis).layers.map((l) => l.name));
      assert.equal(names.length, G.numWs - 1);
      assert.match(names[0]!, /^L0_36_/);
      assert.equal(names.at(-1), `L14_${R}_3`);
      const prog = await engine.compile({ img, last: features.get(names.at(-1)!)!, f5: features.get(names[5]!)! });
      const ws = npy(dir, ref.calls[0]!.ws!).data;
      const out = await prog.run({ ws });
      await prog.dispose();
      assert.deepEqual(out.f5!.shape.slice(2), [52, 52]);
      assertClose(out.img!.data, Float32Array.from(out.last!.data, (v) => v * 0.25), 1e-6, 0, 'img = last feature * output_scale');
    });
  });
}

describe('random-initialised StyleGAN3 networks', () => {
  test('the initialised tensors are exactly what a snapshot of the same config holds (names, shapes, filters)', () => {
    for (const dir of ['stylegan3-t-tiny', 'stylegan3-r-tiny']) {
      const net = loadCheckpoint(fixture(dir, 'network.pkl')).networks.G_ema!;
      assert.equal(net.arch, 'stylegan3');
      if (net.arch !== 'stylegan3') continue;
      const specs = generator3Specs(net.config);
      assert.deepEqual(specs.map((s) => s.name), [...net.tensors.keys()], 'state_dict order');
      const init = initialize3(specs, 0);
      for (const s of specs) assert.deepEqual(init.get(s.name)!.shape, net.tensors.get(s.name)!.shape, s.name);
      // Fixed buffers come out as the official constructor makes them.
      assert.deepEqual(Array.from(toFloat32(init.get('synthesis.input.transform')!)), [1, 0, 0, 0, 1, 0, 0, 0, 1]);
      assert.deepEqual(Array.from(toFloat32(init.get('synthesis.input.affine.bias')!)), [1, 0, 0, 0]);
      assert.ok(toFloat32(init.get('synthesis.input.affine.weight')!).every((v) => v === 0));
      const freqs = toFloat32(init.get('synthesis.input.freqs')!);
      for (let c = 0; c < freqs.length / 2; c++) assert.ok(Math.hypot(freqs[2 * c]!, freqs[2 * c + 1]!) <= 2, 'frequencies within the bandwidth');
      assert.ok(toFloat32(init.get('synthesis.input.phases')!).every((v) => v >= -0.5 && v < 0.5));
    }
  });

  test('a random network generates finite images of the configured size', async () => {
    const net = loadCheckpoint(fixture('stylegan3-r-tiny', 'network.pkl')).networks.G_ema!;
    if (net.arch !== 'stylegan3') throw new Error('expected stylegan3');
    const G = new StyleGAN3Generator(engine, net.config, new Weights(initialize3(generator3Specs(net.config), 3)));
    const img = await G.generate(zFromSeed(0, G.zDim), null);
    assert.equal(img.length, 3 * 32 * 32);
    assert.ok(img.every(Number.isFinite));
    assert.ok(img.some((v) => v !== img[0]));
    await G.dispose();
    assert.equal(G.sessions, 0);
  });

  // Configurations the fixtures do not cover: odd up factors, identity filters, 5x5 and 1x1 kernels, tiny images.
  const odd: Record<string, unknown>[] = [{ lrelu_upsampling: 3 }, { img_resolution: 4 }, { filter_size: 1 }, { conv_kernel: 1, use_radial_filters: true }, { lrelu_upsampling: 1, margin_size: 3 }, { conv_kernel: 5, num_layers: 5, num_critical: 1 }];
  for (const kw of odd) {
    test(`fast and reference formulations agree: ${JSON.stringify(kw)}`, async () => {
      const cfg = generatorConfig3FromKwargs({ z_dim: 8, c_dim: 0, w_dim: 8, img_resolution: 16, img_channels: 3, channel_base: 256, channel_max: 8, ...kw });
      const G = new StyleGAN3Generator(engine, cfg, new Weights(initialize3(generator3Specs(cfg), 1)));
      const ws = await G.mapping(zFromSeed(0, 8), null);
      const reference = await G.synthesis(ws, { fused: true });
      assertClose(await G.synthesis(ws), reference, 1e-5, 1e-4, 'fast vs reference');
      assert.ok(reference.some((v) => Math.abs(v) > 1e-2), 'non-trivial image');
      await G.dispose();
    });
  }
});
