// Image decoding for data sets (sharp): uint8 pixels as the official code sees them through PIL, grayscale kept
// as 1 channel, an alpha channel dropped when fully opaque and otherwise refused, unless a background colour is
// given to composite it onto (never silently), or dropping is asked for (PIL's convert('RGB'), as pytorch-fid reads).
import sharp, { type OutputInfo } from 'sharp';
import { InputError } from '../errors.js';

/** Decoded pixels, HWC uint8. */
export interface DecodedImage {
  data: Uint8Array; // [H, W, C]
  width: number;
  height: number;
  channels: number; // 1 or 3
}

/**
 * Removes the alpha channel of HWC pixels (`channels` = 2 or 4) if every pixel is opaque; null otherwise.
 * @example dropOpaqueAlpha(rgba, 4) // rgb, or null if some alpha < 255
 */
export function dropOpaqueAlpha(hwc: Uint8Array, channels: number): Uint8Array | null {
  const c = channels - 1;
  const n = hwc.length / channels;
  const out = new Uint8Array(n * c);
  for (let i = 0; i < n; i++) {
    if (hwc[i * channels + c] !== 255) return null;
    for (let k = 0; k < c; k++) out[i * c + k] = hwc[i * channels + k]!;
  }
  return out;
}

/** An sRGB colour, 0-255 per channel. */
export type Rgb = readonly [number, number, number];

/**
 * `--background white|black|#rrggbb` as an RGB triple.
 * @example parseBackground('white') // [255, 255, 255]
 */
export function parseBackground(text: string): Rgb {
  const named: Record<string, Rgb> = { white: [255, 255, 255], black: [0, 0, 0] };
  const t = text.trim().toLowerCase();
  if (named[t]) return named[t];
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/.exec(t);
  if (!m) throw new InputError(`--background must be white, black or #rrggbb, got '${text}'`);
  return [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)];
}

/**
 * Decodes an image file's bytes; errors name the file (`name`) and say what is wrong. With `background`,
 * transparent pixels are composited onto that colour (sharp's flatten) instead of being refused, and the
 * result is RGB. With 'drop', the alpha channel is dropped and the colours under it kept, as PIL's `convert('RGB')`
 * (pytorch-fid's image reader).
 * @example const { data, width, height, channels } = await decodeImage(bytes, 'cats/0001.png');
 */
export async function decodeImage(bytes: Uint8Array, name: string, alpha?: Rgb | 'drop'): Promise<DecodedImage> {
  const background = alpha === 'drop' ? undefined : alpha;
  let data: Buffer;
  let info: OutputInfo;
  try {
    let image = sharp(bytes, { failOn: 'error' });
    const meta = await image.metadata();
    // sharp would expand grayscale to RGB: keep it as one channel (plus alpha), as PIL's 'L'/'LA' modes.
    // Composited images are RGB whatever the source (the background is a colour).
    const gray = !background && (meta.space === 'b-w' || meta.space === 'grey16');
    if (background && meta.hasAlpha) image = image.flatten({ background: { r: background[0], g: background[1], b: background[2] } });
    if (alpha === 'drop' && meta.hasAlpha) image = image.removeAlpha();
    ({ data, info } = await (gray ? image.toColourspace('b-w') : image.toColourspace('srgb')).raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true }));
  } catch (e) {
    throw new InputError(`${name}: cannot decode the image (${(e as Error).message.split('\n')[0]})`);
  }
  let pixels = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let channels = info.channels;
  if (channels === 2 || channels === 4) {
    const opaque = dropOpaqueAlpha(pixels, channels);
    if (!opaque) throw new InputError(`${name}: the image has transparent pixels (only RGB or grayscale images, or fully opaque alpha, are accepted; --background white composites them)`);
    pixels = opaque;
    channels -= 1;
  }
  if (channels !== 1 && channels !== 3) throw new InputError(`${name}: ${channels} channels (expected RGB or grayscale)`);
  return { data: pixels, width: info.width, height: info.height, channels };
}

/**
 * HWC pixels to CHW (the layout of training/dataset.py).
 * @example const chw = hwcToChw(img.data, img.height, img.width, img.channels); // [C, H, W]
 */
export function hwcToChw(hwc: Uint8Array, height: number, width: number, channels: number): Uint8Array {
  const hw = height * width;
  const out = new Uint8Array(hw * channels);
  for (let p = 0; p < hw; p++) for (let c = 0; c < channels; c++) out[c * hw + p] = hwc[p * channels + c]!;
  return out;
}
