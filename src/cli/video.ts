// `stylelab video`: NVlabs stylegan3's gen_video.py, a looping latent interpolation video (a grid of
// cells, each a cubic spline in W through its keyframe seeds) written as MP4 (ffmpeg) or animated GIF (sharp).
import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { InputError } from '../errors.js';
import { findOnPath, gifDelayMs, openGifWriter, openMp4Writer, type VideoWriter, videoFormatOf } from '../io/video-file.js';
import type { Generator } from '../models/generator.js';
import { parseSeeds } from '../models/generate.js';
import { InterpVideo, interpVideoLayout } from '../models/video.js';
import { parseClass, parseIndex, parseNumber } from './options.js';
import { type GlobalOptions, labelFor, withGenerator, withProgress } from './session.js';

/** The options as commander hands them over (strings, checked here). */
export interface VideoArgs {
  network: string;
  seeds: string;
  shuffleSeed?: string;
  grid: string;
  numKeyframes?: string;
  wFrames: string;
  trunc: string;
  class?: string;
  fps: string;
  bitrate: string;
  batch?: string;
  output: string;
}

/**
 * Frames per synthesis call when --batch is not given: up to 8 images at 256x256 and below, 2 at 512x512, 1 at
 * 1024x1024, so that memory per call stays bounded (bench/video.ts: 2-16 frames of 128x128 a call took ~30% less
 * time a frame than one), and never more frames than the video has (the last call is padded).
 */
function defaultFrameBatch(res: number, cells: number, numFrames: number): number {
  const images = Math.min(8, Math.max(1, Math.floor((8 * 256 * 256) / (res * res))));
  return Math.min(numFrames, Math.max(1, Math.floor(images / cells)));
}

/**
 * gen_video.py's --grid: 'WxH' or 'W,H', both at least 1.
 * @example parseGrid('4x2') // [4, 2]
 */
export function parseGrid(text: string): [number, number] {
  const m = /^\s*(\d+)\s*[x,]\s*(\d+)\s*$/.exec(text);
  if (!m) throw new InputError(`cannot parse --grid '${text}': expected width x height such as 4x2`);
  const [w, h] = [Number(m[1]), Number(m[2])];
  if (w < 1 || h < 1) throw new InputError(`--grid '${text}': the width and height must be at least 1`);
  if (w * h > 4096) throw new InputError(`--grid '${text}': at most 4096 cells`);
  return [w, h];
}

/** A positive integer option. */
function parsePositive(text: string, option: string): number {
  const v = parseIndex(text, option);
  if (v < 1) throw new InputError(`${option} must be at least 1, got ${v}`);
  return v;
}

/** x264 bit rates such as 12M, 800k or 2000000. */
function parseBitrate(text: string): string {
  if (!/^\d+(\.\d+)?[kKmM]?$/.test(text.trim())) throw new InputError(`--bitrate must be a rate such as 12M or 800k, got '${text}'`);
  return text.trim();
}

/** The label: --class for a conditional network (an error on an unconditional one, see labelFor). */
function videoLabel(G: Generator, classIdx: number | undefined): Float32Array | null {
  const c = labelFor(G, classIdx);
  return G.cDim === 0 ? null : c;
}

/**
 * Renders the interpolation video and returns the summary line.
 * @example await runVideo({ network: 'network.pkl', seeds: '0-3', grid: '2x2', wFrames: '120', trunc: '1', fps: '60', bitrate: '12M', output: 'lerp.mp4' }, {});
 */
export async function runVideo(a: VideoArgs, g: GlobalOptions): Promise<string> {
  // Check every option (and ffmpeg) before loading anything.
  const seeds = parseSeeds(a.seeds, '--seeds list');
  const [gridW, gridH] = parseGrid(a.grid);
  const numKeyframes = a.numKeyframes === undefined ? undefined : parsePositive(a.numKeyframes, '--num-keyframes');
  const shuffleSeed = a.shuffleSeed === undefined ? undefined : parseIndex(a.shuffleSeed, '--shuffle-seed');
  if (shuffleSeed !== undefined && shuffleSeed > 0xffffffff) throw new InputError(`--shuffle-seed must be at most 2**32 - 1, got ${shuffleSeed}`);
  const wFrames = parsePositive(a.wFrames, '--w-frames');
  const psi = parseNumber(a.trunc, '--trunc');
  const classIdx = parseClass(a.class);
  const fps = parseNumber(a.fps, '--fps');
  if (fps <= 0 || fps > 1000) throw new InputError(`--fps must be above 0 and at most 1000, got ${a.fps}`);
  const bitrate = parseBitrate(a.bitrate);
  const batch = a.batch === undefined ? undefined : parsePositive(a.batch, '--batch');
  if (!a.output.trim()) throw new InputError('--output must not be empty');
  if (existsSync(a.output) && statSync(a.output).isDirectory()) throw new InputError(`--output ${a.output} is a folder; give a file name such as ${a.output.replace(/\/+$/, '')}/lerp.mp4`);
  const parent = dirname(a.output);
  if (existsSync(parent) && !statSync(parent).isDirectory()) throw new InputError(`--output ${a.output}: ${parent} is a file, not a folder`);
  const format = videoFormatOf(a.output);
  const ffmpeg = format === 'mp4' ? findOnPath('ffmpeg') : null;
  if (format === 'mp4' && !ffmpeg) {
    throw new InputError(`cannot write ${a.output}: ffmpeg was not found on PATH; install it (bash scripts/install-ffmpeg.sh) or write a .gif instead`);
  }
  const layoutOptions = { seeds, gridW, gridH, numKeyframes, shuffleSeed, wFrames, psi };
  const { numFrames } = interpVideoLayout(layoutOptions);

  return withGenerator(a.network, g, async (G: Generator) => {
    const video = await InterpVideo.create(G, { ...layoutOptions, c: videoLabel(G, classIdx) });
    const spec = { width: video.width, height: video.height, channels: video.channels, fps };
    const out: VideoWriter = format === 'mp4' ? openMp4Writer(a.output, spec, { ffmpeg: ffmpeg!, bitrate }) : openGifWriter(a.output, spec, numFrames);
    try {
      await withProgress(numFrames, 'rendering', async (p) => {
        const frameBatch = batch ?? defaultFrameBatch(G.imgResolution, gridW * gridH, numFrames);
        for await (const frame of video.frames({ batch: frameBatch })) {
          await out.write(frame);
          p.tick();
        }
      }, { quiet: g.quiet });
      await out.finish();
    } catch (e) {
      out.abort();
      throw e;
    }
    const rate = format === 'gif' ? `${(1000 / gifDelayMs(fps)).toFixed(4).replace(/\.?0+$/, '')} fps (GIF delays are in 1/100 s)` : `${fps} fps`;
    return `wrote ${a.output}: ${numFrames} frames of ${video.width}x${video.height} at ${rate}`;
  });
}
