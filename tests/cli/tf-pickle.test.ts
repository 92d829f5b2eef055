// Every command that takes --network accepts a TensorFlow-era pickle (generate, style-mix, video, drag, export,
// convert, info, train --resume); a broken one is one line on stderr.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { stylegan1DiscriminatorConfig, stylegan1GeneratorConfig } from '../../src/nets/stylegan1/config.js';
import { stylegan1DiscriminatorSpecs, stylegan1GeneratorSpecs } from '../../src/nets/stylegan1/init.js';
import { initialize } from '../../src/nets/stylegan2/init.js';
import { fixture } from '../fixtures.js';
import { Tuple, pickleValue, tfStyleGAN1Discriminator, tfStyleGAN1Generator } from '../io/tf-pickle-writer.js';
import { writeShapes } from '../data/helpers.js';
import { assertOk, assertOneLineError, assertU8Close, fixtureU8, listDir, readPng, stylelab, tempDir } from './helpers.js';

const TF = fixture('stylegan2-tf-tiny', 'network-tf.pkl');
const tmp = tempDir('stylelab-tf-cli-');
after(() => tmp.remove());

describe('TensorFlow-era pickles on the command line', () => {
  test('info names the format; generate writes the official images; convert gives a model that generates the same', async () => {
    const info = await stylelab('info', '--network', TF);
    assertOk(info);
    assert.match(info.stdout, /^format: +TensorFlow-era StyleGAN2 pickle \(NVIDIA dnnlib\.tflib: G, D, Gs; Gs read as G_ema\)$/m);
    assert.match(info.stdout, /^networks: +G_ema, G, D$/m);
    assert.match(info.stdout, /^ +channel_base: +1024$/m); // fmap_base 512 * 2
    const json = JSON.parse((await stylelab('info', '--network', TF, '--json')).stdout) as { format: string; arch: string };
    assert.deepEqual([json.format, json.arch], ['nvidia-tf-pkl', 'StyleGAN2']);
    const out = join(tmp.dir, 'gen');
    assertOk(await stylelab('generate', '--network', TF, '--seeds', '0-1', '--trunc', '0.7', '--noise-mode', 'const', '--outdir', out));
    for (const seed of [0, 1]) assertU8Close((await readPng(join(out, `seed000${seed}.png`))).data, fixtureU8('stylegan2-tf-tiny', `u8_seed${seed}_psi0.7_const.npy`), `seed ${seed}`);
    const model = join(tmp.dir, 'model');
    assertOk(await stylelab('convert', TF, model));
    assert.match((await stylelab('info', '--network', model)).stdout, /^networks: +G_ema, G, D$/m);
    const again = join(tmp.dir, 'gen-model');
    assertOk(await stylelab('generate', '--network', model, '--seeds', '0', '--trunc', '0.7', '--outdir', again));
    assert.deepEqual(readFileSync(join(again, 'seed0000.png')), readFileSync(join(out, 'seed0000.png')));
  });

  test('style-mix, video, drag and export run on it', async () => {
    assertOk(await stylelab('style-mix', '--network', TF, '--rows', '0', '--cols', '1,2', '--styles', '0-3', '--outdir', join(tmp.dir, 'mix')));
    assert.ok(listDir(join(tmp.dir, 'mix')).includes('grid.png'));
    assertOk(await stylelab('video', '--network', TF, '--seeds', '0-1', '--w-frames', '2', '--output', join(tmp.dir, 'lerp.gif')));
    assert.ok(existsSync(join(tmp.dir, 'lerp.gif')));
    assertOk(await stylelab('drag', '--network', TF, '--seed', '0', '--points', '10,10>10,14', '--max-steps', '1', '--outdir', join(tmp.dir, 'drag')));
    assert.ok(listDir(join(tmp.dir, 'drag')).length > 0);
    assertOk(await stylelab('export', '--network', TF, join(tmp.dir, 'g.onnx'), '--trunc', '0.7'));
    assert.ok(readFileSync(join(tmp.dir, 'g.onnx')).length > 100_000);
  });

  test('train --resume fine-tunes it (G, D and G_ema; the image counter from the snapshot name)', async () => {
    const data = join(tmp.dir, 'shapes32');
    await writeShapes(data, 4, 32);
    const pkl = join(tmp.dir, 'network-snapshot-000012.pkl');
    copyFileSync(TF, pkl);
    const out = join(tmp.dir, 'tuned');
    assertOk(await stylelab('train', '--data', data, '--outdir', out, '--cfg', 'stylegan2', '--batch', '4', '--gamma', '1', '--kimg', '12.004', '--resume', pkl));
    const state = JSON.parse(readFileSync(join(out, 'network-snapshot-000012', 'training-state.json'), 'utf8')) as { counters: { curNimg: number } };
    assert.equal(state.counters.curNimg, 12004);
    assertOk(await stylelab('generate', '--network', join(out, 'network-snapshot-000012'), '--seeds', '0', '--outdir', join(tmp.dir, 'tuned-gen')));
  });

  test('a StyleGAN (v1) TF pickle: info says it is not verified against TensorFlow; generate reads it', async () => {
    const g = stylegan1GeneratorConfig({ imgResolution: 16, zDim: 16, wDim: 16, fmapBase: 64, fmapMax: 16, mappingLayers: 2 });
    const d = stylegan1DiscriminatorConfig({ imgResolution: 16, fmapBase: 64, fmapMax: 16 });
    const G = { kind: 'generator', arch: 'stylegan1', config: g, tensors: initialize(stylegan1GeneratorSpecs(g), 1) } as const;
    const D = { kind: 'discriminator', arch: 'stylegan1', config: d, tensors: initialize(stylegan1DiscriminatorSpecs(d), 2) } as const;
    const pkl = join(tmp.dir, 'v1.pkl');
    writeFileSync(pkl, pickleValue(new Tuple([tfStyleGAN1Generator(G, 'G'), tfStyleGAN1Discriminator(D), tfStyleGAN1Generator(G, 'Gs')])));
    const info = await stylelab('info', '--network', pkl);
    assertOk(info);
    assert.match(info.stdout, /^format: +TensorFlow-era StyleGAN \(v1\) pickle, read without verification against TensorFlow/m);
    assert.match(info.stdout, /^note: +StyleGAN \(v1\) TensorFlow networks are read by name and shape .*not verified against TensorFlow/m);
    assertOk(await stylelab('generate', '--network', pkl, '--seeds', '0', '--trunc', '0.7', '--outdir', join(tmp.dir, 'v1')));
    assert.ok(existsSync(join(tmp.dir, 'v1', 'seed0000.png')));
  });

  test('a truncated or mislabelled TF pickle: one line, exit non-zero', async () => {
    const cut = join(tmp.dir, 'cut.pkl');
    writeFileSync(cut, readFileSync(TF).subarray(0, 100_000));
    assertOneLineError(await stylelab('generate', '--network', cut, '--seeds', '0', '--outdir', join(tmp.dir, 'no')), /truncated pickle/, 'truncated');
    assertOneLineError(await stylelab('info', '--network', cut), /truncated pickle/, 'truncated info');
    assert.ok(!existsSync(join(tmp.dir, 'no')), 'nothing written');
  });
});
