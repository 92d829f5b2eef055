// `stylelab generate`: NVIDIA stylegan3's gen_images.py for StyleGAN2 networks. Same seeds, same file
// names (seed0000.png), same pixels: z = RandomState(seed).randn(1, z_dim), G(z, label, psi, noise_mode),
// then (img * 127.5 + 128).clamp(0, 255) as uint8.
import { join } from 'node:path';
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
  checkOutdir(a.outdir);

  return withGenerator(a.network, g, async (G) => {
    const c = labelFor(G, classIdx);
    await withProgress(seeds.length, 'generating', async (p) => {
      for (const seed of seeds) {
        const z = zFromSeed(seed, G.config.zDim); // [1, zDim]
        const ws = await G.mapping(z, c, { psi, cutoff }); // [1, numWs, wDim]
        // Random noise cannot follow torch's generator; it is seeded with the image's seed instead.
        const img = await G.synthesis(ws, { noiseMode, noiseSeed: seed }); // [1, C, R, R]
        await writeImage(img, G, join(a.outdir, seedFileName(seed)));
        p.tick();
      }
    });
    return `wrote ${seeds.length} image${seeds.length === 1 ? '' : 's'} to ${shownDir(a.outdir)}`;
  });
}
