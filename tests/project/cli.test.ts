// `stylelab project`: the outputs as projector.py writes them (target.png, proj.png, projected_w.npz, the video),
// drag reading projected_w.npz, LPIPS from flags or $STYLELAB_METRIC_NETS, and one-line errors with nothing written.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { readNpz } from '../../src/io/npy.js';
import { createEngine, loadCheckpoint, openGenerator } from '../../src/node.js';
import { projectorUint8 } from '../../src/project/projector.js';
import { assertOk, assertOneLineError, CLI, type CliResult, listDir, readPng, stylelab, tempDir, TINY } from '../cli/helpers.js';
import { fixture } from '../fixtures.js';

const tmp = tempDir('stylelab-project-');
after(tmp.remove);
const path = (...p: string[]) => join(tmp.dir, ...p);
const LIN = fixture('lpips-vgg', 'lpips-vgg-v0.1-lin.pth');
const VGG = fixture('lpips-vgg', 'vgg16-features-random.pth');

before(async () => {
  // A 48x40 photo: centre-cropped to 40x40, then resized to the network's 32x32.
  const raw = Uint8Array.from({ length: 48 * 40 * 3 }, (_, i) => (i * 37) % 256);
  writeFileSync(path('photo.png'), await sharp(raw, { raw: { width: 48, height: 40, channels: 3 } }).png().toBuffer());
});

/** The CLI with extra environment variables (one ONNX Runtime thread, no TTY). */
function stylelabEnv(env: Record<string, string>, ...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, '--threads', '1', ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('stylelab project', () => {
  test('--loss mse: target.png, proj.png (the w with the stored noise), projected_w.npz [1, num_ws, w_dim], a video; drag reads the w', async () => {
    const out = path('mse');
    const r = await stylelab('project', '--network', TINY, '--target', path('photo.png'), '--num-steps', '12', '--loss', 'mse', '--save-video', '--outdir', out);
    assertOk(r);
    assert.match(r.stdout, /projected .*photo\.png in 12 steps \(mse [\d.]+, W\); wrote target\.png, proj\.png, projected_w\.npz, proj\.(mp4|gif)/);
    const video = listDir(out).find((f) => f.startsWith('proj.') && f !== 'proj.png')!;
    assert.deepEqual(listDir(out), ['proj.png', 'projected_w.npz', 'target.png', video].sort());
    const w = readNpz(readFileSync(join(out, 'projected_w.npz'))).get('w')!;
    assert.deepEqual([w.dtype, w.shape], ['float32', [1, 8, 64]]);
    // W: the same w on every layer.
    const ws = w.data as Float32Array;
    for (let l = 1; l < 8; l++) assert.deepEqual(ws.subarray(l * 64, (l + 1) * 64), ws.subarray(0, 64));
    const target = await readPng(join(out, 'target.png'));
    assert.deepEqual([target.width, target.height, target.channels], [32, 32, 3]);
    const engine = createEngine({ threads: 1 });
    const G = openGenerator(engine, loadCheckpoint(TINY));
    const expected = projectorUint8(await G.synthesis(Float32Array.from(ws), { noiseMode: 'const' }), 3, 32, 32);
    await G.dispose();
    await engine.dispose();
    assert.deepEqual((await readPng(join(out, 'proj.png'))).data, expected);
    if (video === 'proj.gif') {
      const meta = await sharp(join(out, video), { animated: true }).metadata();
      assert.deepEqual([meta.pages, meta.width, meta.pageHeight], [12, 64, 32], 'one frame a step, target | projection');
    }
    const drag = await stylelab('drag', '--network', TINY, '--latent', join(out, 'projected_w.npz'), '--points', '10,10>10,14', '--max-steps', '1', '--outdir', path('drag'));
    assertOk(drag);
  });

  test('--loss lpips from --lpips/--vgg16, and from $STYLELAB_METRIC_NETS under the usual names; --w-plus', async () => {
    const a = await stylelab('project', '--network', TINY, '--target', path('photo.png'), '--num-steps', '3', '--lpips', LIN, '--vgg16', VGG, '--w-plus', '--outdir', path('lpips'));
    assertOk(a);
    assert.match(a.stdout, /\(lpips [\d.]+, W\+\)/);
    const w = readNpz(readFileSync(path('lpips', 'projected_w.npz'))).get('w')!.data as Float32Array;
    assert.notDeepEqual(w.subarray(0, 64), w.subarray(64, 128), 'W+: one w per layer');
    mkdirSync(path('nets'));
    copyFileSync(LIN, path('nets', 'vgg.pth'));
    copyFileSync(VGG, path('nets', 'vgg16-397923af.pth'));
    const b = await stylelabEnv({ STYLELAB_METRIC_NETS: path('nets') }, 'project', '--network', TINY, '--target', path('photo.png'), '--num-steps', '2', '--outdir', path('lpips-env'));
    assertOk(b);
    assert.match(b.stdout, /\(lpips /);
  });
});

test('--save-video without ffmpeg: a GIF too large to assemble in memory is refused before projecting', async () => {
  const out = path('gif-too-big');
  // An empty PATH: no ffmpeg, so the video would be a GIF (64x32 frames, 200000 of them: 1.2 GiB).
  mkdirSync(path('empty-path'));
  const r = await stylelabEnv({ PATH: path('empty-path') }, 'project', '--network', TINY, '--target', path('photo.png'), '--loss', 'mse', '--num-steps', '200000', '--save-video', '--outdir', out);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /stylelab: warning: ffmpeg was not found/);
  assert.match(r.stderr, /stylelab: error: proj\.gif would hold 200000 frames of 64x32 \(1172 MiB in memory, at most 1024\): install ffmpeg/);
  assert.deepEqual(listDir(out), []);
});

describe('stylelab project errors', { concurrency: 2 }, () => {
  const cases: [string, () => string[], RegExp][] = [
    ['no LPIPS file and no --loss mse', () => [], /projection \(LPIPS, the official distance\) needs the LPIPS v0\.1 VGG linear layers vgg\.pth \(download it from https:\/\/github\.com\/richzhang\/PerceptualSimilarity\/.*\); pass --lpips FILE or set STYLELAB_METRIC_NETS .*; or use --loss mse/],
    ['--lpips without --vgg16', () => ['--lpips', LIN], /needs torchvision's VGG16 weights vgg16-397923af\.pth .*pass --vgg16 FILE.*; or use --loss mse/],
    ['--lpips file missing', () => ['--lpips', path('none.pth'), '--vgg16', VGG], /--lpips .*none\.pth: no such file/],
    ['--lpips is a network pickle', () => ['--lpips', TINY, '--vgg16', VGG], /--lpips .*network\.pkl: checkpoint refused: .*nothing was executed/],
    ['unknown --loss', () => ['--loss', 'l1'], /--loss must be lpips or mse, got 'l1'/],
    ['--num-steps 0', () => ['--loss', 'mse', '--num-steps', '0'], /--num-steps must be at least 1/],
    ['--seed not a number', () => ['--loss', 'mse', '--seed', 'x'], /--seed must be a non-negative integer, got 'x'/],
    ['target missing', () => ['--loss', 'mse', '--target', path('nothing.png')], /target not found: .*nothing\.png/],
    ['target not an image', () => ['--loss', 'mse', '--target', TINY], /cannot read image/],
  ];
  for (const [name, extra, message] of cases) {
    test(name, async () => {
      const out = path(`err-${name.replace(/\W+/g, '-')}`);
      const args = ['project', '--network', TINY, '--target', path('photo.png'), '--outdir', out, ...extra()];
      // Later options win in commander: a case's --target replaces the photo.
      assertOneLineError(await stylelab(...args), message, name);
      assert.deepEqual(listDir(out), [], `${name}: nothing written`);
    });
  }
});
