// `stylelab video` (gen_video.py): GIF and MP4 files of the right frame count and size, the official
// errors, a missing or failing ffmpeg, and no partial file after a failure or Ctrl-C.
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import sharp from 'sharp';
import { findOnPath } from '../../src/io/video-file.js';
import { assertOk, assertOneLineError, CLI, type CliResult, COND, fixtureU8, listDir, stylelab, tempDir, TINY } from './helpers.js';

const tmp = tempDir('stylelab-video-');
after(tmp.remove);

const FFPROBE = findOnPath('ffprobe');
const NO_FFMPEG = findOnPath('ffmpeg') && FFPROBE ? false : 'ffmpeg/ffprobe not on PATH (bash scripts/install-ffmpeg.sh installs them)';

/** Runs the CLI with a replaced PATH (node itself is found through process.execPath). */
function stylelabWithPath(path: string, ...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, '--threads', '1', ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, PATH: path } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

/** A folder holding a fake `ffmpeg` shell script. */
function fakeFfmpeg(name: string, script: string): string {
  const dir = join(tmp.dir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'ffmpeg'), `#!/bin/sh\n${script}\n`);
  chmodSync(join(dir, 'ffmpeg'), 0o755);
  return `${dir}:/usr/bin:/bin`;
}

describe('stylelab video', { concurrency: 2 }, () => {
  test('GIF: 2x1 grid, 4 seeds -> 2 keyframes x 5 frames of 64x32, looping forever', async () => {
    const out = join(tmp.dir, 'gif', 'lerp.gif');
    const r = await stylelab('video', '--network', TINY, '--seeds', '0-3', '--grid', '2x1', '--w-frames', '5', '--output', out);
    assertOk(r);
    assert.equal(r.stdout, `wrote ${out}: 10 frames of 64x32 at 50 fps (GIF delays are in 1/100 s)\n`);
    assert.deepEqual(listDir(join(tmp.dir, 'gif')), ['lerp.gif'], 'no temporary file left');
    const m = await sharp(out, { animated: true }).metadata();
    assert.deepEqual([m.format, m.pages, m.width, m.pageHeight, m.loop], ['gif', 10, 64, 32, 0]);
    assert.deepEqual(m.delay, new Array(10).fill(20));
    // Frame 0's left cell is seed 0 (cells: [[0, 1], [2, 3]]); GIF colours are quantised, so compare loosely:
    // measured 0.8 (BGR order: 18, seed 1: 33).
    const { data } = await sharp(out, { page: 0 }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const expected = fixtureU8('stylegan2-tiny', 'u8_seed0_psi1.0_const.npy');
    let diff = 0;
    for (let i = 0; i < expected.length; i++) diff += Math.abs(data[(Math.floor(i / 96) * 64) * 3 + (i % 96)]! - expected[i]!);
    assert.ok(diff / expected.length < 4, `mean difference ${diff / expected.length} to seed 0`);
  });

  test('MP4: frame count, size, H.264 yuv420p at 60 fps (ffprobe)', { skip: NO_FFMPEG }, async () => {
    const out = join(tmp.dir, 'mp4', 'lerp.mp4');
    const r = await stylelab('video', '--network', TINY, '--seeds', '0-5', '--grid', '1x2', '--w-frames', '4', '--trunc', '0.7', '--output', out);
    assertOk(r);
    assert.equal(r.stdout, `wrote ${out}: 12 frames of 32x64 at 60 fps\n`);
    assert.deepEqual(listDir(join(tmp.dir, 'mp4')), ['lerp.mp4']);
    const probe = JSON.parse(execFileSync(FFPROBE!, ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height,pix_fmt,nb_read_frames,r_frame_rate', '-of', 'json', out], { encoding: 'utf8' })) as { streams: Record<string, string | number>[] };
    const s = probe.streams[0]!;
    assert.deepEqual([s.codec_name, s.width, s.height, s.pix_fmt, s.r_frame_rate, s.nb_read_frames], ['h264', 32, 64, 'yuv420p', '60/1', '12']);
    // Frame 0, decoded: the top cell is seed 0 at psi 0.7 (cells [[0, 1, 2], [3, 4, 5]]). yuv420p halves the colour
    // resolution of these noisy 32x32 images, so compare loosely: measured 16 (BGR order: 24, seed 1: 32).
    const rgb = execFileSync(findOnPath('ffmpeg')!, ['-v', 'error', '-i', out, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']);
    assert.equal(rgb.length, 32 * 64 * 3);
    const expected = fixtureU8('stylegan2-tiny', 'u8_seed0_psi0.7_const.npy');
    let diff = 0;
    for (let i = 0; i < expected.length; i++) diff += Math.abs(rgb[i]! - expected[i]!);
    assert.ok(diff / expected.length < 20, `mean difference ${diff / expected.length} to seed 0`);
  });

  test('--num-keyframes cycles the seeds; --fps sets the GIF delays', async () => {
    const out = join(tmp.dir, 'cycle.gif');
    const r = await stylelab('video', '--network', TINY, '--seeds', '0-2', '--grid', '2x2', '--num-keyframes', '2', '--w-frames', '3', '--fps', '25', '--output', out);
    assertOk(r);
    assert.equal(r.stdout, `wrote ${out}: 6 frames of 64x64 at 25 fps (GIF delays are in 1/100 s)\n`);
    const m = await sharp(out, { animated: true }).metadata();
    assert.deepEqual([m.pages, m.delay?.[0]], [6, 40]);
  });

  test('a conditional network with --class', async () => {
    const out = join(tmp.dir, 'cond.gif');
    assertOk(await stylelab('video', '--network', COND, '--seeds', '5,6', '--class', '2', '--w-frames', '2', '--output', out));
    const m = await sharp(out, { animated: true }).metadata();
    assert.deepEqual([m.pages, m.width, m.pageHeight], [4, 16, 16]);
  });

  const errors: [string, string[], RegExp][] = [
    ['bad grid', ['--seeds', '0-3', '--grid', '2by2'], /cannot parse --grid '2by2': expected width x height/],
    ['empty grid', ['--seeds', '0-3', '--grid', '0x2'], /--grid '0x2': the width and height must be at least 1/],
    ['seeds not filling the grid', ['--seeds', '0-4', '--grid', '2x2'], /number of seeds \(5\) must be divisible by the grid size 2x2 = 4/],
    ['--num-keyframes 0', ['--seeds', '0-3', '--num-keyframes', '0'], /--num-keyframes must be at least 1, got 0/],
    ['--w-frames abc', ['--seeds', '0-3', '--w-frames', 'abc'], /--w-frames must be a non-negative integer, got 'abc'/],
    ['--fps 0', ['--seeds', '0-3', '--fps', '0'], /--fps must be above 0/],
    ['bad seeds', ['--seeds', '3-1'], /range 3-1 runs backwards/],
  ];
  for (const [what, args, pattern] of errors) {
    test(`error: ${what}`, async () => {
      const out = join(tmp.dir, `err-${what.replace(/\W+/g, '-')}.gif`);
      assertOneLineError(await stylelab('video', '--network', TINY, ...args, '--output', out), pattern, what);
      assert.equal(existsSync(out), false);
    });
  }

  test('error: unknown extension, output is a folder or inside a file', async () => {
    assertOneLineError(await stylelab('video', '--network', TINY, '--seeds', '0', '--output', join(tmp.dir, 'x.avi')), /unknown video format '\.avi': expected \.mp4 or \.gif/, 'avi');
    assertOneLineError(await stylelab('video', '--network', TINY, '--seeds', '0', '--output', tmp.dir), /is a folder; give a file name/, 'folder');
    const file = join(tmp.dir, 'a-file');
    writeFileSync(file, 'x');
    assertOneLineError(await stylelab('video', '--network', TINY, '--seeds', '0', '--output', join(file, 'x.gif')), /--output .*a-file\/x\.gif: .*a-file is a file, not a folder/, 'parent is a file');
  });

  test('error: a conditional network without --class, and no file', async () => {
    const out = join(tmp.dir, 'nocls', 'x.gif');
    assertOneLineError(await stylelab('video', '--network', COND, '--seeds', '0', '--output', out), /conditional: give a class index between 0 and 3 \(--class\)/, 'cond');
    assert.deepEqual(listDir(join(tmp.dir, 'nocls')), []);
  });

  test('error: .mp4 without ffmpeg suggests .gif and the install script', async () => {
    const out = join(tmp.dir, 'noff.mp4');
    const r = await stylelabWithPath(join(tmp.dir, 'empty-path'), 'video', '--network', TINY, '--seeds', '0', '--output', out);
    assertOneLineError(r, /ffmpeg was not found on PATH; install it \(bash scripts\/install-ffmpeg\.sh\) or write a \.gif instead/, 'no ffmpeg');
    assert.equal(existsSync(out), false);
  });

  test('error: ffmpeg failing half-way leaves no file, partial or temporary', async () => {
    // Writes its output (the last argument), reads some frames, then fails as an encoder might.
    const path = fakeFfmpeg('failing', 'for a; do out="$a"; done\necho partial > "$out"\nhead -c 10000 > /dev/null\necho "x264 [error]: out of cheese" >&2\nexit 3');
    const dir = join(tmp.dir, 'fail');
    const r = await stylelabWithPath(path, 'video', '--network', TINY, '--seeds', '0-3', '--w-frames', '50', '--output', join(dir, 'x.mp4'));
    assertOneLineError(r, /cannot write .*x\.mp4: ffmpeg failed \(exit code 3\): x264 \[error\]: out of cheese/, 'ffmpeg fails');
    assert.deepEqual(listDir(dir), []);
  });

  test('Ctrl-C while encoding: exit 130, no file left (with an ffmpeg that reads forever)', async () => {
    const path = fakeFfmpeg('slow', 'for a; do out="$a"; done\necho partial > "$out"\ncat > /dev/null');
    const dir = join(tmp.dir, 'sigint');
    const child = spawn(process.execPath, [CLI, '--threads', '1', 'video', '--network', TINY, '--seeds', '0-3', '--w-frames', '100000', '--output', join(dir, 'x.mp4')], { env: { ...process.env, PATH: path }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    // Wait for the temporary file (ffmpeg has started and frames are flowing), then interrupt.
    const deadline = Date.now() + 30_000;
    while (listDir(dir).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.match(listDir(dir)[0] ?? '', /^\.x\.mp4\.\d+\.tmp$/, 'the temporary file exists while encoding');
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 130);
    assert.equal(stderr, 'stylelab: error: interrupted\n');
    assert.deepEqual(listDir(dir), []);
  });
});
