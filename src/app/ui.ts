// Small DOM helpers of the web app: element building, labelled controls, drawing pictures on canvases, downloads.
import type { Picture } from '../studio/protocol.js';

type Attrs = Record<string, string | number | boolean | ((e: Event) => void) | undefined>;

/**
 * An element with attributes (on* keys become listeners) and children.
 * @example h('button', { class: 'btn', onclick: () => go() }, 'Go')
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string | null | undefined | false)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

/** A section of the controls pane with a title. */
export const section = (title: string, ...children: (Node | string | null | false)[]): HTMLElement => h('div', { class: 'section' }, h('h3', {}, title), ...children);

/** A labelled row. */
export const row = (label: string, ...children: (Node | string | null)[]): HTMLElement => h('div', { class: 'row' }, h('label', {}, label), ...children);

/** A button. */
export const button = (text: string, onclick: () => void, cls = 'btn', attrs: Attrs = {}): HTMLButtonElement => h('button', { class: cls, type: 'button', onclick, ...attrs }, text);

/** A number input. */
export function numberInput(value: number, o: { min?: number; max?: number; step?: number | 'any'; id?: string; placeholder?: string } = {}): HTMLInputElement {
  return h('input', { type: 'number', value: String(value), min: o.min, max: o.max, step: o.step ?? 'any', id: o.id, placeholder: o.placeholder });
}

/** A slider with its value shown beside it; `onInput` runs on every move. */
export function slider(value: number, min: number, max: number, step: number, onInput: (v: number) => void, id?: string): { el: HTMLElement; input: HTMLInputElement; set(v: number): void } {
  const input = h('input', { type: 'range', min, max, step, value: String(value), class: 'grow', id });
  const shown = h('span', { class: 'value' }, fmt(value, step));
  input.addEventListener('input', () => {
    shown.textContent = fmt(Number(input.value), step);
    onInput(Number(input.value));
  });
  const el = h('div', { class: 'row grow' }, input, shown);
  el.style.margin = '0';
  return {
    el,
    input,
    set(v: number) {
      input.value = String(v);
      shown.textContent = fmt(v, step);
    },
  };
}

const fmt = (v: number, step: number): string => (step >= 1 ? String(Math.round(v)) : v.toFixed(step >= 0.1 ? 1 : 2));

/** A select with (value, text) options. */
export function select(options: [string, string][], value?: string, id?: string): HTMLSelectElement {
  const s = h('select', { id });
  setOptions(s, options, value);
  return s;
}

export function setOptions(s: HTMLSelectElement, options: [string, string][], value?: string): void {
  s.replaceChildren(...options.map(([v, t]) => h('option', { value: v }, t)));
  if (value !== undefined && options.some(([v]) => v === value)) s.value = value;
}

/** A segmented control (one of several buttons on). */
export function segmented<T extends string>(options: [T, string][], value: T, onChange: (v: T) => void): { el: HTMLElement; value: () => T; set(v: T): void } {
  let cur = value;
  const buttons = options.map(([v, t]) => h('button', { type: 'button', 'data-value': v, class: v === value ? 'on' : '' }, t));
  const el = h('div', { class: 'seg' }, ...buttons);
  const set = (v: T) => {
    cur = v;
    for (const b of buttons) b.classList.toggle('on', b.dataset.value === v);
  };
  buttons.forEach((b, i) =>
    b.addEventListener('click', () => {
      set(options[i]![0]);
      onChange(cur);
    }),
  );
  return { el, value: () => cur, set };
}

/** RGBA pixels of a gray or RGB picture. */
export function rgba(p: Picture): Uint8ClampedArray<ArrayBuffer> {
  const n = p.width * p.height;
  const out = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    if (p.channels === 1) out[o] = out[o + 1] = out[o + 2] = p.data[i]!;
    else {
      out[o] = p.data[i * 3]!;
      out[o + 1] = p.data[i * 3 + 1]!;
      out[o + 2] = p.data[i * 3 + 2]!;
    }
    out[o + 3] = 255;
  }
  return out;
}

/** Draws a picture on a canvas at its own size (the canvas is resized to it; CSS scales it). */
export function draw(canvas: HTMLCanvasElement, p: Picture): void {
  if (canvas.width !== p.width || canvas.height !== p.height) [canvas.width, canvas.height] = [p.width, p.height];
  canvas.getContext('2d')!.putImageData(new ImageData(rgba(p), p.width, p.height), 0, 0);
}

/** An RGB copy of a picture (gray pictures repeated). */
export function toRgb(p: Picture): Picture {
  if (p.channels === 3) return p;
  const data = new Uint8Array(p.width * p.height * 3);
  for (let i = 0; i < p.width * p.height; i++) data.fill(p.data[i]!, i * 3, i * 3 + 3);
  return { ...p, channels: 3, data };
}

/** PNG bytes of a picture. */
export async function pngOf(p: Picture): Promise<Blob> {
  const c = new OffscreenCanvas(p.width, p.height);
  c.getContext('2d')!.putImageData(new ImageData(rgba(p), p.width, p.height), 0, 0);
  return c.convertToBlob({ type: 'image/png' });
}

/** Saves bytes as a file through a temporary link. */
export function download(name: string, data: Blob | Uint8Array, type = 'application/octet-stream'): void {
  const blob = data instanceof Blob ? data : new Blob([data as Uint8Array<ArrayBuffer>], { type });
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** RGB pixels of an image file, decoded by the browser without colour management (as PIL's convert('RGB')). */
export async function decodeImage(file: Blob): Promise<Picture> {
  const bmp = await createImageBitmap(file, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  const c = new OffscreenCanvas(bmp.width, bmp.height);
  const ctx = c.getContext('2d')!;
  ctx.drawImage(bmp, 0, 0);
  bmp.close();
  const px = ctx.getImageData(0, 0, c.width, c.height).data;
  const data = new Uint8Array(c.width * c.height * 3);
  for (let i = 0; i < c.width * c.height; i++) data.set(px.subarray(i * 4, i * 4 + 3), i * 3);
  return { width: c.width, height: c.height, channels: 3, data };
}

/**
 * Parses a seed list '0-3,7' (at most `max` seeds).
 * @example parseSeedText('85,100', 16) // [85, 100]
 */
export function parseSeedText(text: string, max: number): number[] {
  const out: number[] = [];
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(part);
    if (!m) throw new Error(`'${part}' is not a seed or a range such as 0-3`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) throw new Error(`range ${part} runs backwards`);
    if (b > 0xffffffff) throw new Error('seeds go up to 4294967295');
    for (let s = a; s <= b; s++) {
      out.push(s);
      if (out.length > max) throw new Error(`at most ${max} seeds`);
    }
  }
  if (out.length === 0) throw new Error('give at least one seed');
  return out;
}

/**
 * Parses a layer list '0-6' or '0,2,4' within [0, numWs).
 * @example parseLayers('0-3', 8) // [0, 1, 2, 3]
 */
export function parseLayers(text: string, numWs: number): number[] {
  const out = parseSeedText(text, 64);
  for (const l of out) if (l >= numWs) throw new Error(`layer ${l} does not exist: this network has ${numWs} ws (0-${numWs - 1})`);
  return [...new Set(out)].sort((a, b) => a - b);
}
