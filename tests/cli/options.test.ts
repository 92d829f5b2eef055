// In-process checks of the CLI's option parsers, file names and PNG writer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { InputError } from '../../src/errors.js';
import { seedFileName } from '../../src/cli/generate.js';
import { parseBatch, parseCutoff, parseIndex, parseNoiseMode, parseNumber, parseRoles, parseSeedList } from '../../src/cli/options.js';
import { encodePng } from '../../src/cli/session.js';

test('parseNumber takes finite decimals only', () => {
  assert.equal(parseNumber('0.7', '--trunc'), 0.7);
  assert.equal(parseNumber('-1.5e-1', '--trunc'), -0.15);
  assert.equal(parseNumber('.5', '--trunc'), 0.5);
  for (const bad of ['', ' ', 'abc', '1x', '0x10', 'Infinity', 'NaN', '1e999', '1,5']) {
    assert.throws(() => parseNumber(bad, '--trunc'), (e: Error) => e instanceof InputError && /^--trunc must be a number/.test(e.message), bad);
  }
});

test('integers: --class, --trunc-cutoff, --batch', () => {
  assert.equal(parseIndex('3', '--class'), 3);
  assert.equal(parseCutoff(undefined), null);
  assert.equal(parseCutoff('0'), 0);
  for (const bad of ['-1', '1.5', '', 'two', '1e3', '99999999999999999999']) assert.throws(() => parseIndex(bad, '--class'), InputError, bad);
  assert.throws(() => parseBatch('0'), /--batch must be at least 1/);
});

test('noise modes, seed lists, network roles', () => {
  assert.equal(parseNoiseMode('none'), 'none');
  assert.throws(() => parseNoiseMode('Const'), /unknown --noise-mode 'Const'/);
  assert.deepEqual(parseSeedList('0-3,7,2', '--seeds'), [0, 1, 2, 3, 7]);
  assert.throws(() => parseSeedList('3-1', '--rows'), /--rows list '3-1'/);
  assert.deepEqual(parseRoles('G_ema,D,G_ema'), ['G_ema', 'D']);
  assert.throws(() => parseRoles('G_ema,'), /unknown network ''/);
});

test("seed file names as gen_images.py: f'seed{seed:04d}.png'", () => {
  assert.equal(seedFileName(7), 'seed0007.png');
  assert.equal(seedFileName(85), 'seed0085.png');
  assert.equal(seedFileName(123456), 'seed123456.png');
});

test('encodePng: grayscale, RGB and RGBA PNGs that decode to the same values', async () => {
  for (const [channels, colorType] of [[1, 0], [3, 2], [4, 6]]) {
    const u8 = Uint8Array.from({ length: 5 * 3 * channels! }, (_, i) => (i * 37) % 256);
    const png = await encodePng(u8, 5, 3, channels!);
    assert.equal(png[25], colorType, `PNG colour type for ${channels} channels`);
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height], [5, 3]);
    const decoded = channels === 1 ? Uint8Array.from({ length: 15 }, (_, i) => data[i * info.channels]!) : new Uint8Array(data);
    assert.deepEqual(decoded, u8);
  }
  await assert.rejects(encodePng(new Uint8Array(8), 2, 2, 2), /cannot write a PNG with 2 channels/);
});
