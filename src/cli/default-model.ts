// The bundled default network: the StyleGAN2 emoji model stylelab trained itself (docs/default-model.md), used
// by generate, style-mix, video and drag when no --network is given.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InputError } from '../errors.js';

/** Folder name of the default model under the package's models/. */
export const DEFAULT_MODEL = 'stylegan2-emoji32';

/** The package's models/ folder (dist/src/cli -> package root). */
export const bundledModelsDir = (): string => fileURLToPath(new URL('../../../models/', import.meta.url));

/**
 * The default model's folder; an InputError when the package was installed without it.
 * @example const network = opts.network ?? defaultNetwork();
 */
export function defaultNetwork(): string {
  const dir = `${bundledModelsDir()}${DEFAULT_MODEL}`;
  if (!existsSync(`${dir}/config.json`)) throw new InputError(`--network is required: the bundled default model ${dir} is missing`);
  return dir;
}
