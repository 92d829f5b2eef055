// The page operations of `stylelab serve` (POST /api/sessions/<id>/<op>): each validates its body with its schema,
// turns base64 fields into typed arrays, runs the page's Studio through the server's queue, and returns plain data
// (typed arrays go back as base64, see jsonReplacer).
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { findOnPath, openMp4Writer } from '../io/video-file.js';
import type { DragEdit, DragOpenRequest } from '../studio/protocol.js';
import * as S from './schemas.js';
import type { PageSession, SessionManager } from './sessions.js';

/** Bytes of a base64 field. */
const bytes = (b64: string): Uint8Array => new Uint8Array(Buffer.from(b64, 'base64'));

/** Little-endian float32 values of a base64 field. */
function float32(b64: string, what: string): Float32Array {
  const b = bytes(b64);
  if (b.length % 4 !== 0) throw new InputError(`${what}: ${b.length} bytes is not a whole number of float32 values`);
  const out = new Float32Array(b.length / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}

/** JSON.stringify's replacer: typed arrays as base64 of their bytes (float32 little-endian, as every platform here). */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array || value instanceof Float32Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  return value;
}

type Op = (s: PageSession, body: unknown, pages: SessionManager) => Promise<unknown>;

/** Runs a page's work on the shared queue. */
const queued = <T>(pages: SessionManager, fn: () => Promise<T>): Promise<T> => pages.queue.run(fn);

/** Frames rendered per queue turn of an MP4 job (other pages' work interleaves between turns). */
const MP4_CHUNK = 4;

/** Starts rendering the page's open video to an MP4 with ffmpeg; progress through mp4-status. */
async function startMp4(s: PageSession, body: unknown, pages: SessionManager): Promise<unknown> {
  const { fps } = S.parseBody(S.Mp4Body, body);
  const ffmpeg = findOnPath('ffmpeg');
  if (!ffmpeg) throw new InputError('MP4 needs ffmpeg on the server, which was not found on PATH; render a GIF in the page instead');
  if (s.mp4 && s.mp4.file === null && s.mp4.error === null && !s.mp4.cancelled) throw new InputError('an MP4 is already being rendered for this page');
  const info = await queued(pages, () => s.studio.videoInfo());
  if (!info) throw new InputError('no video is open: set it up in the Video page first');
  const job = { done: 0, total: info.numFrames, file: null as string | null, error: null as string | null, cancelled: false };
  s.mp4 = job;
  const path = join(pages.tmpDir(s), 'video.mp4');
  const out = openMp4Writer(path, { width: info.width, height: info.height, channels: info.channels, fps }, { ffmpeg });
  void (async () => {
    try {
      for (let f = 0; f < job.total; f += MP4_CHUNK) {
        if (job.cancelled) throw new Error('cancelled');
        const frames = await queued(pages, () => s.studio.videoFrames(f, Math.min(MP4_CHUNK, job.total - f)));
        for (const fr of frames) await out.write(fr.data);
        job.done += frames.length;
      }
      await out.finish();
      job.file = path;
    } catch (e) {
      out.abort();
      job.error = (e as Error).message;
    }
  })();
  return { total: job.total };
}

/** The operations by name. */
export const OPS: Record<string, Op> = {
  generate: (s, b, p) => {
    const r = S.parseBody(S.GenerateBody, b);
    return queued(p, () => s.studio.generate(r));
  },
  'style-mix': (s, b, p) => {
    const r = S.parseBody(S.StyleMixBody, b);
    return queued(p, () => s.studio.styleMix(r));
  },
  'mix-latent': (s, b, p) => {
    const r = S.parseBody(S.StyleMixBody, b);
    return queued(p, () => s.studio.mixLatent(r));
  },
  'drag-open': (s, b, p) => {
    const r = S.parseBody(S.DragOpenBody, b);
    const req: DragOpenRequest = 'latent' in r ? { model: r.model, settings: r.settings, latent: float32(r.latent, 'latent') } : r;
    return queued(p, () => s.studio.dragOpen(req));
  },
  'drag-edit': (s, b, p) => {
    const r = S.parseBody(S.DragEditBody, b);
    const e: DragEdit = r.op === 'mask' ? { op: 'mask', mask: r.mask === null ? null : bytes(r.mask) } : (r as DragEdit);
    return queued(p, () => s.studio.dragEdit(e));
  },
  'drag-step': (s, b, p) => {
    S.parseBody(S.EmptyBody, b);
    return queued(p, () => s.studio.dragStep());
  },
  'drag-end-run': (s, b, p) => {
    S.parseBody(S.EmptyBody, b);
    return queued(p, () => s.studio.dragEndRun());
  },
  'drag-latent': (s, b, p) => {
    S.parseBody(S.EmptyBody, b);
    return queued(p, () => s.studio.dragLatent());
  },
  translate: (s, b, p) => {
    const r = S.parseBody(S.TranslateBody, b);
    return queued(p, () => s.studio.translate({ ...r, image: { ...r.image, data: bytes(r.image.data) } }));
  },
  'video-open': (s, b, p) => {
    const r = S.parseBody(S.VideoBody, b);
    return queued(p, () => s.studio.videoOpen(r));
  },
  'video-frames': (s, b, p) => {
    const r = S.parseBody(S.VideoFramesBody, b);
    return queued(p, () => s.studio.videoFrames(r.start, r.count));
  },
  'video-mp4': startMp4,
  'video-mp4-status': async (s, b) => {
    S.parseBody(S.EmptyBody, b);
    const j = s.mp4;
    if (!j) throw new InputError('no MP4 is being rendered for this page');
    return { done: j.done, total: j.total, ready: j.file !== null, error: j.error };
  },
};
