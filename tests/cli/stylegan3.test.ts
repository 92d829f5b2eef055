// The CLI with StyleGAN3 networks: generate (plain, --translate, --rotate) against gen_images.py's outputs,
// info, convert (same images from the stylelab folder), export (the ONNX model runs standalone), and errors.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { zFromSeed } from '../../src/random/numpy-random.js';
import { fixture } from '../fixtures.js';
import { assertOk, assertOneLineError, assertU8Close, fixtureU8, listDir, readFixtureNpy, readPng, stylelab, tempDir, TINY } from './helpers.js';

const SG3T = fixture('stylegan3-t-tiny', 'network.pkl');
const SG3R = fixture('stylegan3-r-tiny', 'network.pkl');
const tmp = tempDir();
after(tmp.remove);

describe('stylelab with StyleGAN3 networks', { concurrency: 2 }, () => {
  test('generate: config T seeds 0-1 psi 0.7 as gen_images.py', async () => {
    const out = join(tmp.dir, 't');
    assertOk(await stylelab('generate', '--network', SG3T, '--seeds', '0-1', '--trunc', '0.7', '--outdir', out));
    for (const seed of [0, 1]) assertU8Close((await readPng(join(out, `seed000${seed}.png`))).data, fixtureU8('stylegan3-t-tiny', `u8_seed${seed}_psi0.7_const.npy`), `seed ${seed}`);
  });

  const moves: [string, string, string[], string][] = [
    ['T --translate 0.25,-0.1', SG3T, ['--translate', '0.25,-0.1'], 'stylegan3-t-tiny/img_transform0.npy'],
    ['T --rotate 30', SG3T, ['--rotate', '30'], 'stylegan3-t-tiny/img_transform1.npy'],
    ['R --rotate 45 --translate 0,0', SG3R, ['--rotate', '45', '--translate', '0,0'], 'stylegan3-r-tiny/img_transform0.npy'],
  ];
  for (const [what, net, args, expected] of moves) {
    test(`generate ${what}: the image gen_images.py writes`, async () => {
      const out = join(tmp.dir, what.replace(/[^a-z0-9]+/gi, '_'));
      assertOk(await stylelab('generate', '--network', net, '--seeds', '0', '--trunc', '0.7', ...args, '--outdir', out));
      assertU8Close((await readPng(join(out, 'seed0000.png'))).data, fixtureU8(...expected.split('/')), what);
    });
  }

  test('--translate / --rotate on a StyleGAN2 network, or malformed: one clear error, no file', async () => {
    const out = join(tmp.dir, 'bad');
    assertOneLineError(await stylelab('generate', '--network', TINY, '--seeds', '0', '--rotate', '10', '--outdir', out), /--translate and --rotate need a StyleGAN3 network/, 'SG2');
    assertOneLineError(await stylelab('generate', '--network', SG3T, '--seeds', '0', '--translate', '0.5', '--outdir', out), /--translate: expected two numbers 'X,Y', got '0.5'/, 'one number');
    assertOneLineError(await stylelab('generate', '--network', SG3T, '--seeds', '0', '--rotate', 'left', '--outdir', out), /--rotate/, 'not a number');
    assert.deepEqual(listDir(out), []);
  });

  test('info names the architecture and the config (T and R)', async () => {
    const t = JSON.parse((await stylelab('info', '--network', SG3T, '--json')).stdout) as { arch: string; networks: Record<string, { architecture: string; num_ws: number; kind: string }> };
    assert.equal(t.arch, 'StyleGAN3');
    assert.equal(t.networks.G_ema!.architecture, 'stylegan3-t');
    assert.equal(t.networks.G_ema!.num_ws, 16);
    assert.equal(t.networks.D!.kind, 'discriminator');
    const r = await stylelab('info', '--network', SG3R);
    assertOk(r);
    assert.match(r.stdout, /architecture: +StyleGAN3/);
    assert.match(r.stdout, /synthesis: +stylegan3-r/);
  });

  test('convert to a stylelab folder, then generate from it: the same transformed image', async () => {
    const model = join(tmp.dir, 'r-model');
    assertOk(await stylelab('convert', SG3R, model));
    const config = JSON.parse(readFileSync(join(model, 'config.json'), 'utf8')) as { arch: string; config: Record<string, { arch: string }> };
    assert.equal(config.arch, 'stylegan3');
    assert.equal(config.config.G_ema!.arch, 'stylegan3');
    assert.equal(config.config.D!.arch, 'stylegan2');
    const out = join(tmp.dir, 'r-from-model');
    assertOk(await stylelab('generate', '--network', model, '--seeds', '0', '--trunc', '0.7', '--rotate', '45', '--outdir', out));
    assertU8Close((await readPng(join(out, 'seed0000.png'))).data, fixtureU8('stylegan3-r-tiny', 'img_transform0.npy'), 'from the converted model');
  });

  test('export: the ONNX model alone reproduces the official image', async () => {
    const file = join(tmp.dir, 'g3.onnx');
    assertOk(await stylelab('export', '--network', SG3T, file, '--trunc', '0.7'));
    const session = await ort.InferenceSession.create(file);
    const out = await session.run({ z: new ort.Tensor('float32', Float32Array.from(zFromSeed(1, 64)), [1, 64]) });
    await session.release();
    const img = out.img!.data as Float32Array;
    const expected = readFixtureNpy('stylegan3-t-tiny', 'img_seed1_psi0.7_const.npy').data;
    let worst = 0;
    for (let i = 0; i < img.length; i++) worst = Math.max(worst, Math.abs(img[i]! - expected[i]!));
    assert.ok(worst < 2e-3, `max difference ${worst}`);
  });
});
