// `stylelab translate`: files written as the official test phase writes them, heatmaps, and clear errors.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { assertOk, assertOneLineError, assertU8Close, fixtureU8, listDir, readPng, stylelab, tempDir, TINY } from '../cli/helpers.js';
import { fixture } from '../fixtures.js';

const tmp = tempDir('stylelab-translate-');
after(tmp.remove);
const LIGHT = fixture('ugatit-light-tiny', 'fixture_params_0000100.pt');
const FULL = fixture('ugatit-full-tiny-legacy', 'fixture_params_0000100.pt');

describe('stylelab translate', { concurrency: 2 }, () => {
  test('a folder of images, B2A, with heatmaps: same base names, official pixels', async () => {
    const input = join(tmp.dir, 'in');
    mkdirSync(input);
    copyFileSync(fixture('ugatit-full-tiny-legacy', 'input.png'), join(input, 'face.png'));
    copyFileSync(fixture('ugatit-full-tiny-legacy', 'input.png'), join(input, 'again.PNG'));
    writeFileSync(join(input, 'notes.txt'), 'not an image');
    const out = join(tmp.dir, 'out-full');
    const r = await stylelab('translate', '--checkpoint', FULL, '--direction', 'B2A', '--input', input, '--outdir', out, '--heatmap');
    assertOk(r);
    assert.match(r.stdout, /^translated 2 images B2A with a full-mode, ch 2, 1 residual block, 256x256 U-GAT-IT to /);
    assert.deepEqual(listDir(out), ['again.png', 'again_heatmap.png', 'face.png', 'face_heatmap.png']);
    const png = await readPng(join(out, 'face.png'));
    assert.deepEqual([png.width, png.height, png.channels], [256, 256, 3]);
    assertU8Close(png.data, fixtureU8('ugatit-full-tiny-legacy', 'genB2A_png_u8.npy'), 'face B2A');
    const heat = await readPng(join(out, 'face_heatmap.png'));
    assert.deepEqual([heat.width, heat.height, heat.channels], [256, 256, 3]);
  });

  test('a single file, A2B by default', async () => {
    const out = join(tmp.dir, 'out-light');
    const r = await stylelab('translate', '--checkpoint', LIGHT, '--input', fixture('ugatit-light-tiny', 'input.png'), '--outdir', out);
    assertOk(r);
    assert.deepEqual(listDir(out), ['input.png']);
    assertU8Close((await readPng(join(out, 'input.png'))).data, fixtureU8('ugatit-light-tiny', 'genA2B_png_u8.npy'), 'A2B');
  });

  test('errors: unreadable image, StyleGAN checkpoint, size a full model cannot run, bad direction, empty folder', async () => {
    const bad = join(tmp.dir, 'bad.jpg');
    writeFileSync(bad, 'not a jpeg');
    const out = join(tmp.dir, 'out-errors');
    const img = fixture('ugatit-light-tiny', 'input.png');
    assertOneLineError(await stylelab('translate', '--checkpoint', LIGHT, '--input', bad, '--outdir', out), /cannot read image .*bad\.jpg/, 'unreadable image');
    assertOneLineError(await stylelab('translate', '--checkpoint', TINY, '--input', img, '--outdir', out), /not a torch\.save U-GAT-IT snapshot/, 'StyleGAN pickle');
    assertOneLineError(await stylelab('translate', '--checkpoint', FULL, '--img-size', '128', '--input', img, '--outdir', out), /full-mode model for 256x256 images; it cannot run at 128/, 'size');
    assertOneLineError(await stylelab('translate', '--checkpoint', LIGHT, '--direction', 'A2C', '--input', img, '--outdir', out), /unknown --direction 'A2C'/, 'direction');
    const empty = join(tmp.dir, 'empty');
    mkdirSync(empty);
    assertOneLineError(await stylelab('translate', '--checkpoint', LIGHT, '--input', empty, '--outdir', out), /holds no images/, 'empty folder');
    assert.deepEqual(listDir(out), [], 'nothing written');
  });

  test('StyleGAN commands point U-GAT-IT checkpoints to translate', async () => {
    const r = await stylelab('generate', '--network', LIGHT, '--seeds', '0', '--outdir', join(tmp.dir, 'g'));
    assertOneLineError(r, /U-GAT-IT checkpoint.*stylelab translate/, 'generate with a .pt');
  });
});
