// StyleGAN1Generator / StyleGAN1Discriminator through the public entry points: the Generator interface
// (mapping with G_style's truncation cutoff, synthesis, generate, DragGAN features), our format with arch
// 'stylegan1' (round trip, shape checks), the CLI on a saved model, and a leak test.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CheckpointError } from '../../src/errors.js';
import * as E from '../../src/engine/index.js';
import { type Checkpoint, readStylelabModel, writeStylelabModel } from '../../src/models/checkpoint.js';
import { openDiscriminator, openGenerator } from '../../src/models/open.js';
import { StyleGAN1Discriminator, StyleGAN1Generator } from '../../src/models/stylegan1.js';
import { stylegan1DiscriminatorSpecs, stylegan1GeneratorSpecs } from '../../src/nets/stylegan1/init.js';
import { createEngine, saveStylelabModel } from '../../src/node.js';
import { zFromSeed } from '../../src/random/numpy-random.js';
import { assertClose } from '../engine/harness.js';
import { assertOk, listDir, readPng, stylelab, tempDir } from '../cli/helpers.js';
import { randomData, randomTensors, tinyDiscriminatorConfig, tinyGeneratorConfig } from './stylegan1-helpers.js';

const engine = createEngine({ threads: 1 });
after(() => engine.dispose());

// 32x32: 8 ws, so that the default truncation cutoff (8) and a smaller one differ.
const gCfg = tinyGeneratorConfig(32);
const dCfg = tinyDiscriminatorConfig(32);
const ckpt: Checkpoint = {
  arch: 'stylegan1',
  format: 'stylelab',
  networks: {
    G_ema: { kind: 'generator', arch: 'stylegan1', config: gCfg, tensors: randomTensors(stylegan1GeneratorSpecs(gCfg), 1) },
    D: { kind: 'discriminator', arch: 'stylegan1', config: dCfg, tensors: randomTensors(stylegan1DiscriminatorSpecs(dCfg), 2) },
  },
};

test('Generator interface: dims, truncation with the official default cutoff, generate = synthesis(mapping), features per block', async () => {
  const G = openGenerator(engine, ckpt);
  assert.ok(G instanceof StyleGAN1Generator);
  assert.deepEqual([G.arch, G.zDim, G.cDim, G.wDim, G.numWs, G.imgResolution, G.imgChannels], ['stylegan1', 8, 0, 8, 8, 32, 3]);
  const z = zFromSeed(3, 8);
  const ws = await G.mapping(z, null);
  const wAvg = G.wAvg();
  for (const cutoff of [undefined, 4]) {
    const t = await G.mapping(z, null, { psi: 0.5, ...(cutoff === undefined ? {} : { cutoff }) });
    const n = cutoff ?? 8; // G_style's truncation_cutoff
    assertClose(t, ws.map((w, i) => (Math.floor(i / 8) < n ? wAvg[i % 8]! + (w - wAvg[i % 8]!) * 0.5 : w)), 1e-5, 1e-5, `cutoff ${cutoff}`);
  }
  const img = await G.generate(z, null, { psi: 0.5, noiseMode: 'const' });
  assert.equal(img.length, 3 * 32 * 32);
  assertClose(img, await G.synthesis(await G.mapping(z, null, { psi: 0.5 }), { noiseMode: 'const' }), 0, 0, 'generate');
  const r1 = await G.synthesis(ws, { noiseMode: 'random', noiseSeed: 1 });
  assertClose(r1, await G.synthesis(ws, { noiseMode: 'random', noiseSeed: 1 }), 0, 0, 'seeded noise');
  assert.ok(r1.some((v, i) => v !== img[i]));
  const features = new Map<string, E.Tensor>();
  G.synthesisGraph(1, { features });
  assert.deepEqual([...features.keys()], ['b4', 'b8', 'b16', 'b32']);
  await assert.rejects(G.mapping(new Float32Array(7), null), /multiple of 8/);
  await assert.rejects(G.synthesis(ws, { noiseMode: 'bogus' as never }), /noise mode/);
  await G.dispose();
  assert.equal(G.sessions, 0);
});

test('a snapshot saved while growing renders at its level of detail, upscaled (as Gs.run)', async () => {
  const tensors = new Map(ckpt.networks.G_ema!.tensors);
  tensors.set('synthesis.lod', { dtype: 'float32', shape: [], data: Float32Array.of(1.5) });
  const G = openGenerator(engine, { ...ckpt, networks: { G_ema: { kind: 'generator', arch: 'stylegan1', config: gCfg, tensors } } }) as StyleGAN1Generator;
  assert.equal(G.lod, 1.5);
  const features = new Map<string, E.Tensor>();
  const { img } = G.synthesisGraph(1, { features });
  assert.deepEqual(img.shape, [1, 3, 32, 32]);
  assert.deepEqual([...features.keys()], ['b4', 'b8', 'b16']);
  const out = await G.generate(zFromSeed(1, 8), null);
  for (let y = 0; y < 32; y += 2) for (let x = 0; x < 32; x += 2) assert.equal(out[y * 32 + x], out[(y + 1) * 32 + x + 1], 'pixels repeat in 2x2 blocks');
  await G.dispose();
});

test("our format with arch 'stylegan1': round trip, then the same images; a wrong shape is named", async () => {
  const { configJson, weights } = writeStylelabModel(ckpt);
  assert.match(configJson, /"arch": "stylegan1"/);
  const back = readStylelabModel(configJson, weights);
  assert.equal(back.arch, 'stylegan1');
  const [G1, G2] = [openGenerator(engine, ckpt), openGenerator(engine, back)];
  const z = zFromSeed(5, 8);
  assertClose(await G2.generate(z, null, { psi: 0.7 }), await G1.generate(z, null, { psi: 0.7 }), 0, 0, 'round trip');
  const D = openDiscriminator(engine, back);
  assert.ok(D instanceof StyleGAN1Discriminator);
  const scores = await D.logits(randomData(2 * 3 * 32 * 32, 3), null);
  assert.equal(scores.length, 2);
  await Promise.all([G1.dispose(), G2.dispose(), D.dispose()]);
  // A tensor whose shape does not match the configuration.
  const bad = structuredClone(JSON.parse(configJson)) as { config: { G_ema: { config: { synthesis: { fmapBase: number } } } } };
  bad.config.G_ema.config.synthesis.fmapBase = 128;
  assert.throws(() => readStylelabModel(JSON.stringify(bad), weights), (e: Error) => e instanceof CheckpointError && /G_ema network's 'synthesis.4x4.Const.const' has shape/.test(e.message));
});

test('CLI: info and generate on a saved StyleGAN (v1) model', async () => {
  const t = tempDir();
  try {
    const model = join(t.dir, 'model');
    saveStylelabModel(ckpt, model);
    const info = await stylelab('info', '--network', model);
    assertOk(info);
    assert.match(info.stdout, /architecture:\s+StyleGAN\b/);
    assert.match(info.stdout, /num_ws:\s+8/);
    const out = join(t.dir, 'out');
    assertOk(await stylelab('generate', '--network', model, '--seeds', '0-1', '--trunc', '0.7', '--outdir', out));
    assert.deepEqual(listDir(out), ['seed0000.png', 'seed0001.png']);
    const png = await readPng(join(out, 'seed0000.png'));
    assert.deepEqual([png.width, png.height, png.channels], [32, 32, 3]);
  } finally {
    t.remove();
  }
});

test('leaks: 100 generations on one generator, 20 open/run/dispose cycles: no session left, bounded memory', async () => {
  const MiB = 1024 * 1024;
  const rss = () => {
    globalThis.gc?.();
    return process.memoryUsage().rss;
  };
  const G = openGenerator(engine, ckpt);
  for (let i = 0; i < 5; i++) await G.generate(zFromSeed(i, 8), null, { psi: 0.7 });
  let before = rss();
  for (let i = 0; i < 100; i++) await G.generate(zFromSeed(i, 8), null, { psi: 0.7 });
  assert.equal(engine.liveSessions, 2);
  assert.ok(rss() - before < 48 * MiB, `RSS grew ${((rss() - before) / MiB).toFixed(1)} MiB`);
  await G.dispose();
  assert.equal(engine.liveSessions, 0);
  before = rss();
  for (let i = 0; i < 20; i++) {
    const g = openGenerator(engine, ckpt);
    const d = openDiscriminator(engine, ckpt);
    await d.logits(await g.generate(zFromSeed(i, 8), null), null);
    await g.dispose();
    await d.dispose();
  }
  assert.equal(engine.liveSessions, 0);
  assert.ok(rss() - before < 64 * MiB, `RSS grew ${((rss() - before) / MiB).toFixed(1)} MiB`);
});
