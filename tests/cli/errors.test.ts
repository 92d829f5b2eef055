// Every failure: non-zero exit, one stderr line `stylelab: error: ...`, no stack trace unless --verbose,
// and nothing written to the output folder.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { assertOneLineError, COND, listDir, stylelab, tempDir, TINY } from './helpers.js';

const tmp = tempDir();
after(tmp.remove);
const path = (name: string) => join(tmp.dir, name);

before(async () => {
  const pkl = readFileSync(TINY);
  writeFileSync(path('truncated.pkl'), pkl.subarray(0, Math.floor(pkl.length * 0.6)));
  // Protocol 2: os.system('ls') via GLOBAL + REDUCE.
  writeFileSync(path('evil.pkl'), Buffer.from('\x80\x02cos\nsystem\nq\x00X\x02\x00\x00\x00lsq\x01\x85q\x02Rq\x03.', 'latin1'));
  writeFileSync(path('random.bin'), Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24));
  writeFileSync(path('image.png'), await sharp({ create: { width: 8, height: 8, channels: 3, background: '#336699' } }).png().toBuffer());
  writeFileSync(path('a-file'), 'not a folder');
  mkdirSync(path('no-config'));
  copyFileSync(TINY, join(path('no-config'), 'network.pkl'));
});

/** [name, args (the outdir is appended where the command takes one), expected message]. */
const GENERATE_CASES: [string, () => string[], RegExp][] = [
  ['missing file', () => ['--network', path('missing.pkl'), '--seeds', '0'], /network not found: .*missing\.pkl/],
  ['folder without config.json', () => ['--network', path('no-config'), '--seeds', '0'], /folder without config\.json/],
  ['truncated pickle', () => ['--network', path('truncated.pkl'), '--seeds', '0'], /truncated/],
  ['pickle calling os.system', () => ['--network', path('evil.pkl'), '--seeds', '0'], /os\.system.*nothing was executed/],
  ['random bytes', () => ['--network', path('random.bin'), '--seeds', '0'], /not a PyTorch or pickle file/],
  ['a PNG as --network', () => ['--network', path('image.png'), '--seeds', '0'], /PNG image, not a checkpoint/],
  ["seeds '0-x'", () => ['--network', TINY, '--seeds', '0-x'], /cannot parse --seeds list '0-x'/],
  ["seeds ''", () => ['--network', TINY, '--seeds', ''], /cannot parse --seeds list ''/],
  ["seeds '5-2'", () => ['--network', TINY, '--seeds', '5-2'], /range 5-2 runs backwards/],
  ['class out of range', () => ['--network', COND, '--seeds', '0', '--class', '4'], /class index 4 is out of range: this network has 4 classes/],
  ['negative class', () => ['--network', COND, '--seeds', '0', '--class', '-1'], /--class must be a non-negative integer, got '-1'/],
  ['conditional without --class', () => ['--network', COND, '--seeds', '0'], /conditional: give a class index/],
  ['--trunc not a number', () => ['--network', TINY, '--seeds', '0', '--trunc', 'abc'], /--trunc must be a number, got 'abc'/],
  ['--trunc-cutoff not an integer', () => ['--network', TINY, '--seeds', '0', '--trunc-cutoff', '1.5'], /--trunc-cutoff must be a non-negative integer/],
  ['unknown noise mode', () => ['--network', TINY, '--seeds', '0', '--noise-mode', 'loud'], /unknown --noise-mode 'loud'/],
  ['--threads not a number', () => ['--network', TINY, '--seeds', '0', '--threads', 'many'], /--threads must be a non-negative integer/],
  ['unknown option', () => ['--network', TINY, '--seeds', '0', '--sedes', '1'], /unknown option '--sedes'/],
  ['missing --seeds', () => ['--network', TINY], /required option '--seeds <list>' not specified/],
];

describe('stylelab errors', { concurrency: 2 }, () => {
  for (const [name, args, message] of GENERATE_CASES) {
    test(`generate: ${name}`, async () => {
      const outdir = path(`out-${name.replace(/\W+/g, '_')}`);
      const r = await stylelab('generate', ...args(), '--outdir', outdir);
      assertOneLineError(r, message, name);
      assert.deepEqual(listDir(outdir), [], `${name}: nothing written`);
    });
  }

  test('generate: outdir that is a file', async () => {
    const r = await stylelab('generate', '--network', TINY, '--seeds', '0', '--outdir', path('a-file'));
    assertOneLineError(r, /--outdir .*a-file exists and is not a folder/, 'outdir is a file');
    assert.equal(readFileSync(path('a-file'), 'utf8'), 'not a folder');
  });

  test('generate failing midway keeps the finished images and leaves no partial or temporary file', async () => {
    const outdir = path('out-midway');
    mkdirSync(join(outdir, 'seed0001.png'), { recursive: true }); // the second image cannot be renamed into place
    const r = await stylelab('generate', '--network', TINY, '--seeds', '0-2', '--outdir', outdir);
    assertOneLineError(r, /cannot write .*seed0001\.png: a folder of that name is in the way/, 'midway');
    assert.deepEqual(listDir(outdir), ['seed0000.png', 'seed0001.png']);
    assert.deepEqual(listDir(join(outdir, 'seed0001.png')), []);
    const png = await sharp(join(outdir, 'seed0000.png')).metadata();
    assert.deepEqual([png.width, png.height], [32, 32]);
  });

  test('style-mix: style layer out of range, bad rows', async () => {
    const outdir = path('out-mix');
    const cases: [string[], RegExp][] = [
      [['--network', COND, '--rows', '0', '--cols', '1', '--class', '0'], /--styles: style layer 6 is out of range: this network has 6 ws/],
      [['--network', TINY, '--rows', '1-', '--cols', '1'], /cannot parse --rows list '1-'/],
      [['--network', TINY, '--rows', '0', '--cols', '1', '--trunc', '0.7x'], /--trunc must be a number/],
    ];
    for (const [args, message] of cases) assertOneLineError(await stylelab('style-mix', ...args, '--outdir', outdir), message, args.join(' '));
    assert.deepEqual(listDir(outdir), []);
  });

  test('export: random noise, an output that is a folder, a hostile pickle', async () => {
    assertOneLineError(await stylelab('export', '--network', TINY, '--noise-mode', 'random', path('r.onnx')), /random cannot be exported/, 'random noise');
    assertOneLineError(await stylelab('export', '--network', TINY, tmp.dir), /is a folder/, 'folder output');
    assertOneLineError(await stylelab('export', '--network', path('evil.pkl'), path('evil.onnx')), /nothing was executed/, 'evil');
    assert.deepEqual(listDir(tmp.dir).filter((n) => n.endsWith('.onnx') || n.startsWith('.')), []);
  });

  test('convert and info: unknown network role, hostile and corrupt input', async () => {
    assertOneLineError(await stylelab('convert', TINY, path('m1'), '--networks', 'G_ema,E'), /unknown network 'E'/, 'role');
    assertOneLineError(await stylelab('convert', path('evil.pkl'), path('m2')), /nothing was executed/, 'evil convert');
    assertOneLineError(await stylelab('info', '--network', path('truncated.pkl')), /truncated/, 'truncated info');
    assertOneLineError(await stylelab('info', '--network', path('image.png')), /PNG image/, 'png info');
    assert.deepEqual(listDir(tmp.dir).filter((n) => n.startsWith('m') || n.startsWith('.')), []);
  });

  test('--verbose adds the stack trace', async () => {
    const r = await stylelab('--verbose', 'generate', '--network', path('evil.pkl'), '--seeds', '0', '--outdir', path('out-verbose'));
    assert.equal(r.code, 1);
    const lines = r.stderr.trim().split('\n');
    assert.match(lines[0]!, /^stylelab: error: .*nothing was executed/);
    assert.match(r.stderr, /UnsafeCheckpointError/);
    assert.match(r.stderr, /^\s+at /m);
  });

  test('exit codes: 1 for errors, 2 for a malformed command line, 0 for --help', async () => {
    const expectCode = async (code: number, ...args: string[]) => {
      const r = await stylelab(...args);
      assert.equal(r.code, code, `stylelab ${args.join(' ')}: exit ${r.code}, expected ${code}; stderr: ${r.stderr}`);
      return r;
    };
    await expectCode(1, 'generate', '--network', path('missing.pkl'), '--seeds', '0');
    await expectCode(2, 'generate', '--bogus');
    await expectCode(2, 'frobnicate');
    const help = await expectCode(0, 'generate', '--help');
    assert.match(help.stdout, /--trunc-cutoff/);
  });
});
