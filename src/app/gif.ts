// Animated GIFs in the page (gifenc): each frame gets its own 256-colour palette, frames are scaled up by whole
// pixels so small networks' images stay crisp.
import { applyPalette, GIFEncoder, quantize } from 'gifenc';
import type { Picture } from '../studio/protocol.js';
import { rgba } from './ui.js';

/** Whole-pixel scale that brings a side of `size` to at least `min` pixels. */
export const gifScale = (size: number, min = 256): number => Math.max(1, Math.ceil(min / size));

/** A picture scaled up by an integer factor (nearest neighbour), as RGBA. */
function scaled(p: Picture, k: number): Uint8ClampedArray<ArrayBuffer> {
  const src = rgba(p);
  if (k === 1) return src;
  const W = p.width * k;
  const out = new Uint8ClampedArray(W * p.height * k * 4);
  for (let y = 0; y < p.height * k; y++) {
    for (let x = 0; x < W; x++) {
      const s = ((Math.floor(y / k) * p.width + Math.floor(x / k)) * 4) | 0;
      out.set(src.subarray(s, s + 4), (y * W + x) * 4);
    }
  }
  return out;
}

/**
 * A looping GIF being built frame by frame.
 * @example const g = new GifBuilder(50); g.add(picture); download('run.gif', g.finish(), 'image/gif');
 */
export class GifBuilder {
  private readonly enc = GIFEncoder();
  frames = 0;
  constructor(
    /** Milliseconds per frame. */
    private readonly delayMs: number,
    /** Scale factor (default: up to 256 pixels). */
    private scale?: number,
  ) {}

  add(p: Picture): void {
    const k = (this.scale ??= gifScale(Math.max(p.width, p.height)));
    const px = scaled(p, k);
    const palette = quantize(px, 256);
    this.enc.writeFrame(applyPalette(px, palette), p.width * k, p.height * k, { palette, delay: this.delayMs, repeat: 0 });
    this.frames++;
  }

  /** The GIF file's bytes. */
  finish(): Uint8Array {
    this.enc.finish();
    return this.enc.bytes();
  }
}
