// Checkpoints: stylelab's own format round trip, loading both formats, and clear errors for bad input.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { zipSync } from 'fflate';
import {
  CheckpointError, createEngine, InputError, loadCheckpoint, openGenerator, readCheckpointBytes, readStylelabModel, saveStylelabModel, writeStylelabModel, zFromSeed,
} from '../../src/node.js';
import { fixture, repoRoot } from '../fixtures.js';

const engine = createEngine({ threads: 1 });
const dir = mkdtempSync(join(tmpdir(), 'stylelab-ckpt-'));
after(async () => {
  await engine.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('stylelab format (safetensors + config.json)', () => {
  test('convert a snapshot and load it back: same configs, tensors and images', async () => {
    const pkl = loadCheckpoint(fixture('stylegan2-tiny', 'network.pkl'));
    const out = join(dir, 'tiny');
    saveStylelabModel(pkl, out);
    assert.deepEqual(readdirSync(out).sort(), ['config.json', 'weights.safetensors']);
    const back = loadCheckpoint(out);
    assert.equal(back.format, 'stylelab');
    assert.deepEqual(Object.keys(back.networks).sort(), ['D', 'G', 'G_ema']);
    for (const role of ['G', 'G_ema', 'D'] as const) {
      assert.deepEqual(back.networks[role]!.config, pkl.networks[role]!.config);
      for (const [name, t] of pkl.networks[role]!.tensors) assert.deepEqual(back.networks[role]!.tensors.get(name)!.data, t.data, name);
    }
    const a = openGenerator(engine, pkl);
    const b = openGenerator(engine, back);
    const z = zFromSeed(1, 64);
    assert.deepEqual(await b.generate(z, null, { psi: 0.7 }), await a.generate(z, null, { psi: 0.7 }));
    await a.dispose();
    await b.dispose();
    // Loading through config.json works too.
    assert.equal(loadCheckpoint(join(out, 'config.json')).format, 'stylelab');
  });

  test('the random-weight test model is the stylegan2-tiny G_ema', () => {
    const demo = loadCheckpoint(join(repoRoot, 'tests', 'models', 'data', 'stylegan2-tiny'));
    const pkl = loadCheckpoint(fixture('stylegan2-tiny', 'network.pkl'));
    assert.deepEqual(Object.keys(demo.networks), ['G_ema']);
    for (const [name, t] of pkl.networks.G_ema!.tensors) assert.deepEqual(demo.networks.G_ema!.tensors.get(name)!.data, t.data, name);
  });

  test('hostile or broken config.json gives one clear CheckpointError', () => {
    const { configJson, weights } = writeStylelabModel(loadCheckpoint(fixture('stylegan2-cond-tiny', 'network.pkl')), ['G_ema']);
    const cfg = JSON.parse(configJson);
    const mutate = (f: (c: any) => void) => {
      const c = structuredClone(cfg);
      f(c);
      return JSON.stringify(c);
    };
    const cases: [string, string, RegExp][] = [
      ['not JSON', '{oops', /config\.json is not valid JSON/],
      ['no formatVersion', '{}', /no formatVersion/],
      ['future format', mutate((c) => (c.formatVersion = 99)), /formatVersion 99; this stylelab reads up to 1/],
      ['unknown architecture', mutate((c) => (c.arch = 'biggan')), /architecture 'biggan'/],
      ['absurd mapping depth', mutate((c) => (c.config.G_ema.config.mapping.numLayers = 1e9)), /num_layers must be an integer in \[1, 64\]/],
      ['wrong channel count', mutate((c) => (c.config.G_ema.config.synthesis.channelMax = 16)), /has shape \[32,4,4\], but its configuration implies \[16,4,4\]/],
      ['resolution not a power of two', mutate((c) => (c.config.G_ema.config.imgResolution = 24)), /img_resolution must be a power of two/],
      ['unknown network role', mutate((c) => (c.config.X = c.config.G_ema)), /unknown network 'X'/],
      ['malformed training entry', mutate((c) => (c.training = { tool: 'stylelab train', cfg: 'stylegan2', kimg: 'lots' })), /malformed "training" entry/],
      ['malformed training data set', mutate((c) => (c.training = { tool: 't', cfg: 'stylegan2', kimg: 1, dataset: { name: 'x' } })), /malformed "training" entry/],
    ];
    for (const [what, json, re] of cases) {
      assert.throws(() => readStylelabModel(json, weights), (e: Error) => e instanceof CheckpointError && re.test(e.message), what);
    }
    assert.throws(() => readStylelabModel(configJson, weights.subarray(0, weights.length - 100)), CheckpointError, 'truncated weights');
  });
});

describe('loading errors', () => {
  test('non-checkpoints are named', () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    assert.throws(() => readCheckpointBytes(png), (e: Error) => e instanceof CheckpointError && /PNG image/.test(e.message));
    assert.throws(() => readCheckpointBytes(new Uint8Array(0)), CheckpointError);
    assert.throws(() => readCheckpointBytes(Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 255)), CheckpointError);
    // U-GAT-IT snapshots (zip and legacy torch.save) point to `translate`; other zips are named as such.
    for (const f of ['ugatit-light-tiny', 'ugatit-full-tiny-legacy']) {
      assert.throws(() => readCheckpointBytes(readFileSync(fixture(f, 'fixture_params_0000100.pt'))), /U-GAT-IT checkpoint.*stylelab translate/);
    }
    assert.throws(() => readCheckpointBytes(zipSync({ 'archive/data.pkl': Uint8Array.of(0x80, 2, 0x4e, 0x2e) })), /PyTorch zip checkpoint/);
  });
  test('a StyleGAN3 snapshot is recognised by its structure (not its name)', () => {
    const ckpt = loadCheckpoint(fixture('stylegan3-t-tiny', 'network.pkl'));
    assert.equal(ckpt.arch, 'stylegan3');
    assert.equal(ckpt.networks.G_ema?.arch, 'stylegan3');
  });
  test('missing paths and folders without config.json', () => {
    assert.throws(() => loadCheckpoint(join(dir, 'nope.pkl')), (e: Error) => e instanceof InputError && /network not found/.test(e.message));
    const empty = join(dir, 'empty');
    writeFileSync(join(dir, 'placeholder'), '');
    assert.throws(() => loadCheckpoint(dir), /without config\.json/);
    assert.ok(!existsSync(empty));
  });
  test('saving over a folder that is not a stylelab model is refused and leaves nothing behind', () => {
    const target = join(dir, 'occupied');
    saveStylelabModel(loadCheckpoint(fixture('stylegan2-cond-tiny', 'network.pkl')), target, ['G_ema']);
    rmSync(join(target, 'config.json'));
    assert.throws(() => saveStylelabModel(loadCheckpoint(fixture('stylegan2-cond-tiny', 'network.pkl')), target, ['G_ema']), /not a stylelab model folder/);
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
  });
  test('DragGAN snapshots are StyleGAN2 networks', () => {
    const ckpt = loadCheckpoint(fixture('draggan-tiny', 'network.pkl'));
    assert.equal(ckpt.networks.G_ema!.kind, 'generator');
    assert.equal(ckpt.networks.G_ema!.config.imgResolution, 128);
  });
});
