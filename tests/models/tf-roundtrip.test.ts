// TensorFlow-era pickles written from networks built here (tests/io/tf-pickle-writer.ts): the writer's layout
// equals the official fixture's, and conditional StyleGAN2 (label embedding in G's and D's mapping) and
// StyleGAN (v1) networks read back to identical tensors, images and D logits.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { readTfPickle, type TfNetwork } from '../../src/io/tf-pickle.js';
import { type Checkpoint, type NetworkEntry, readCheckpointBytes } from '../../src/models/checkpoint.js';
import { stylegan1DiscriminatorConfig, stylegan1GeneratorConfig } from '../../src/nets/stylegan1/config.js';
import { stylegan1DiscriminatorSpecs, stylegan1GeneratorSpecs } from '../../src/nets/stylegan1/init.js';
import { discriminatorConfigFromKwargs, generatorConfigFromKwargs } from '../../src/nets/stylegan2/config.js';
import { discriminatorSpecs, generatorSpecs, initialize } from '../../src/nets/stylegan2/init.js';
import { createEngine, loadCheckpoint, openDiscriminator, openGenerator, zFromSeed } from '../../src/node.js';
import { fixture, repoRoot } from '../fixtures.js';
import { Tuple, pickleValue, randomized, tfDiscriminator, tfGenerator, tfStyleGAN1Discriminator, tfStyleGAN1Generator } from '../io/tf-pickle-writer.js';

const engine = createEngine({ threads: 1 });
after(() => engine.dispose());

/** All variables of a network tree by their collected name. */
function allVars(n: TfNetwork, prefix = ''): Map<string, { shape: number[]; data: ArrayLike<number> }> {
  const out = new Map<string, { shape: number[]; data: ArrayLike<number> }>();
  for (const [k, t] of n.variables) out.set(prefix + k, { shape: t.shape, data: t.data as ArrayLike<number> });
  for (const [k, c] of n.components) for (const [kk, t] of allVars(c, `${prefix}${k}/`)) out.set(kk, t);
  return out;
}

function assertSameTensors(a: NetworkEntry, b: NetworkEntry, what: string): void {
  assert.deepEqual([...b.tensors.keys()].sort(), [...a.tensors.keys()].sort(), `${what}: names`);
  for (const [k, t] of a.tensors) {
    const u = b.tensors.get(k)!;
    assert.deepEqual(u.shape, t.shape, `${what} ${k} shape`);
    assert.deepEqual(Float32Array.from(u.data as ArrayLike<number>), Float32Array.from(t.data as ArrayLike<number>), `${what} ${k} values`);
  }
}

const tfBytes = (G: NetworkEntry, D: NetworkEntry, Gs: NetworkEntry, protocol: 3 | 4 = 3): Uint8Array =>
  pickleValue(new Tuple([tfGenerator(G, 'G'), tfDiscriminator(D), tfGenerator(Gs, 'Gs')]), protocol);

describe('TF pickles written here', () => {
  test("the writer's layout is the official one: stylegan2-tf-tiny rewritten has the fixture's variables, bit for bit", () => {
    const official = readTfPickle(readFileSync(fixture('stylegan2-tf-tiny', 'network-tf.pkl')));
    const ckpt = loadCheckpoint(fixture('stylegan2-tf-tiny', 'network-tf.pkl'));
    const ours = readTfPickle(tfBytes(ckpt.networks.G!, ckpt.networks.D!, ckpt.networks.G_ema!));
    for (const role of ['G', 'D', 'Gs'] as const) {
      const want = allVars(official[role]!);
      const got = allVars(ours[role]!);
      assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort(), `${role}: variable names`);
      for (const [k, v] of want) {
        assert.deepEqual(got.get(k)!.shape, v.shape, `${role} ${k} shape`);
        assert.deepEqual(Float32Array.from(got.get(k)!.data), Float32Array.from(v.data), `${role} ${k} values`);
      }
      for (const [k, v] of Object.entries(official[role]!.staticKwargs)) assert.deepEqual(ours[role]!.staticKwargs[k], v, `${role} static_kwargs.${k}`);
    }
  });

  test('conditional StyleGAN2 (LabelEmbed in G and D, D mapping layers 0 and 2): identical tensors, images and logits', async () => {
    const g = generatorConfigFromKwargs({ z_dim: 16, c_dim: 3, w_dim: 16, img_resolution: 16, img_channels: 3, mapping_kwargs: { num_layers: 2, embed_features: 8 }, synthesis_kwargs: { channel_base: 256, channel_max: 16, conv_clamp: 256, architecture: 'resnet' } });
    for (const mapLayers of [0, 2]) {
      const d = discriminatorConfigFromKwargs({ c_dim: 3, img_resolution: 16, img_channels: 3, channel_base: 256, channel_max: 16, cmap_dim: 8, architecture: 'skip', mapping_kwargs: { num_layers: mapLayers, lr_multiplier: 0.1 } });
      const G = randomized({ kind: 'generator', arch: 'stylegan2', config: g, tensors: initialize(generatorSpecs(g), 1) }, 11);
      const Gs = randomized(G, 12);
      const D = randomized({ kind: 'discriminator', arch: 'stylegan2', config: d, tensors: initialize(discriminatorSpecs(d), 2) }, 13);
      const bytes = tfBytes(G, D, Gs, mapLayers === 0 ? 3 : 4);
      const tf = readTfPickle(bytes);
      assert.deepEqual(tf.Gs.components.get('mapping')!.variables.get('LabelEmbed/weight')!.shape, [3, 8]); // TF dense: [in, out]
      assert.deepEqual(tf.D!.variables.get('LabelEmbed/weight')!.shape, [3, 8]);
      assert.equal(tf.D!.variables.has('Mapping1/weight'), mapLayers === 2);
      const back = readCheckpointBytes(bytes);
      assert.equal(back.format, 'nvidia-tf-pkl');
      assertSameTensors(G, back.networks.G!, 'G');
      assertSameTensors(Gs, back.networks.G_ema!, 'G_ema');
      assertSameTensors(D, back.networks.D!, 'D');
      assert.deepEqual(back.networks.G_ema!.config, g);
      // legacy.py spells out what null meant here: embedding and layer sizes = mapping_fmaps = cmap_dim.
      assert.deepEqual(back.networks.D!.config, { ...d, mapping: { ...d.mapping, embedFeatures: 8, layerFeatures: 8 } });
      await sameOutputs({ arch: 'stylegan2', format: 'stylelab', networks: { G_ema: Gs, D } }, back, 3);
    }
  });

  test('StyleGAN (v1), conditional and not, protocols 3 and 4: identical tensors, images and logits', async () => {
    for (const cDim of [0, 2]) {
      const g = stylegan1GeneratorConfig({ imgResolution: 16, zDim: 16, wDim: 16, cDim, fmapBase: 64, fmapMax: 16, mappingLayers: 2 });
      const d = stylegan1DiscriminatorConfig({ imgResolution: 16, cDim, fmapBase: 64, fmapMax: 16 });
      const G = randomized({ kind: 'generator', arch: 'stylegan1', config: g, tensors: initialize(stylegan1GeneratorSpecs(g), 3) }, 21);
      const Gs = randomized(G, 22);
      const D = randomized({ kind: 'discriminator', arch: 'stylegan1', config: d, tensors: initialize(stylegan1DiscriminatorSpecs(d), 4) }, 23);
      const bytes = pickleValue(new Tuple([tfStyleGAN1Generator(G, 'G'), tfStyleGAN1Discriminator(D), tfStyleGAN1Generator(Gs, 'Gs')]), cDim === 0 ? 3 : 4);
      const back = readCheckpointBytes(bytes);
      assert.equal(back.arch, 'stylegan1');
      assert.ok(back.notes?.some((n) => /not verified against TensorFlow/.test(n)), 'labelled unverified');
      assertSameTensors(G, back.networks.G!, 'G');
      assertSameTensors(Gs, back.networks.G_ema!, 'G_ema');
      assertSameTensors(D, back.networks.D!, 'D');
      assert.deepEqual(back.networks.G_ema!.config, g);
      assert.deepEqual(back.networks.D!.config, d);
      await sameOutputs({ arch: 'stylegan1', format: 'stylelab', networks: { G_ema: Gs, D } }, back, cDim);
    }
  });
});

describe('official StyleGAN (v1) files, by name and shape only', () => {
  test("karras2019stylegan-ffhq-1024x1024.pkl's Gs: the variables the reader asks for are the published ones", () => {
    const published = JSON.parse(readFileSync(join(repoRoot, 'tests', 'models', 'data', 'stylegan1-ffhq-1024-gs-vars.json'), 'utf8')) as { variables: [string, number[]][] };
    // FFHQ's configuration: G_style defaults at 1024x1024 (fmap_base 8192, fmap_max 512, 8 mapping layers of 512).
    const cfg = stylegan1GeneratorConfig({ imgResolution: 1024 });
    const ours = stylegan1GeneratorSpecs(cfg).map((s): [string, number[]] => [s.name === 'synthesis.lod' ? 'synthesis/lod' : s.name.replaceAll('.', '/'), s.shape]);
    const key = ([n, sh]: [string, number[]]) => `${n} [${sh.join(', ')}]`;
    assert.deepEqual(ours.map(key).sort(), published.variables.map(key).sort());
  });
});

/** Generator images (psi 0.7, noise const, a class when conditional) and D logits of two checkpoints are identical. */
async function sameOutputs(a: Checkpoint, b: Checkpoint, cDim: number): Promise<void> {
  const c = cDim > 0 ? Float32Array.from({ length: cDim }, (_, i) => (i === cDim - 1 ? 1 : 0)) : null;
  const G = a.networks.G_ema!;
  const z = zFromSeed(5, G.kind === 'generator' ? G.config.zDim : 0);
  const Ga = openGenerator(engine, a);
  const Gb = openGenerator(engine, b);
  const Da = openDiscriminator(engine, a);
  const Db = openDiscriminator(engine, b);
  try {
    const img = await Ga.generate(z, c, { psi: 0.7, noiseMode: 'const' });
    assert.deepEqual(await Gb.generate(z, c, { psi: 0.7, noiseMode: 'const' }), img);
    assert.ok(img.some((v) => Math.abs(v) > 1e-3), 'a non-trivial image');
    assert.deepEqual(await Db.logits(img, c), await Da.logits(img, c));
  } finally {
    for (const n of [Ga, Gb, Da, Db]) await n.dispose();
  }
}
