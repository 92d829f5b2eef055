// `stylelab style-mix`: NVIDIA stylegan3's style_mixing.py. ws of every seed without truncation in the
// mapping, truncated afterwards as `w_avg + (w - w_avg) * psi` in float32; the styles listed in --styles
// of each row seed replaced by the column seed's; files {row}-{col}.png (including {s}-{s}.png for every
// seed) and grid.png.
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { styleMix } from '../models/generate.js';
import type { Generator } from '../models/generator.js';
import { zFromSeed } from '../random/numpy-random.js';
import { checkOutdir, parseClass, parseNoiseMode, parseNumber, parseSeedList } from './options.js';
import { encodePng, type GlobalOptions, labelFor, shownDir, withGenerator, withProgress, writeImage, writeOutput } from './session.js';

export interface StyleMixArgs {
  network: string;
  rows: string;
  cols: string;
  styles: string;
  trunc: string;
  class?: string;
  noiseMode: string;
  outdir: string;
}

/**
 * The grid of style_mixing.py: (cols + 1) x (rows + 1) cells of R x R on black; row 0 holds the column
 * seeds' images, column 0 the row seeds' images, cell (0, 0) stays black. `images` is keyed `${row}-${col}`.
 * @example const u8 = mixGrid(images, [0, 1], [2, 3], 32, 3);
 */
export function mixGrid(images: Map<string, Uint8Array>, rows: readonly number[], cols: readonly number[], R: number, C: number): Uint8Array {
  const width = R * (cols.length + 1);
  const canvas = new Uint8Array(width * R * (rows.length + 1) * C);
  const paste = (img: Uint8Array, cellRow: number, cellCol: number) => {
    for (let y = 0; y < R; y++) {
      const dst = ((cellRow * R + y) * width + cellCol * R) * C;
      canvas.set(img.subarray(y * R * C, (y + 1) * R * C), dst);
    }
  };
  cols.forEach((s, j) => paste(images.get(`${s}-${s}`)!, 0, j + 1));
  rows.forEach((r, i) => {
    paste(images.get(`${r}-${r}`)!, i + 1, 0);
    cols.forEach((s, j) => paste(images.get(`${r}-${s}`)!, i + 1, j + 1));
  });
  return canvas;
}

function checkStyles(G: Generator, styles: readonly number[]): void {
  const bad = styles.find((s) => s >= G.numWs);
  if (bad !== undefined) throw new InputError(`--styles: style layer ${bad} is out of range: this network has ${G.numWs} ws (0-${G.numWs - 1})`);
}

/**
 * Writes every image of the style-mixing grid and the grid itself, and returns the summary line.
 * @example await runStyleMix({ network: 'network.pkl', rows: '85,100', cols: '55,821', styles: '0-6', trunc: '1', noiseMode: 'const', outdir: 'out' }, {});
 */
export async function runStyleMix(a: StyleMixArgs, g: GlobalOptions): Promise<string> {
  const rows = parseSeedList(a.rows, '--rows');
  const cols = parseSeedList(a.cols, '--cols');
  const styles = parseSeedList(a.styles, '--styles');
  const psi = parseNumber(a.trunc, '--trunc');
  const classIdx = parseClass(a.class);
  const noiseMode = parseNoiseMode(a.noiseMode);
  checkOutdir(a.outdir);

  return withGenerator(a.network, g, async (G) => {
    checkStyles(G, styles);
    const c = labelFor(G, classIdx);
    const { imgResolution: R, imgChannels: C } = G;
    const seeds = new Set([...rows, ...cols]);
    const images = new Map<string, Uint8Array>(); // `${row}-${col}` -> uint8 HWC
    await withProgress(seeds.size + rows.length * cols.length, 'style mixing', async (p) => {
      await styleMix(G, rows, cols, {
        styles,
        psi,
        noiseMode,
        c,
        zOf: (seed) => zFromSeed(seed, G.zDim),
        keep: false,
        onImage: async (key, img) => {
          images.set(key, await writeImage(img, G, join(a.outdir, `${key}.png`)));
          p.tick();
        },
      });
    }, { quiet: g.quiet });
    const grid = mixGrid(images, rows, cols, R, C);
    writeOutput(join(a.outdir, 'grid.png'), await encodePng(grid, R * (cols.length + 1), R * (rows.length + 1), C));
    return `wrote ${images.size + 1} images (${images.size} cells and grid.png) to ${shownDir(a.outdir)}`;
  });
}
