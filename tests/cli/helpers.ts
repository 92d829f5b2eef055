// CLI test helpers: run the built `stylelab` in a child process, temporary folders, PNG and fixture comparison.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { readNpy } from '../../src/io/npy.js';
import { toFloat32 } from '../../src/io/tensor.js';
import { toUint8Image } from '../../src/models/generate.js';
import { fixture, repoRoot } from '../fixtures.js';

/** The built command. */
export const CLI = join(repoRoot, 'dist', 'src', 'cli', 'main.js');

export const TINY = fixture('stylegan2-tiny', 'network.pkl');
export const COND = fixture('stylegan2-cond-tiny', 'network.pkl');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node dist/src/cli/main.js ...args` (one ONNX Runtime thread, stderr not a TTY: no progress bar).
 * @example const r = await stylelab('generate', '--network', TINY, '--seeds', '0', '--outdir', dir);
 */
export function stylelab(...args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, '--threads', '1', ...args], { encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Asserts a successful run, showing its stderr otherwise. */
export function assertOk(r: CliResult): void {
  assert.equal(r.code, 0, `stylelab failed (${r.code}): ${r.stderr}`);
}

/** A temporary folder removed by the returned function. */
export function tempDir(prefix = 'stylelab-cli-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** File names in a folder (none when it does not exist). */
export function listDir(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

/** The decoded pixels of a PNG (HWC uint8) with its size. */
export async function readPng(path: string): Promise<{ data: Uint8Array; width: number; height: number; channels: number }> {
  const { data, info } = await sharp(path).raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: info.channels };
}

/** A fixture .npy as float32 values with its shape and stored dtype. */
export function readFixtureNpy(...parts: string[]): { data: Float32Array; shape: number[]; dtype: string } {
  const t = readNpy(readFileSync(fixture(...parts)));
  return { data: toFloat32(t), shape: t.shape, dtype: t.dtype };
}

/** A fixture uint8 image HWC: `u8_*.npy` as stored, or a float NCHW image in [-1, 1] converted as gen_images.py does. */
export function fixtureU8(...parts: string[]): Uint8Array {
  const t = readFixtureNpy(...parts);
  if (t.dtype === 'uint8') return Uint8Array.from(t.data);
  assert.equal(t.shape.length, 4, `${parts.join('/')}: expected an NCHW image`);
  return toUint8Image(t.data, t.shape[1]!, t.shape[2]!, t.shape[3]!);
}

/**
 * The fixtures README tolerance for uint8 images: at least 99.9% identical values, none more than 1 apart.
 * @example assertU8Close(png.data, fixtureU8('stylegan2-tiny', 'u8_seed0_psi1.0_const.npy'), 'seed 0');
 */
export function assertU8Close(actual: Uint8Array, expected: Uint8Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: ${actual.length} values, expected ${expected.length}`);
  let differ = 0;
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    if (d > 0) differ++;
    worst = Math.max(worst, d);
  }
  assert.ok(worst <= 1, `${what}: values up to ${worst} apart (at most 1 allowed)`);
  assert.ok(differ <= actual.length * 0.001, `${what}: ${differ} of ${actual.length} values differ (at most 0.1% allowed)`);
}

/** Asserts a failed run: non-zero exit, exactly one stderr line `stylelab: error: ...`, no stack trace. */
export function assertOneLineError(r: CliResult, pattern: RegExp, what: string): void {
  assert.notEqual(r.code, 0, `${what}: expected failure, got exit 0 (stdout: ${r.stdout})`);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `${what}: expected one stderr line, got:\n${r.stderr}`);
  assert.match(lines[0]!, /^stylelab: error: /, what);
  assert.match(lines[0]!, pattern, what);
  assert.doesNotMatch(r.stderr, /^\s+at /m, `${what}: stack trace without --verbose`);
  assert.equal(r.stdout, '', `${what}: nothing on stdout`);
}
