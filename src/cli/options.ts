// Validation of the command-line option values. Every check runs before any network is loaded or any
// file is written, and every failure is an InputError whose message names the option and what was given.
import { existsSync, statSync } from 'node:fs';
import { InputError } from '../errors.js';
import { type NetworkRole, NETWORK_ROLES } from '../models/checkpoint.js';
import { parseSeeds } from '../models/generate.js';
import type { NoiseMode } from '../nets/stylegan2/synthesis.js';

const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const UINT = /^\d+$/;

/**
 * A finite number (`--trunc 0.7`), refusing '', 'abc', '1x', 'Infinity'.
 * @example parseNumber('0.7', '--trunc') // 0.7
 */
export function parseNumber(text: string, option: string): number {
  const v = Number(text);
  if (!FLOAT.test(text.trim()) || !Number.isFinite(v)) throw new InputError(`${option} must be a number, got '${text}'`);
  return v;
}

/**
 * A non-negative integer (`--class 2`, `--trunc-cutoff 8`).
 * @example parseIndex('2', '--class') // 2
 */
export function parseIndex(text: string, option: string): number {
  const v = Number(text);
  if (!UINT.test(text.trim()) || !Number.isSafeInteger(v)) throw new InputError(`${option} must be a non-negative integer, got '${text}'`);
  return v;
}

/** `--class N` or undefined when absent. */
export function parseClass(text: string | undefined): number | undefined {
  return text === undefined ? undefined : parseIndex(text, '--class');
}

/** `--trunc-cutoff N` or null (truncate every w) when absent. */
export function parseCutoff(text: string | undefined): number | null {
  return text === undefined ? null : parseIndex(text, '--trunc-cutoff');
}

/** `--threads N` (0: one per core, onnxruntime's default). */
export function parseThreads(text: string | undefined): number | undefined {
  return text === undefined ? undefined : parseIndex(text, '--threads');
}

/** `--batch N`, at least 1. */
export function parseBatch(text: string): number {
  const v = parseIndex(text, '--batch');
  if (v < 1) throw new InputError(`--batch must be at least 1, got ${v}`);
  return v;
}

const NOISE_MODES: readonly NoiseMode[] = ['const', 'random', 'none'];

/**
 * `--noise-mode`: const (the stored noise buffers, gen_images.py's default), random, or none.
 * @example parseNoiseMode('none') // 'none'
 */
export function parseNoiseMode(text: string): NoiseMode {
  if (!(NOISE_MODES as readonly string[]).includes(text)) throw new InputError(`unknown --noise-mode '${text}': expected const, random or none`);
  return text as NoiseMode;
}

/**
 * A seed list as gen_images.py parses it ('0-3,7'), in the order given, without repeats.
 * @example parseSeedList('0-2,1', '--seeds') // [0, 1, 2]
 */
export function parseSeedList(text: string, option: string): number[] {
  return [...new Set(parseSeeds(text, `${option} list`))];
}

/**
 * `--networks G_ema,G,D`: known roles, no repeats.
 * @example parseRoles('G_ema,D') // ['G_ema', 'D']
 */
export function parseRoles(text: string): NetworkRole[] {
  const roles = text.split(',').map((s) => s.trim());
  for (const r of roles) {
    if (!(NETWORK_ROLES as readonly string[]).includes(r)) throw new InputError(`unknown network '${r}' in --networks '${text}': expected some of ${NETWORK_ROLES.join(', ')}`);
  }
  return [...new Set(roles)] as NetworkRole[];
}

/**
 * Refuses an output folder that exists as something other than a folder (checked before any work).
 * @example checkOutdir('out')
 */
export function checkOutdir(dir: string, option = '--outdir'): void {
  if (!dir.trim()) throw new InputError(`${option} must not be empty`);
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new InputError(`${option} ${dir} exists and is not a folder`);
}

/**
 * Refuses an output file path that is an existing folder.
 * @example checkOutFile('G.onnx')
 */
export function checkOutFile(path: string, what: string): void {
  if (!path.trim()) throw new InputError(`${what} must not be empty`);
  if (existsSync(path) && statSync(path).isDirectory()) throw new InputError(`${what} ${path} is a folder; give a file name such as ${path.replace(/\/+$/, '')}/generator.onnx`);
}
