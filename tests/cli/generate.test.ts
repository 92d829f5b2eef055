// `stylelab generate` against gen_images.py's uint8 images (fixtures u8_seed{S}_psi{P}_{mode}.npy).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { repoRoot } from '../fixtures.js';
import { assertOk, assertOneLineError, assertU8Close, COND, fixtureU8, listDir, readPng, stylelab, tempDir, TINY } from './helpers.js';

const tmp = tempDir();
after(tmp.remove);

describe('stylelab generate', { concurrency: 2 }, () => {
  for (const psi of ['1.0', '0.7']) {
    for (const mode of ['const', 'none']) {
      test(`stylegan2-tiny seeds 0-2 psi=${psi} noise=${mode}`, async () => {
        const out = join(tmp.dir, `tiny-${psi}-${mode}`);
        const r = await stylelab('generate', '--network', TINY, '--seeds', '0-2', '--trunc', psi, '--noise-mode', mode, '--outdir', out);
        assertOk(r);
        assert.equal(r.stdout, `wrote 3 images to ${out}/\n`);
        assert.equal(r.stderr, '');
        assert.deepEqual(listDir(out), ['seed0000.png', 'seed0001.png', 'seed0002.png'], 'only the PNGs, no temporary files');
        for (const seed of [0, 1, 2]) {
          const png = await readPng(join(out, `seed000${seed}.png`));
          assert.deepEqual([png.width, png.height, png.channels], [32, 32, 3]);
          assertU8Close(png.data, fixtureU8('stylegan2-tiny', `u8_seed${seed}_psi${psi}_${mode}.npy`), `seed ${seed} psi ${psi} ${mode}`);
        }
      });
    }
  }

  for (const [psi, mode] of [['1.0', 'const'], ['0.5', 'none']] as const) {
    test(`stylegan2-cond-tiny --class 2 seed 5 psi=${psi} noise=${mode}`, async () => {
      const out = join(tmp.dir, `cond-${psi}-${mode}`);
      assertOk(await stylelab('generate', '--network', COND, '--seeds', '5', '--class', '2', '--trunc', psi, '--noise-mode', mode, '--outdir', out));
      const png = await readPng(join(out, 'seed0005.png'));
      assert.deepEqual([png.width, png.height, png.channels], [16, 16, 3]);
      assertU8Close(png.data, fixtureU8('stylegan2-cond-tiny', `u8_seed5_psi${psi}_${mode}.npy`), `cond seed 5 psi ${psi} ${mode}`);
    });
  }

  test('--class on an unconditional network: one clear error, nothing written (generate, style-mix, video, export)', async () => {
    const out = join(tmp.dir, 'uncond-class');
    mkdirSync(out);
    const runs = [
      ['generate', '--network', TINY, '--seeds', '1', '--class', '3', '--outdir', out],
      ['style-mix', '--network', TINY, '--rows', '1', '--cols', '2', '--class', '0', '--outdir', out],
      ['video', '--network', TINY, '--seeds', '1,2', '--w-frames', '2', '--class', '0', '--output', join(out, 'v.gif')],
      ['export', '--network', TINY, join(out, 'g.onnx'), '--class', '0'],
    ];
    for (const args of runs) assertOneLineError(await stylelab(...args), /this network is unconditional: --class \d cannot be used/, args[0]!);
    assert.deepEqual(listDir(out), []);
  });

  test('--trunc-cutoff 0 truncates nothing; repeated seeds are generated once; random noise is seeded', async () => {
    const out = join(tmp.dir, 'cutoff');
    const r = await stylelab('generate', '--network', TINY, '--seeds', '2,2', '--trunc', '0.7', '--trunc-cutoff', '0', '--outdir', out);
    assertOk(r);
    assert.equal(r.stdout, `wrote 1 image to ${out}/\n`);
    assertU8Close((await readPng(join(out, 'seed0002.png'))).data, fixtureU8('stylegan2-tiny', 'u8_seed2_psi1.0_const.npy'), 'cutoff 0');

    const rnd = [join(tmp.dir, 'random-a'), join(tmp.dir, 'random-b')];
    for (const dir of rnd) assertOk(await stylelab('generate', '--network', TINY, '--seeds', '0', '--noise-mode', 'random', '--outdir', dir));
    const [a, b] = await Promise.all(rnd.map((d) => readPng(join(d, 'seed0000.png'))));
    assert.deepEqual(a!.data, b!.data, 'random noise is seeded with the image seed');
    assert.notDeepEqual(a!.data, fixtureU8('stylegan2-tiny', 'u8_seed0_psi1.0_const.npy'), 'random noise differs from const');
  });
});

describe('stylelab generate with the bundled default model', () => {
  test('no --network: the trained emoji model (models/stylegan2-emoji32) draws emoji on white', async () => {
    const out = join(tmp.dir, 'default');
    const r = await stylelab('generate', '--seeds', '0-7', '--outdir', out);
    assertOk(r);
    const explicit = join(tmp.dir, 'explicit');
    assertOk(await stylelab('generate', '--network', join(repoRoot, 'models', 'stylegan2-emoji32'), '--seeds', '0', '--outdir', explicit));
    assert.deepEqual((await readPng(join(out, 'seed0000.png'))).data, (await readPng(join(explicit, 'seed0000.png'))).data, 'the default is that folder');
    // The training images are emoji composited on white: a trained model's borders are near white, random weights' are not.
    let whiteBorders = 0;
    for (let s = 0; s < 8; s++) {
      const png = await readPng(join(out, `seed000${s}.png`));
      assert.deepEqual([png.width, png.height, png.channels], [32, 32, 3]);
      let sum = 0;
      let n = 0;
      for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) if (x < 2 || y < 2 || x > 29 || y > 29) for (let c = 0; c < 3; c++, n++) sum += png.data[(y * 32 + x) * 3 + c]!;
      if (sum / n > 220) whiteBorders++;
    }
    assert.ok(whiteBorders >= 6, `${whiteBorders} of 8 images have a near-white border`);
  });
});

test('info with no --network describes the bundled model as trained, with its data set and kimg', async () => {
  const r = await stylelab('info', '--json');
  assertOk(r);
  const info = JSON.parse(r.stdout);
  const training = info.training;
  assert.ok(training, `no training record in ${r.stdout.slice(0, 300)}`);
  assert.equal(training.tool, 'stylelab train');
  assert.equal(training.cfg, 'stylegan2');
  assert.ok(training.kimg > 0);
  assert.match(training.dataset.name, /emoji-noto-32/);
});
