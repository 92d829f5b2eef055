// What a run leaves besides snapshots: image grids (reals.png, fakes_init.png, fakes<kimg>.png from G_ema with
// fixed latents, as training_loop.py's save_image_grid) and the JSONL log of each tick.
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import sharp from 'sharp';
import * as E from '../engine/index.js';
import { toUint8Image } from '../models/generate.js';
import { writeFileAtomic } from '../io/atomic-files.js';
import { RandomState } from '../random/numpy-random.js';
import type { TrainableGenerator } from './networks.js';
import type { TickStats } from './loop.js';

/**
 * Tiles images [N, C, R, R] (about [-1, 1]) into a grid of `cols` columns, uint8 HWC.
 * @example const { u8, width, height } = imageGrid(img, 32, 3, 16, 8);
 */
export function imageGrid(img: Float32Array, n: number, channels: number, res: number, cols: number): { u8: Uint8Array; width: number; height: number } {
  const rows = Math.ceil(n / cols);
  const width = cols * res;
  const height = rows * res;
  const u8 = new Uint8Array(width * height * channels);
  for (let k = 0; k < n; k++) {
    const tile = toUint8Image(img, channels, res, res, k); // [R, R, C]
    const x0 = (k % cols) * res;
    const y0 = Math.floor(k / cols) * res;
    for (let y = 0; y < res; y++) u8.set(tile.subarray(y * res * channels, (y + 1) * res * channels), ((y0 + y) * width + x0) * channels);
  }
  return { u8, width, height };
}

/**
 * Writes a grid PNG atomically.
 * @example await writeGrid('run/fakes000040.png', img, 32, 3, 16, 8);
 */
export async function writeGrid(path: string, img: Float32Array, n: number, channels: number, res: number, cols: number): Promise<void> {
  const { u8, width, height } = imageGrid(img, n, channels, res, cols);
  let s = sharp(Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength), { raw: { width, height, channels: channels as 1 | 3 } });
  if (channels === 1) s = s.toColourspace('b-w');
  writeFileAtomic(path, new Uint8Array(await s.png().toBuffer()));
}

/**
 * Appends one JSON line (the log survives a crash up to the last tick).
 * @example appendJsonl('runs/a/stats.jsonl', { tick: 0, kimg: 4 });
 */
export function appendJsonl(path: string, record: object): void {
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, JSON.stringify(record) + '\n');
}

/**
 * The log record of a tick (stats.jsonl).
 * @example appendJsonl(path, tickRecord(trainer.tickStats(), { snapshot: 'network-snapshot-000004' }));
 */
export function tickRecord(s: TickStats, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    tick: s.tick,
    kimg: s.kimg,
    timestamp: Date.now() / 1000,
    sec_per_tick: s.secPerTick,
    sec_per_kimg: s.secPerKimg,
    img_per_sec: s.imgPerSec,
    augment_p: s.augmentP,
    pl_mean: s.plMean,
    ...s.losses,
    ...extra,
  };
}

/**
 * Renders images of a generator with weights fed at run time (so training updates show without recompiling):
 * mapping without truncation, noise 'const', in batches.
 * @example const r = new GeneratorRenderer(engine, G_ema, 8); const img = await r.render(z, c); await r.dispose();
 */
export class GeneratorRenderer {
  private prog: Promise<E.Program> | null = null;
  private progKey: string | undefined;
  constructor(
    readonly engine: E.Engine,
    readonly G: TrainableGenerator,
    readonly batch: number,
  ) {}

  private async program(): Promise<E.Program> {
    if (this.prog && this.progKey !== this.G.graphKey) await this.dispose(); // the generator has grown
    if (!this.prog) {
      this.progKey = this.G.graphKey;
      const { G, batch } = this;
      const z = E.input('z', [batch, G.zDim]);
      const c = G.cDim > 0 ? E.input('c', [batch, G.cDim]) : null;
      this.prog = this.engine.compile({ img: G.synthesis(G.mapping(z, c), 'const') }, 'inputs');
    }
    return this.prog;
  }

  /** Images [N, C, R, R] for z [N, zDim] and c [N, cDim]. */
  async render(z: Float32Array, c: Float32Array): Promise<Float32Array> {
    const { G, batch } = this;
    const n = z.length / G.zDim;
    const per = G.imgChannels * G.imgResolution ** 2;
    const out = new Float32Array(n * per);
    const prog = await this.program();
    for (let i = 0; i < n; i += batch) {
      const m = Math.min(batch, n - i);
      const zb = new Float32Array(batch * G.zDim);
      zb.set(z.subarray(i * G.zDim, (i + m) * G.zDim));
      const feeds: Record<string, E.Feed> = { z: zb };
      if (G.cDim > 0) {
        const cb = new Float32Array(batch * G.cDim);
        cb.set(c.subarray(i * G.cDim, (i + m) * G.cDim));
        feeds.c = cb;
      }
      const img = (await prog.run(feeds)).img!.data;
      out.set(img.subarray(0, m * per), i * per);
    }
    return out;
  }

  async dispose(): Promise<void> {
    const p = this.prog;
    this.prog = null;
    if (p) await (await p).dispose();
  }
}

/**
 * The fixed latents of the fakes grids: RandomState(seed) normals [n, zDim] (float32).
 * @example const z = gridLatents(0, 32, 512);
 */
export function gridLatents(seed: number, n: number, zDim: number): Float32Array {
  return Float32Array.from(new RandomState(seed).randn(n, zDim));
}
