// Video files from uint8 HWC frames: MP4 (H.264) through an ffmpeg child process, with gen_video.py's imageio
// settings (libx264, yuv420p, 60 fps, 12 Mbit/s), and animated GIF through sharp (no ffmpeg needed). Both
// write to a temporary name beside the output and rename it into place when complete, so an error or
// Ctrl-C never leaves a partial file under the output's name (nor the temporary one).
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, delimiter, dirname, extname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import sharp from 'sharp';
import { InputError } from '../errors.js';

export type VideoFormat = 'mp4' | 'gif';

/**
 * The container of an output name from its extension: .mp4 or .gif.
 * @example videoFormatOf('lerp.mp4') // 'mp4'
 */
export function videoFormatOf(path: string): VideoFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.mp4') return 'mp4';
  if (ext === '.gif') return 'gif';
  throw new InputError(`--output ${path}: unknown video format '${ext || '(no extension)'}': expected .mp4 or .gif`);
}

/**
 * The ffmpeg executable on PATH, or null when there is none.
 * @example const ffmpeg = findOnPath('ffmpeg');
 */
export function findOnPath(name: string, path = process.env.PATH ?? ''): string | null {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this folder.
    }
  }
  return null;
}

/** What a video file is made of. */
export interface VideoSpec {
  width: number;
  height: number;
  /** 1 (grayscale) or 3 (RGB). */
  channels: number;
  /** Frames per second. */
  fps: number;
}

/** A video file being written: frames in order, then `finish()` (renames into place) or `abort()` (removes everything). */
export interface VideoWriter {
  write(frame: Uint8Array): Promise<void>;
  finish(): Promise<void>;
  abort(): void;
}

/** The temporary name of an output (hidden, beside it, as writeFileAtomic). */
function temporaryName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
}

function checkSpec(s: VideoSpec): void {
  if (s.channels !== 1 && s.channels !== 3) throw new InputError(`cannot write a video of ${s.channels}-channel images (expected 1 or 3)`);
  if (!(s.fps > 0 && Number.isFinite(s.fps))) throw new InputError(`the frame rate must be a positive number, got ${s.fps}`);
}

function checkFrame(frame: Uint8Array, s: VideoSpec): void {
  const size = s.width * s.height * s.channels;
  if (frame.length !== size) throw new InputError(`expected a frame of ${size} values (${s.height}x${s.width}x${s.channels}), got ${frame.length}`);
}

export interface Mp4Options {
  /** The ffmpeg executable (default: ffmpeg on PATH). */
  ffmpeg?: string;
  /** Target bit rate (default '12M', as gen_video.py). */
  bitrate?: string;
}

/**
 * An H.264 MP4 written by ffmpeg from raw frames streamed to its stdin (as imageio's ffmpeg writer does).
 * Fails with a clear message when ffmpeg is missing.
 * @example const out = openMp4Writer('lerp.mp4', { width: 512, height: 256, channels: 3, fps: 60 }); await out.write(frame); await out.finish();
 */
export function openMp4Writer(path: string, spec: VideoSpec, o: Mp4Options = {}): VideoWriter {
  checkSpec(spec);
  const ffmpeg = o.ffmpeg ?? findOnPath('ffmpeg');
  if (!ffmpeg) {
    throw new InputError(`cannot write ${path}: ffmpeg was not found on PATH; install it (bash scripts/install-ffmpeg.sh) or write a .gif instead`);
  }
  const tmp = temporaryName(path);
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (e) {
    throw new InputError(`cannot write ${path}: ${(e as Error).message}`);
  }
  // yuv420p needs even sizes: pad by one black row or column where a size is odd.
  const args = [
    '-nostdin', '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'rawvideo', '-pix_fmt', spec.channels === 1 ? 'gray' : 'rgb24', '-s', `${spec.width}x${spec.height}`, '-r', String(spec.fps), '-i', 'pipe:0',
    '-an', '-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-b:v', o.bitrate ?? '12M',
    '-f', 'mp4', tmp,
  ];
  const child: ChildProcessByStdio<Writable, null, Readable> = spawn(ffmpeg, args, { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr = (stderr + s).slice(-2000);
  });
  child.stdin.on('error', () => {}); // EPIPE when ffmpeg quits early: reported through its exit status
  const exited = new Promise<string | null>((resolve) => {
    child.on('error', (e) => resolve(`cannot run ${ffmpeg}: ${e.message}`));
    child.on('close', (code, signal) => resolve(code === 0 ? null : `ffmpeg failed (${signal ?? `exit code ${code}`}): ${stderr.trim().split('\n').pop() ?? ''}`));
  });
  let failure: string | null = null;
  void exited.then((f) => {
    failure = f ?? failure;
  });
  // Ctrl-C or kill ends the process from its signal handler: stop ffmpeg and remove what it wrote.
  const cleanup = () => {
    child.kill('SIGKILL');
    rmSync(tmp, { force: true });
  };
  process.on('exit', cleanup);
  const fail = (message: string): never => {
    process.off('exit', cleanup);
    cleanup();
    throw new InputError(`cannot write ${path}: ${message}`);
  };

  return {
    async write(frame) {
      checkFrame(frame, spec);
      if (failure) fail(failure);
      // Respect the pipe's back-pressure: wait for 'drain' (or ffmpeg's end) before the next frame.
      if (!child.stdin.write(frame)) {
        await Promise.race([new Promise((resolve) => child.stdin.once('drain', resolve)), exited]);
      }
      if (failure) fail(failure);
    },
    async finish() {
      child.stdin.end();
      const f = await exited;
      if (f) fail(f);
      process.off('exit', cleanup);
      try {
        renameSync(tmp, path);
      } catch (e) {
        rmSync(tmp, { force: true });
        throw new InputError(`cannot write ${path}: ${(e as Error).message}`);
      }
    },
    abort() {
      process.off('exit', cleanup);
      cleanup();
    },
  };
}

/**
 * The GIF frame delay for a frame rate: delays are whole hundredths of a second, and browsers slow down delays under 2.
 * @example gifDelayMs(60) // 20 (50 fps)
 */
export function gifDelayMs(fps: number): number {
  return 10 * Math.max(2, Math.round(100 / fps));
}

/** Raw pixels a GIF may hold in memory while it is assembled (sharp encodes all frames at once). */
export const GIF_MAX_BYTES = 1 << 30;

/**
 * An animated GIF (looping forever, one delay per frame from the frame rate) encoded by sharp when finished.
 * Frames are kept in memory until then: refuses videos over GIF_MAX_BYTES of raw pixels.
 * @example const out = openGifWriter('lerp.gif', { width: 64, height: 64, channels: 3, fps: 50 }, numFrames);
 */
export function openGifWriter(path: string, spec: VideoSpec, numFrames: number): VideoWriter {
  checkSpec(spec);
  const frameBytes = spec.width * spec.height * spec.channels;
  if (frameBytes * numFrames > GIF_MAX_BYTES) {
    throw new InputError(`a GIF of ${numFrames} frames of ${spec.width}x${spec.height} needs ${Math.ceil((frameBytes * numFrames) / 2 ** 20)} MiB in memory (at most ${GIF_MAX_BYTES / 2 ** 20}); write an .mp4 or use fewer frames or a smaller grid`);
  }
  const pixels = new Uint8Array(frameBytes * numFrames); // [frames * height, width, channels]
  let count = 0;
  return {
    async write(frame) {
      checkFrame(frame, spec);
      if (count === numFrames) throw new InputError(`the GIF was opened for ${numFrames} frames`);
      pixels.set(frame, count++ * frameBytes);
    },
    async finish() {
      if (count !== numFrames) throw new InputError(`the GIF was opened for ${numFrames} frames, got ${count}`);
      const raw = { width: spec.width, height: spec.height * numFrames, channels: spec.channels as 1 | 3, pageHeight: spec.height };
      // One delay per frame (a single number would set the first frame's only) and loop 0: forever.
      const gif = await sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), { raw, limitInputPixels: false })
        .gif({ loop: 0, delay: new Array<number>(numFrames).fill(gifDelayMs(spec.fps)), keepDuplicateFrames: true })
        .toBuffer();
      const tmp = temporaryName(path);
      try {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(tmp, gif);
        renameSync(tmp, path);
      } catch (e) {
        rmSync(tmp, { force: true });
        throw new InputError(`cannot write ${path}: ${(e as Error).message}`);
      }
    },
    abort() {},
  };
}
