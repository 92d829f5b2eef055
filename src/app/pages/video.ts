// Video: gen_video.py's looping interpolation (a grid of cells, each a cubic spline in W through its seeds), rendered
// frame by frame into a GIF in the page, or into an MP4 by the server where it has ffmpeg; both with progress.
import { LIMITS, type VideoRequest } from '../../studio/protocol.js';
import { ServerBackend } from '../backend.js';
import { GifBuilder } from '../gif.js';
import type { App, Page } from '../main.js';
import { button, download, h, numberInput, parseSeedText, row, section, select, setOptions, slider } from '../ui.js';

/** Frames fetched per backend call. */
const CHUNK = 4;

export function videoPage(app: App): Page {
  const model = select([], undefined, 'vid-model');
  const seeds = h('input', { type: 'text', value: '0-3', id: 'vid-seeds' });
  const gridW = numberInput(1, { min: 1, max: LIMITS.maxVideoCells, step: 1, id: 'vid-grid-w' });
  const gridH = numberInput(1, { min: 1, max: LIMITS.maxVideoCells, step: 1, id: 'vid-grid-h' });
  const wFrames = numberInput(24, { min: 1, max: LIMITS.maxWFrames, step: 1, id: 'vid-frames' });
  const fps = numberInput(24, { min: 1, max: 60, step: 1, id: 'vid-fps' });
  let psi = 1;
  const psiSlider = slider(psi, -1, 2, 0.01, (v) => (psi = v), 'vid-psi');
  const progress = h('progress', { max: 1, value: 0, id: 'vid-progress' });
  const caption = h('div', { class: 'caption', id: 'vid-caption' });
  const out = h('div', { class: 'video-out', id: 'vid-out' });
  const gifBtn = button('Render GIF', () => void renderGif(), 'btn primary', { id: 'vid-gif' });
  const mp4Btn = button('Render MP4 (server)', () => void renderMp4(), 'btn', { id: 'vid-mp4' });
  const cancelBtn = button('Cancel', () => (cancelled = true), 'btn', { id: 'vid-cancel' });
  let cancelled = false;
  let busy = false;

  const controls = h(
    'div',
    { class: 'controls' },
    section('Network', model),
    section(
      'Keyframes',
      row('Seeds', h('div', { class: 'grow' }, seeds)),
      row('Grid', gridW, '×', gridH),
      row('Frames', wFrames, h('span', { class: 'hint' }, 'per keyframe')),
      row('Psi', psiSlider.el),
      row('FPS', fps),
      h('div', { class: 'hint' }, 'Seeds are cycled to fill every cell; each cell loops through its keyframes (gen_video.py).'),
    ),
    section('Render', h('div', { class: 'buttons' }, gifBtn, mp4Btn, cancelBtn), progress),
  );
  const el = h('section', { class: 'page', id: 'page-video' }, controls, h('div', { class: 'view' }, out, caption));

  function request(): VideoRequest | null {
    const m = app.models.find((x) => x.id === model.value);
    if (!m) return null;
    const seedList = parseSeedText(seeds.value, LIMITS.maxVideoSeeds);
    return { model: m.id, seeds: seedList, gridW: Math.trunc(Number(gridW.value)), gridH: Math.trunc(Number(gridH.value)), wFrames: Math.trunc(Number(wFrames.value)), psi, classIdx: m.cDim > 0 ? 0 : null };
  }

  function setBusy(b: boolean): void {
    busy = b;
    gifBtn.disabled = b;
    mp4Btn.disabled = b || !(app.backend instanceof ServerBackend && app.ffmpeg);
    mp4Btn.title = app.ffmpeg ? (app.backend instanceof ServerBackend ? '' : 'switch the backend to the server for MP4') : 'the server has no ffmpeg';
    cancelBtn.disabled = !b;
  }

  /** Runs a render with the page marked busy (the request checked first; errors shown). */
  async function rendering(work: (req: VideoRequest) => Promise<void>): Promise<void> {
    if (busy) return;
    let req: VideoRequest | null;
    try {
      req = request();
    } catch (e) {
      return app.error(e);
    }
    if (!req) return;
    const r = req;
    cancelled = false;
    setBusy(true);
    try {
      await app.busy(() => work(r));
    } catch (e) {
      app.error(e);
    } finally {
      setBusy(false);
    }
  }

  function renderGif(): Promise<void> {
    const t0 = performance.now();
    return rendering(async (req) => {
      const info = await app.backend.videoOpen(req);
      progress.max = info.numFrames;
      const gif = new GifBuilder(1000 / Number(fps.value || 24));
      for (let f = 0; f < info.numFrames && !cancelled; f += CHUNK) {
        for (const frame of await app.backend.videoFrames(f, Math.min(CHUNK, info.numFrames - f))) gif.add(frame);
        progress.value = gif.frames;
        caption.textContent = `frame ${gif.frames}/${info.numFrames} · ${((performance.now() - t0) / gif.frames).toFixed(0)} ms/frame (${app.backend.label})`;
      }
      if (cancelled) {
        caption.textContent = 'cancelled';
        return;
      }
      const bytes = gif.finish();
      const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'image/gif' }));
      const img = h('img', { src: url, alt: 'interpolation video', id: 'vid-gif-img' });
      out.replaceChildren(img, h('div', { class: 'buttons' }, button('Download GIF', () => download('stylelab-video.gif', bytes, 'image/gif'), 'btn', { id: 'vid-download' })));
      caption.textContent = `${info.numFrames} frames, ${info.width}x${info.height} · ${(bytes.length / 1024).toFixed(0)} kB · ${((performance.now() - t0) / 1000).toFixed(1)} s`;
    });
  }

  function renderMp4(): Promise<void> {
    const b = app.backend;
    if (!(b instanceof ServerBackend)) return Promise.resolve();
    return rendering(async (req) => {
      await b.videoOpen(req);
      const { total } = await b.startMp4(Number(fps.value || 24));
      progress.max = total;
      for (;;) {
        await new Promise((ok) => setTimeout(ok, 300));
        if (cancelled) {
          caption.textContent = 'stopped waiting (the server finishes the MP4 in the background)';
          return;
        }
        const s = await b.mp4Status();
        progress.value = s.done;
        caption.textContent = `MP4 on the server: frame ${s.done}/${s.total}`;
        if (s.error) throw new Error(`the server could not write the MP4: ${s.error}`);
        if (s.ready) break;
      }
      out.replaceChildren(h('video', { src: b.mp4Url, controls: true, loop: true, autoplay: true, muted: true, id: 'vid-mp4-video' }), h('div', { class: 'buttons' }, h('a', { class: 'btn', href: b.mp4Url, download: 'stylelab-video.mp4' }, 'Download MP4')));
    });
  }

  return {
    name: 'video',
    title: 'Video',
    el,
    show() {
      setBusy(busy);
    },
    async backendChanged() {
      setBusy(busy);
    },
    modelsChanged() {
      setOptions(model, app.modelOptions('generator'), model.value || undefined);
    },
  };
}
