// `stylelab generate`: NVIDIA stylegan3's gen_images.py for StyleGAN2 and StyleGAN3 networks. Same seeds, same file
// names (seed0000.png), same pixels: z = RandomState(seed).randn(1, z_dim), G(z, label, psi, noise_mode),
// then (img * 127.5 + 128).clamp(0, 255) as uint8.
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { inputTransform } from '../nets/stylegan3/transform.js';
import { zFromSeed } from '../random/numpy-random.js';
import { checkOutdir, parseClass, parseCutoff, parseNoiseMode, parseNumber, parseSeedList } from './options.js';
import { type GlobalOptions, labelFor, shownDir, withGenerator, withProgress, writeImage } from './session.js';

/** The options as commander hands them over (strings, checked here). */
export interface GenerateArgs {
  network: string;
  seeds: string;
  trunc: string;
  truncCutoff?: string;
  class?: string;
  noiseMode: string;
  outdir: string;
  /** StyleGAN3 only: translate the input, "X,Y". */
  translate?: string;
  /** StyleGAN3 only: rotate the input, degrees. */
  rotate?: string;
}

/** The "X,Y" of --translate (gen_images.py parse_vec2). */
export function parseVec2(text: string, option: string): [number, number] {
  const parts = text.split(',');
  const v = parts.map((p) => (p.trim() === '' ? NaN : Number(p)));
  if (v.length !== 2 || !v.every(Number.isFinite)) throw new InputError(`${option}: expected two numbers 'X,Y', got '${text}'`);
  return [v[0]!, v[1]!];
}

/** gen_images.py's file name of a seed: seed0007.png, seed12345.png. */
export function seedFileName(seed: number): string {
  return `seed${String(seed).padStart(4, '0')}.png`;
}

/**
 * Generates one PNG per seed and returns the summary line.
 * @example await runGenerate({ network: 'network.pkl', seeds: '0-3', trunc: '0.7', noiseMode: 'const', outdir: 'out' }, {});
 */
export async function runGenerate(a: GenerateArgs, g: GlobalOptions): Promise<string> {
  // Check every option before loading anything.
  const seeds = parseSeedList(a.seeds, '--seeds');
  const psi = parseNumber(a.trunc, '--trunc');
  const cutoff = parseCutoff(a.truncCutoff);
  const classIdx = parseClass(a.class);
  const noiseMode = parseNoiseMode(a.noiseMode);
  const translate = a.translate === undefined ? null : parseVec2(a.translate, '--translate');
  const rotate = a.rotate === undefined ? null : parseNumber(a.rotate, '--rotate');
  checkOutdir(a.outdir);

  return withGenerator(a.network, g, async (G) => {
    const c = labelFor(G, classIdx);
    // gen_images.py: the inverse of make_transform(translate, rotate) goes into the input's transform.
    const moved = translate !== null || rotate !== null;
    if (moved && G.arch !== 'stylegan3') throw new InputError(`--translate and --rotate need a StyleGAN3 network; ${a.network} holds a ${G.arch} generator`);
    const transform = moved ? inputTransform(translate ?? [0, 0], rotate ?? 0) : undefined;
    await withProgress(seeds.length, 'generating', async (p) => {
      for (const seed of seeds) {
        const z = zFromSeed(seed, G.zDim); // [1, zDim]
        const ws = await G.mapping(z, c, { psi, cutoff }); // [1, numWs, wDim]
        // Random noise cannot follow torch's generator; it is seeded with the image's seed instead.
        const img = await G.synthesis(ws, { noiseMode, noiseSeed: seed, transform }); // [1, C, R, R]
        await writeImage(img, G, join(a.outdir, seedFileName(seed)));
        p.tick();
      }
    }, { quiet: g.quiet });
    return `wrote ${seeds.length} image${seeds.length === 1 ? '' : 's'} to ${shownDir(a.outdir)}`;
  });
}
