// StyleGAN (v1) networks (no official fixture: the official code is TensorFlow): shapes and tensor names,
// progressive growing (integer lod = the plain network of that resolution, fractional lod = the official
// 'linear' structure), fast path = reference path, gradients by finite differences, truncation and style
// mixing semantics, and the official initialisation.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import * as E from '../../src/engine/index.js';
import { type TensorData, toFloat32 } from '../../src/io/tensor.js';
import { lodOf, numLayersOf, stylegan1DiscriminatorConfig, stylegan1GeneratorConfig } from '../../src/nets/stylegan1/config.js';
import { discriminator1 } from '../../src/nets/stylegan1/discriminator.js';
import { stylegan1DiscriminatorSpecs, stylegan1GeneratorSpecs } from '../../src/nets/stylegan1/init.js';
import { mappingNetwork1, mixingCutoff, styleMixing } from '../../src/nets/stylegan1/mapping.js';
import { truncation } from '../../src/nets/truncation.js';
import { synthesisNetwork1 } from '../../src/nets/stylegan1/synthesis.js';
import { initialize } from '../../src/nets/stylegan2/init.js';
import { Weights } from '../../src/nets/weights.js';
import { seededSource } from '../../src/random/source.js';
import { assertClose, checkGrad, makeEngine, rng } from '../engine/harness.js';
import { randomData, randomTensors, run, tinyDiscriminatorConfig, tinyGeneratorConfig, upscaleNearest } from './stylegan1-helpers.js';

const engine = makeEngine();
after(() => engine.dispose());

/** The tensors of the network grown to `res`, renamed as the plain network of resolution `res` names them. */
function shrink(tensors: Map<string, TensorData>, R: number, res: number): Map<string, TensorData> {
  const k = lodOf(R, res);
  const out = new Map<string, TensorData>();
  for (const [name, t] of tensors) {
    const m = /^(.*(?:ToRGB|FromRGB)_lod)(\d+)(\..*)$/.exec(name);
    if (!m) out.set(name, t);
    else if (Number(m[2]) >= k) out.set(`${m[1]}${Number(m[2]) - k}${m[3]}`, t);
  }
  return out;
}

describe('generator', () => {
  const cfg = tinyGeneratorConfig(16);
  const tensors = randomTensors(stylegan1GeneratorSpecs(cfg), 1);
  const numWs = numLayersOf(16);
  const wsData = randomData(2 * numWs * 8, 2);

  test('shapes, one feature map per block, and every spec tensor used by the graphs', async () => {
    assert.equal(numWs, 6);
    const W = new Weights(tensors);
    const z = E.input('z', [2, 8]);
    const features = new Map<string, E.Tensor>();
    const ws = mappingNetwork1(cfg, W.scope('mapping'), z, null);
    assert.deepEqual(ws.shape, [2, 6, 8]);
    const img = synthesisNetwork1(cfg, W.scope('synthesis'), E.input('ws', [2, 6, 8]), { noiseMode: 'const', features, linear: true, lod: E.input('lod', []) });
    assert.deepEqual(img.shape, [2, 3, 16, 16]);
    assert.deepEqual([...features.keys()], ['b4', 'b8', 'b16']);
    assert.deepEqual([...features.values()].map((t) => t.shape), [[2, 32, 4, 4], [2, 16, 8, 8], [2, 8, 16, 16]]);
    truncation(ws, W.tensor('dlatent_avg'), 0.7, 8);
    // Everything but the saved level of detail, which the bound generator reads.
    assert.deepEqual(W.parameters().map((p) => p.name).sort(), [...tensors.keys()].filter((n) => n !== 'synthesis.lod').sort());
  });

  test('grown to 8x8: lod 1 is the plain 8x8 network, lod 2 the upscaled plain 4x4 network', async () => {
    const ws = E.input('ws', [2, numWs, 8]);
    const lod = E.input('lod', []);
    const grown = synthesisNetwork1(cfg, new Weights(tensors).scope('synthesis'), ws, { noiseMode: 'const', resolution: 8, lod });
    assert.deepEqual(grown.shape, [2, 3, 8, 8]);
    const plain = (res: number) => synthesisNetwork1(tinyGeneratorConfig(res), new Weights(shrink(tensors, 16, res)).scope('synthesis'), E.narrow(ws, 1, 0, numLayersOf(res)), { noiseMode: 'const' });
    for (const [lodValue, res] of [[1, 8], [2, 4]] as const) {
      // The two weight stores name their parameters alike: one program each.
      const g = (await run(engine, { grown }, { ws: wsData, lod: [lodValue] })).grown!;
      const p = (await run(engine, { plain: plain(res) }, { ws: wsData })).plain!;
      assertClose(g, res === 8 ? p : upscaleNearest(p, 2, 3, 4, 2), 1e-6, 1e-5, `lod ${lodValue}`);
    }
  });

  test('grown to 8x8 at lod 1.3 = the official linear structure at 16x16 (an upscaled image), and the fade is linear', async () => {
    const ws = E.input('ws', [2, numWs, 8]);
    const lod = E.input('lod', []);
    const P = new Weights(tensors).scope('synthesis');
    const grown = synthesisNetwork1(cfg, P, ws, { noiseMode: 'const', resolution: 8, lod });
    const linear = synthesisNetwork1(cfg, P, ws, { noiseMode: 'const', linear: true, lod });
    const out = await run(engine, { grown, linear }, { ws: wsData, lod: [1.3] });
    assertClose(out.linear!, upscaleNearest(out.grown!, 2, 3, 8, 2), 1e-6, 1e-5, 'linear vs grown');
    const at = async (v: number) => (await run(engine, { grown }, { ws: wsData, lod: [v] })).grown!;
    const [a, b] = [await at(1), await at(2)];
    assertClose(out.grown!, a.map((v, i) => 0.7 * v + 0.3 * b[i]!), 1e-5, 1e-5, 'lerp between the levels');
  });

  test('fast path = reference path (separate upscale + conv, 2-D blur), noise random and none', async () => {
    const P = new Weights(tensors).scope('synthesis');
    const ws = E.input('ws', [2, numWs, 8]);
    // Random noise inputs share their names: one program each, fed from the same seeded source.
    const fast = (await run(engine, { y: synthesisNetwork1(cfg, P, ws, { noiseMode: 'random' }) }, { ws: wsData }, seededSource(3))).y!;
    const ref = (await run(engine, { y: synthesisNetwork1(cfg, P, ws, { noiseMode: 'random', reference: true }) }, { ws: wsData }, seededSource(3))).y!;
    assertClose(fast, ref, 1e-5, 1e-4, 'fast vs reference');
    const none = await run(engine, { y: synthesisNetwork1(cfg, P, ws, { noiseMode: 'none' }), c: synthesisNetwork1(cfg, P, ws, { noiseMode: 'const' }) }, { ws: wsData });
    assert.ok(none.y!.some((v, i) => Math.abs(v - fast[i]!) > 1e-3) && none.c!.some((v, i) => Math.abs(v - none.y![i]!) > 1e-3), 'noise changes the image');
  });

  test('gradients w.r.t. ws by finite differences (8x8, fading in)', async () => {
    const small = stylegan1GeneratorConfig({ imgResolution: 8, zDim: 4, wDim: 4, fmapBase: 16, mappingLayers: 1 }); // 8 and 4 channels
    const W = new Weights(randomTensors(stylegan1GeneratorSpecs(small), 9));
    await checkGrad(null, {
      build: ([ws]) => synthesisNetwork1(small, W.scope('synthesis'), ws!, { noiseMode: 'const', lod: E.constant(0.4) }),
      shapes: [[1, 4, 4]],
      seed: 3,
    }, 1);
  });
});

describe('discriminator', () => {
  const cfg = tinyDiscriminatorConfig(16);
  const tensors = randomTensors(stylegan1DiscriminatorSpecs(cfg), 4);
  const x8 = randomData(2 * 3 * 64, 5);

  test('every spec tensor used; grown to 8x8: lod 1 is the plain 8x8 network, lod 1.6 the linear structure on the upscaled image', async () => {
    const W = new Weights(tensors);
    const img = E.input('img', [2, 3, 8, 8]);
    const lod = E.input('lod', []);
    const grown = discriminator1(cfg, W.scope(''), img, null, { lod });
    const plain = discriminator1(tinyDiscriminatorConfig(8), new Weights(shrink(tensors, 16, 8)).scope(''), img, null);
    const big = E.input('big', [2, 3, 16, 16]);
    const linear = discriminator1(cfg, W.scope(''), big, null, { lod, linear: true });
    assert.deepEqual(grown.shape, [2, 1]);
    assert.deepEqual(W.parameters().map((p) => p.name).sort(), [...tensors.keys()].sort());
    const at1 = await run(engine, { grown }, { img: x8, lod: [1] });
    assertClose(at1.grown!, (await run(engine, { plain }, { img: x8 })).plain!, 1e-5, 1e-4, 'lod 1');
    const at16 = await run(engine, { grown, linear }, { img: x8, big: upscaleNearest(x8, 2, 3, 8, 2), lod: [1.6] });
    assertClose(at16.grown!, at16.linear!, 1e-5, 1e-4, 'lod 1.6');
  });

  test('fast path = reference path; labels pick the score of the class', async () => {
    const cond = { ...cfg, cDim: 3 };
    const W = new Weights(randomTensors(stylegan1DiscriminatorSpecs(cond), 6));
    const img = E.input('img', [2, 3, 16, 16]);
    const c = E.input('c', [2, 3]);
    const x = randomData(2 * 3 * 256, 7);
    const out = await run(engine, { fast: discriminator1(cond, W.scope(''), img, c), ref: discriminator1(cond, W.scope(''), img, c, { reference: true }) }, { img: x, c: [0, 1, 0, 0, 0, 1] });
    assertClose(out.fast!, out.ref!, 1e-5, 1e-4, 'fast vs reference');
    assert.deepEqual(W.shape('4x4.Dense1.weight'), [3, 64]);
    // LabelSwitch: sum(scores * labels) is linear in the labels, and the classes score differently.
    const score = async (labels: number[]) => (await run(engine, { y: discriminator1(cond, W.scope(''), img, c) }, { img: x, c: labels })).y!;
    const [s1, s2, s3] = [await score([1, 0, 0, 0, 1, 0]), await score([0, 1, 0, 0, 0, 1]), await score([1, 1, 0, 0, 1, 1])];
    assertClose(s3, s1.map((v, i) => v + s2[i]!), 1e-5, 1e-5, 'linear in the labels');
    assert.ok(Math.abs(s1[0]! - s2[0]!) > 1e-4);
  });

  test('first and second-order gradients w.r.t. the image by finite differences (R1 needs the second)', async () => {
    const small = stylegan1DiscriminatorConfig({ imgResolution: 8, fmapBase: 16, mbstdGroupSize: 2 }); // 4 and 8 channels
    const W = new Weights(randomTensors(stylegan1DiscriminatorSpecs(small), 8));
    await checkGrad(engine, { build: ([img]) => discriminator1(small, W.scope(''), img!, null, { lod: E.constant(0.5) }), shapes: [[2, 3, 8, 8]], seed: 5 }, 2);
  });
});

describe('truncation and style mixing', () => {
  test('truncation lerps the first cutoff ws towards dlatent_avg by psi (cutoff null: all), psi 1 is the identity', async () => {
    const ws = E.input('ws', [1, 10, 2]);
    const avg = E.constant([1, -1], [2]);
    const wsData = randomData(20, 9);
    const out = await run(engine, { t8: truncation(ws, avg, 0.7, 8), all: truncation(ws, avg, 0.5, null), one: truncation(ws, avg, 1, 8) }, { ws: wsData });
    const expected = (psi: number, cutoff: number) => wsData.map((w, i) => (Math.floor(i / 2) < cutoff ? [1, -1][i % 2]! + (w - [1, -1][i % 2]!) * psi : w));
    assertClose(out.t8!, expected(0.7, 8), 1e-6, 1e-6, 'cutoff 8');
    assertClose(out.all!, expected(0.5, 10), 1e-6, 1e-6, 'cutoff null');
    assertClose(out.one!, wsData, 0, 0, 'psi 1');
  });

  test('style mixing takes the layers at and above the cutoff from the second ws; the cutoff follows G_style', async () => {
    const a = E.input('a', [2, 6, 1]);
    const b = E.input('b', [2, 6, 1]);
    const cut = E.input('cut', [1, 1, 1]);
    const out = await run(engine, { y: styleMixing(a, b, cut) }, { a: new Float32Array(12).fill(1), b: new Float32Array(12).fill(2), cut: [4] });
    assert.deepEqual([...out.y!], [1, 1, 1, 1, 2, 2, 1, 1, 1, 1, 2, 2]);
    const r = rng(1);
    const draws = Array.from({ length: 2000 }, () => mixingCutoff(r, 0.9, 12, 1.5)); // lod 1.5: 10 layers in use
    assert.ok(draws.every((d) => Number.isInteger(d) && d >= 1 && d <= 10));
    const kept = draws.filter((d) => d === 10).length / draws.length; // tf.random_uniform(1, cur_layers) never reaches cur_layers
    assert.ok(Math.abs(kept - 0.1) < 0.03, `no mixing ${kept}`);
    assert.ok([1, 5, 9].every((v) => draws.includes(v)));
    assert.equal(mixingCutoff(r, 0, 12, 0), 12);
  });
});

test('official initialisation: weights N(0, 1) (mapping N(0, 1/lrmul^2)), biases and noise strengths 0, const 1', () => {
  const cfg = tinyGeneratorConfig(16);
  const t = initialize(stylegan1GeneratorSpecs(cfg), 0);
  const stats = (name: string) => {
    const d = toFloat32(t.get(name)!);
    const mean = d.reduce((a, b) => a + b, 0) / d.length;
    return { mean, std: Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / d.length) };
  };
  assert.ok(Math.abs(stats('synthesis.8x8.Conv0_up.weight').std - 1) < 0.1);
  assert.ok(Math.abs(stats('mapping.Dense0.weight').std - 100) < 20);
  assert.ok(t.get('synthesis.4x4.Const.const')!.data.every((v) => v === 1));
  for (const [name, v] of t) if (/(\.bias|Noise\.weight|dlatent_avg)$/.test(name)) assert.ok(v.data.every((x) => x === 0), name);
  assert.deepEqual(t.get('synthesis.noise5')!.shape, [1, 1, 16, 16]);
  const d = stylegan1DiscriminatorSpecs(tinyDiscriminatorConfig(16)).map((s) => `${s.name} [${s.shape}]`);
  assert.ok(d.includes('4x4.Conv.weight [32,33,3,3]') && d.includes('16x16.Conv1_down.weight [16,8,3,3]') && d.includes('FromRGB_lod2.weight [32,3,1,1]'));
});
