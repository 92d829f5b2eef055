// Atomic writes (Node): a file or a folder appears complete under its name or not at all.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../errors.js';

/**
 * Writes a file atomically: to a temporary name in the same folder, then renamed (no partial file on failure).
 * @example writeFileAtomic('out/seed0000.png', png);
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Writes a folder atomically: files go to a temporary sibling folder which then replaces `dir`
 * (only when `dir` is absent or already a stylelab model folder).
 * @example writeFolderAtomic('models/s2a', { 'config.json': json, 'weights.safetensors': bytes });
 */
export function writeFolderAtomic(dir: string, files: Record<string, Uint8Array | string>): void {
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true });
  const tmp = join(parent, `.${basename(dir)}.${process.pid}.tmp`);
  rmSync(tmp, { recursive: true, force: true });
  try {
    mkdirSync(tmp);
    // config.json last: a folder with it is complete.
    const names = Object.keys(files).sort((a, b) => Number(a === 'config.json') - Number(b === 'config.json'));
    for (const name of names) writeFileSync(join(tmp, name), files[name]!);
    if (existsSync(dir)) {
      if (!existsSync(join(dir, 'config.json'))) throw new InputError(`${dir} exists and is not a stylelab model folder; choose another output folder`);
      rmSync(dir, { recursive: true });
    }
    renameSync(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
