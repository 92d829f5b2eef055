// `stylelab drag`: DragGAN from the command line. Starts from a seed or a latent, drags the handle points to
// their targets (optionally holding the area outside a mask fixed) and writes start.png, final.png,
// trajectory.gif (points drawn), w.npy (the latent after the last step) and steps.json.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { readLatent, latentToNpy } from '../drag/latent.js';
import { drawPoints, parseDragPoints } from '../drag/points.js';
import { DragSession, type DragStepResult } from '../drag/session.js';
import { InputError } from '../errors.js';
import { toUint8Image } from '../models/generate.js';
import { checkOutdir, parseIndex, parseNumber } from './options.js';
import { type GlobalOptions, encodePng, shownDir, withGenerator, withProgress, writeOutput } from './session.js';

/** The options as commander hands them over (strings, checked here). */
export interface DragArgs {
  network: string;
  seed?: string;
  latent?: string;
  trunc: string;
  wSpace: string;
  points: string;
  mask?: string;
  lambda: string;
  lr: string;
  r1?: string;
  r2: string;
  maxSteps: string;
  outdir: string;
}

/**
 * The mask PNG as the renderer's mask [R * R]: white (>= 128) marks the flexible area (0), the rest is fixed (1).
 * @example const mask = await readMaskPng('flex.png', 256);
 */
export async function readMaskPng(path: string, R: number): Promise<Float32Array> {
  if (!existsSync(path)) throw new InputError(`mask not found: ${path}`);
  const decoded = await sharp(path)
    .flatten({ background: '#000000' })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true })
    .catch((e: Error) => {
      throw new InputError(`cannot read the mask ${path}: ${e.message}`);
    });
  const { data, info } = decoded;
  if (info.width !== R || info.height !== R) throw new InputError(`the mask ${path} is ${info.width}x${info.height} but the network's images are ${R}x${R}`);
  return Float32Array.from({ length: R * R }, (_, i) => (data[i * info.channels]! >= 128 ? 0 : 1));
}

/**
 * Runs a drag and writes its outputs; returns the summary line.
 * @example await runDrag({ network: 'net.pkl', seed: '3', points: '51,57>51,76', outdir: 'out', ... }, {});
 */
export async function runDrag(a: DragArgs, g: GlobalOptions): Promise<string> {
  // Check every option before loading anything.
  if ((a.seed === undefined) === (a.latent === undefined)) throw new InputError('give either --seed or --latent');
  const seed = a.seed === undefined ? undefined : parseIndex(a.seed, '--seed');
  const psi = parseNumber(a.trunc, '--trunc');
  if (a.wSpace !== 'w' && a.wSpace !== 'w+') throw new InputError(`--w-space must be w or w+, got '${a.wSpace}'`);
  const { handles, targets } = parseDragPoints(a.points);
  const lambdaMask = parseNumber(a.lambda, '--lambda');
  const lr = parseNumber(a.lr, '--lr');
  const r1 = a.r1 === undefined ? undefined : parseNumber(a.r1, '--r1');
  const r2 = parseNumber(a.r2, '--r2');
  const maxSteps = parseIndex(a.maxSteps, '--max-steps');
  if (maxSteps < 1) throw new InputError('--max-steps must be at least 1');
  if (a.latent !== undefined && !existsSync(a.latent)) throw new InputError(`latent not found: ${a.latent}`);
  if (a.mask !== undefined && !existsSync(a.mask)) throw new InputError(`mask not found: ${a.mask}`);
  checkOutdir(a.outdir);

  return withGenerator(a.network, g, async (G) => {
    const R = G.imgResolution;
    const C = G.imgChannels;
    if (C !== 3) throw new InputError(`drag writes RGB images; this network has ${C} channels`);
    const start = a.latent !== undefined ? { latent: readLatent(readFileSync(a.latent), G.numWs, G.wDim, `the latent ${a.latent}`) } : { seed: seed!, psi };
    const mask = a.mask === undefined ? null : await readMaskPng(a.mask, R);
    const s = await DragSession.create(G, start, { wSpace: a.wSpace as 'w' | 'w+', lr, r1, r2, lambdaMask });
    try {
      s.setPoints(handles, targets);
      if (mask) s.setMask(mask);
      const rgb = (img: Float32Array) => toUint8Image(img, C, R, R);
      const startImg = rgb(await s.render());
      const frames: Uint8Array[] = [];
      const log: { step: number; points: number[][]; distances: number[]; stopped: boolean; loss: number; ms: number }[] = [];
      let results: DragStepResult[] = [];
      await withProgress(maxSteps, 'dragging', async (p) => {
        let t0 = performance.now();
        results = await s.run({
          maxSteps,
          onStep: (r) => {
            const ms = performance.now() - t0;
            frames.push(drawPoints(rgb(r.image), R, R, r.points, targets));
            log.push({ step: r.step, points: r.points.map((q) => [q[0], q[1]]), distances: r.distances.map((d) => Math.round(d * 1000) / 1000), stopped: r.stopped, loss: r.loss, ms: Math.round(ms * 10) / 10 });
            p.tick();
            t0 = performance.now();
          },
        });
      }, { quiet: g.quiet });
      const finalImg = rgb(await s.render());
      const last = results[results.length - 1]!;
      frames.push(drawPoints(finalImg, R, R, last.points, targets));
      writeOutput(join(a.outdir, 'start.png'), await encodePng(startImg, R, R, 3));
      writeOutput(join(a.outdir, 'final.png'), await encodePng(finalImg, R, R, 3));
      writeOutput(join(a.outdir, 'trajectory.gif'), await encodeGif(frames, R, R));
      writeOutput(join(a.outdir, 'w.npy'), latentToNpy(s.latent(), G.numWs, G.wDim));
      writeOutput(join(a.outdir, 'steps.json'), new TextEncoder().encode(`${JSON.stringify({ points_order: '[row, col]', targets, steps: log }, null, 1)}\n`));
      const far = Math.max(...last.distances);
      const how = last.stopped ? 'reached the targets' : `stopped at the step budget, ${far.toFixed(1)} px from the farthest target`;
      return `dragged ${handles.length} point${handles.length === 1 ? '' : 's'} in ${results.length} step${results.length === 1 ? '' : 's'} (${how}); wrote start.png, final.png, trajectory.gif, w.npy, steps.json to ${shownDir(a.outdir)}`;
    } finally {
      await s.dispose();
    }
  });
}

/** An animated GIF (looping, 100 ms a frame) of RGB frames [H, W, 3]. */
async function encodeGif(frames: Uint8Array[], H: number, W: number): Promise<Uint8Array> {
  const all = new Uint8Array(frames.length * H * W * 3);
  frames.forEach((f, i) => all.set(f, i * H * W * 3));
  const gif = await sharp(all, { raw: { width: W, height: H * frames.length, channels: 3, pageHeight: H } })
    .gif({ loop: 0, delay: frames.map(() => 100) })
    .toBuffer();
  return new Uint8Array(gif.buffer, gif.byteOffset, gif.byteLength);
}
