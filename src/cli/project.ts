// `stylelab project`: stylegan2-ada-pytorch projector.py from the command line. Projects a photo into the latent
// space of a StyleGAN2/StyleGAN3 network and writes target.png (the cropped, resized target), proj.png (the
// projected w with the network's stored noise), projected_w.npz ('w' [1, num_ws, w_dim], as projector.py) and,
// with --save-video, proj.mp4 (or proj.gif without ffmpeg): target and projection side by side, one frame a step.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { latentToNpz } from '../drag/latent.js';
import { InputError, StylelabError } from '../errors.js';
import { findOnPath, GIF_MAX_BYTES, openGifWriter, openMp4Writer, type VideoWriter } from '../io/video-file.js';
import { Lpips, readLpipsLinear } from '../metrics/lpips.js';
import { resolveNetFile } from '../metrics/net-files.js';
import { readVgg16 } from '../metrics/nets/vgg16.js';
import { readRgbImage } from '../models/ugatit-files.js';
import { lpipsDistance, mseDistance, type ProjectionDistance } from '../project/distance.js';
import { Projector, projectorTarget, projectorUint8 } from '../project/projector.js';
import { checkOutdir, parseIndex } from './options.js';
import { type GlobalOptions, encodePng, shownDir, warn, withGenerator, withProgress, writeOutput } from './session.js';

/** The options as commander hands them over (strings, checked here). */
export interface ProjectArgs {
  network: string;
  target: string;
  numSteps: string;
  seed: string;
  outdir: string;
  wPlus?: boolean;
  saveVideo?: boolean;
  loss: string;
  lpips?: string;
  vgg16?: string;
}

/** Reads a feature-network file, naming the flag (and file) in any error. */
function readFeatureFile<T>(file: string, flag: string, read: (bytes: Uint8Array) => T): T {
  try {
    return read(readFileSync(file));
  } catch (e) {
    if (e instanceof StylelabError) throw new InputError(`${flag} ${file}: ${e.message}`);
    throw e;
  }
}

/** Video frames: the target and the projection side by side [R, 2R, 3]. */
function sideBySide(left: Uint8Array, right: Uint8Array, R: number): Uint8Array {
  const out = new Uint8Array(R * 2 * R * 3);
  for (let y = 0; y < R; y++) {
    out.set(left.subarray(y * R * 3, (y + 1) * R * 3), y * 2 * R * 3);
    out.set(right.subarray(y * R * 3, (y + 1) * R * 3), (y * 2 + 1) * R * 3);
  }
  return out;
}

/**
 * Runs the projection and writes its outputs; returns the summary line.
 * @example await runProject({ network: 'ffhq.pkl', target: 'me.png', numSteps: '1000', seed: '303', outdir: 'out', loss: 'lpips', lpips: 'vgg.pth', vgg16: 'vgg16-397923af.pth' }, {});
 */
export async function runProject(a: ProjectArgs, g: GlobalOptions): Promise<string> {
  // Check every option (and the files) before loading anything.
  const numSteps = parseIndex(a.numSteps, '--num-steps');
  if (numSteps < 1) throw new InputError('--num-steps must be at least 1');
  const seed = parseIndex(a.seed, '--seed');
  if (seed > 0xffffffff) throw new InputError(`--seed must be at most 2**32 - 1, got ${seed}`);
  if (a.loss !== 'lpips' && a.loss !== 'mse') throw new InputError(`--loss must be lpips or mse, got '${a.loss}'`);
  if (!existsSync(a.target)) throw new InputError(`target not found: ${a.target}`);
  checkOutdir(a.outdir);
  let files: { lin: string; vgg: string } | null = null;
  if (a.loss === 'lpips') {
    // The metrics' resolver (flag, else $STYLELAB_METRIC_NETS), with the way out: --loss mse.
    const resolve = (kind: 'lpips' | 'vgg16') => {
      try {
        return resolveNetFile(kind, { lpips: a.lpips, vgg16: a.vgg16 }, 'projection (LPIPS, the official distance)');
      } catch (e) {
        if (e instanceof InputError) throw new InputError(`${e.message}; or use --loss mse for a pixel distance`);
        throw e;
      }
    };
    files = { lin: resolve('lpips'), vgg: resolve('vgg16') };
  } else if (a.lpips !== undefined || a.vgg16 !== undefined) warn('ignoring --lpips/--vgg16: --loss mse needs no feature network');
  const ffmpeg = a.saveVideo ? findOnPath('ffmpeg') : null;
  const videoName = a.saveVideo ? (ffmpeg ? 'proj.mp4' : 'proj.gif') : null;
  if (a.saveVideo && !ffmpeg) warn('ffmpeg was not found on PATH: writing proj.gif instead of proj.mp4 (bash scripts/install-ffmpeg.sh installs ffmpeg)');
  const photo = await readRgbImage(a.target);
  // The LPIPS networks, read (and checked) before the generator.
  const lpips = files ? new Lpips(readFeatureFile(files.vgg, '--vgg16', (b) => readVgg16(b, false)), readFeatureFile(files.lin, '--lpips', readLpipsLinear)) : null;

  return withGenerator(a.network, g, async (G) => {
    const R = G.imgResolution;
    // projector.py's video: 10 fps, libx264 at 16 Mbit/s, target | projection (stored noise) per step.
    const spec = { width: 2 * R, height: R, channels: 3, fps: 10 };
    if (videoName && !ffmpeg && spec.width * spec.height * 3 * numSteps > GIF_MAX_BYTES) {
      throw new InputError(`proj.gif would hold ${numSteps} frames of ${spec.width}x${spec.height} (${Math.ceil((spec.width * spec.height * 3 * numSteps) / 2 ** 20)} MiB in memory, at most ${GIF_MAX_BYTES / 2 ** 20}): install ffmpeg for proj.mp4 (bash scripts/install-ffmpeg.sh), use fewer --num-steps, or leave out --save-video`);
    }
    const target = projectorTarget(photo, R);
    const distance: ProjectionDistance = lpips ? lpipsDistance(G.engine, lpips) : mseDistance();
    const p = await Projector.create(G, target, distance, { numSteps, seed, wPlus: !!a.wPlus });
    let video: VideoWriter | null = null;
    try {
      if (videoName) video = ffmpeg ? openMp4Writer(join(a.outdir, videoName), spec, { ffmpeg, bitrate: '16M' }) : openGifWriter(join(a.outdir, videoName), spec, numSteps);
      const render = async (ws: Float32Array) => projectorUint8(await G.synthesis(ws, { noiseMode: 'const' }), 3, R, R);
      const last = await withProgress(numSteps, 'projecting', (bar) =>
        p.run({
          onStep: async (r) => {
            if (video) await video.write(sideBySide(target.data, await render(r.ws), R));
            bar.tick();
          },
        }),
        { quiet: g.quiet },
      );
      const ws = p.latent();
      writeOutput(join(a.outdir, 'target.png'), await encodePng(target.data, R, R, 3));
      writeOutput(join(a.outdir, 'proj.png'), await encodePng(await render(ws), R, R, 3));
      writeOutput(join(a.outdir, 'projected_w.npz'), latentToNpz(ws, G.numWs, G.wDim));
      await video?.finish();
      const written = ['target.png', 'proj.png', 'projected_w.npz', ...(videoName ? [videoName] : [])].join(', ');
      return `projected ${a.target} in ${numSteps} steps (${distance.name} ${last.dist.toPrecision(4)}, ${a.wPlus ? 'W+' : 'W'}); wrote ${written} to ${shownDir(a.outdir)}`;
    } catch (e) {
      video?.abort();
      throw e;
    } finally {
      await p.dispose();
    }
  });
}
