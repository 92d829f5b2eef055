// `stylelab translate`: files written as the official test phase writes them, heatmaps, and clear errors.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { assertOk, assertOneLineError, assertU8Close, fixtureU8, listDir, readPng, stylelab, tempDir, TINY } from '../cli/helpers.js';
import { type TensorData, loadTorchFile } from '../../src/io/torch.js';
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

  test('info describes a U-GAT-IT snapshot: mode, ch, n_res, img_size, the six networks and their sizes', async () => {
    const r = await stylelab('info', '--network', LIGHT);
    assertOk(r);
    assert.match(r.stdout, /^architecture:\s+U-GAT-IT, light mode/m);
    assert.match(r.stdout, /^networks:\s+genA2B, genB2A, disGA, disGB, disLA, disLB$/m);
    assert.match(r.stdout, /^ch:\s+4$/m);
    assert.match(r.stdout, /^n_res:\s+2 \(residual blocks\)$/m);
    assert.match(r.stdout, /^img_size:\s+256 \(light mode runs at any size/m);
    const json = JSON.parse((await stylelab('info', '--network', FULL, '--json')).stdout) as { light: boolean; ch: number; n_res: number; img_size_fixed: boolean; networks: Record<string, { parameters: number; buffers: number }> };
    assert.deepEqual([json.light, json.ch, json.n_res, json.img_size_fixed], [false, 2, 1, true]);
    // Counts as the official `sum(p.numel() for p in net.parameters())`, from the snapshot's own tensors:
    // every tensor but spectral norm's buffers (weight_u, weight_v).
    const sd = loadTorchFile(readFileSync(FULL)) as Map<string, Map<string, TensorData>>;
    for (const net of ['genA2B', 'genB2A', 'disGA', 'disGB', 'disLA', 'disLB']) {
      const numel = (keep: (name: string) => boolean) => [...sd.get(net)!].filter(([k]) => keep(k)).reduce((a, [, t]) => a + t.shape.reduce((p, d) => p * d, 1), 0);
      const isBuffer = (k: string) => /weight_[uv]$/.test(k);
      assert.deepEqual([json.networks[net]!.parameters, json.networks[net]!.buffers], [numel((k) => !isBuffer(k)), numel(isBuffer)], net);
    }
  });

  test('convert writes a stylelab U-GAT-IT folder that translate reads, with the same pixels', async () => {
    const model = join(tmp.dir, 'light-model');
    const r = await stylelab('convert', LIGHT, model, '--networks', 'genA2B');
    assertOk(r);
    assert.match(r.stdout, /^wrote genA2B of a light-mode, ch 4, 2 residual blocks, 256x256 U-GAT-IT to /);
    assert.deepEqual(listDir(model), ['config.json', 'weights.safetensors']);
    const info = await stylelab('info', '--network', model);
    assert.match(info.stdout, /^format:\s+stylelab U-GAT-IT model folder/m);
    assert.match(info.stdout, /^networks:\s+genA2B$/m);
    const out = join(tmp.dir, 'out-converted');
    assertOk(await stylelab('translate', '--checkpoint', model, '--input', fixture('ugatit-light-tiny', 'input.png'), '--outdir', out));
    assertU8Close((await readPng(join(out, 'input.png'))).data, fixtureU8('ugatit-light-tiny', 'genA2B_png_u8.npy'), 'A2B from the converted folder');
    assertOneLineError(await stylelab('convert', LIGHT, join(tmp.dir, 'x'), '--networks', 'G_ema'), /unknown network 'G_ema'.*genA2B, genB2A, disGA/, 'StyleGAN role');
    assertOneLineError(await stylelab('convert', LIGHT, join(tmp.dir, 'x'), '--networks', 'disGA'), /keeps no generator/, 'no generator');
  });

  test('StyleGAN commands point U-GAT-IT checkpoints to translate', async () => {
    const r = await stylelab('generate', '--network', LIGHT, '--seeds', '0', '--outdir', join(tmp.dir, 'g'));
    assertOneLineError(r, /U-GAT-IT checkpoint.*stylelab translate/, 'generate with a .pt');
  });
});
