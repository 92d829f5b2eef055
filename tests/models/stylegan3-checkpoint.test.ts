// StyleGAN3 checkpoints: stylelab format round trip (architecture per network), hostile config.json, and leak
// tests for the StyleGAN3 generator (sessions and memory over many calls, transforms included).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { CheckpointError, createEngine, inputTransform, loadCheckpoint, openGenerator, readStylelabModel, StyleGAN3Generator, writeStylelabModel, zFromSeed } from '../../src/node.js';
import { fixture } from '../fixtures.js';

const engine = createEngine({ threads: 1 });
after(() => engine.dispose());
const MiB = 1024 * 1024;
const rss = () => {
  globalThis.gc?.();
  return process.memoryUsage().rss;
};

describe('StyleGAN3 in the stylelab format', () => {
  test('round trip: architecture, configs, tensors and images', async () => {
    const pkl = loadCheckpoint(fixture('stylegan3-r-tiny', 'network.pkl'));
    const { configJson, weights } = writeStylelabModel(pkl);
    const back = readStylelabModel(configJson, weights);
    assert.equal(back.arch, 'stylegan3');
    for (const role of ['G', 'G_ema', 'D'] as const) {
      assert.equal(back.networks[role]!.arch, pkl.networks[role]!.arch, role);
      assert.deepEqual(back.networks[role]!.config, pkl.networks[role]!.config, role);
    }
    const a = openGenerator(engine, pkl);
    const b = openGenerator(engine, back);
    assert.ok(b instanceof StyleGAN3Generator);
    const z = zFromSeed(3, 64);
    const t = inputTransform([0.1, 0.2], 15);
    assert.deepEqual(await b.generate(z, null, { psi: 0.5, transform: t }), await a.generate(z, null, { psi: 0.5, transform: t }));
    await a.dispose();
    await b.dispose();
  });

  test('hostile or inconsistent config.json gives one clear CheckpointError', () => {
    const { configJson, weights } = writeStylelabModel(loadCheckpoint(fixture('stylegan3-t-tiny', 'network.pkl')), ['G_ema', 'D']);
    const cfg = JSON.parse(configJson);
    const mutate = (f: (c: any) => void) => {
      const c = structuredClone(cfg);
      f(c);
      return JSON.stringify(c);
    };
    const cases: [string, string, RegExp][] = [
      ['unknown generator architecture', mutate((c) => (c.config.G_ema.arch = 'stylegan9')), /architecture 'stylegan9'/],
      ['a StyleGAN3 discriminator', mutate((c) => (c.config.D.arch = 'stylegan3')), /discriminator 'D' the unknown architecture/],
      ['generator read as StyleGAN2', mutate((c) => (c.config.G_ema.arch = 'stylegan2')), /configuration is invalid/],
      ['even conv kernel', mutate((c) => (c.config.G_ema.config.synthesis.convKernel = 4)), /conv_kernel must be odd/],
      ['absurd layer count', mutate((c) => (c.config.G_ema.config.synthesis.numLayers = 1e6)), /num_layers must be an integer in \[1, 64\]/],
      ['R filters on T weights', mutate((c) => (c.config.G_ema.config.synthesis.useRadialFilters = true)), /down_filter' has shape \[12\], but its configuration implies \[12,12\]/],
      ['channels that do not match the weights', mutate((c) => (c.config.G_ema.config.synthesis.channelMax = 32)), /has shape \[64,64\], but its configuration implies \[32,32\]/],
      ['string resolution', mutate((c) => (c.config.G_ema.config.imgResolution = '32')), /img_resolution must be an integer/],
    ];
    for (const [what, json, re] of cases) {
      assert.throws(() => readStylelabModel(json, weights), (e: Error) => e instanceof CheckpointError && re.test(e.message), `${what}`);
    }
  });
});

test('StyleGAN3 generator: 40 generations with changing transforms keep two sessions and bounded memory', async () => {
  const G = openGenerator(engine, loadCheckpoint(fixture('stylegan3-t-tiny', 'network.pkl')));
  const run = (i: number) => G.generate(zFromSeed(i, 64), null, { psi: 0.7, transform: inputTransform([i / 100, 0], i) });
  for (let i = 0; i < 5; i++) await run(i);
  const before = rss();
  for (let i = 0; i < 40; i++) await run(i);
  const grown = rss() - before;
  assert.equal(engine.liveSessions, 2, 'mapping and synthesis programs, cached; the transform is an input');
  assert.ok(grown < 48 * MiB, `RSS grew ${(grown / MiB).toFixed(1)} MiB`);
  await G.dispose();
  assert.equal(engine.liveSessions, 0);
});
