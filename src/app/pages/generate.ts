// Generate: one image per seed as gen_images.py draws it (seed, psi, cutoff, class, noise mode; StyleGAN3's input
// translation and rotation update live), a grid of the next seeds, and PNG download.
import type { GenerateRequest, ModelInfo, Picture } from '../../studio/protocol.js';
import type { App, Handoff, Page } from '../main.js';
import { button, download, draw, h, numberInput, pngOf, row, section, select, setOptions, slider } from '../ui.js';

/** Seeds in the grid (one row under the image). */
const GRID = 8;

export function generatePage(app: App): Page {
  const model = select([], undefined, 'gen-model');
  const seed = numberInput(0, { min: 0, max: 0xffffffff, step: 1, id: 'gen-seed' });
  let psi = 1;
  const psiSlider = slider(psi, -1, 2, 0.01, (v) => {
    psi = v;
    refresh();
  }, 'gen-psi');
  const cutoff = numberInput(0, { min: 0, max: 64, step: 1, id: 'gen-cutoff', placeholder: 'all' });
  cutoff.value = '';
  const classSel = select([], undefined, 'gen-class');
  const classRow = row('Class', classSel);
  const noise = select([['const', 'const'], ['random', 'random'], ['none', 'none']], 'const', 'gen-noise');
  let tx = 0;
  let ty = 0;
  let rot = 0;
  const txSlider = slider(0, -1, 1, 0.01, (v) => ((tx = v), refresh()), 'gen-tx');
  const tySlider = slider(0, -1, 1, 0.01, (v) => ((ty = v), refresh()), 'gen-ty');
  const rotSlider = slider(0, -180, 180, 1, (v) => ((rot = v), refresh()), 'gen-rotate');
  const sg3 = section('StyleGAN3 input', row('Translate x', txSlider.el), row('Translate y', tySlider.el), row('Rotate', rotSlider.el), button('Reset', () => {
    [tx, ty, rot] = [0, 0, 0];
    txSlider.set(0);
    tySlider.set(0);
    rotSlider.set(0);
    refresh();
  }));
  const canvas = h('canvas', { class: 'main', id: 'gen-canvas', width: 256, height: 256 });
  const caption = h('div', { class: 'caption', id: 'gen-caption' });
  const thumbs = h('div', { class: 'thumbs', id: 'gen-grid' });
  let last: Picture | null = null;

  const stepSeed = (d: number) => {
    seed.value = String(Math.min(0xffffffff, Math.max(0, Math.trunc(Number(seed.value) || 0) + d)));
    refresh();
  };
  const controls = h(
    'div',
    { class: 'controls' },
    section('Network', model, h('div', { class: 'hint' }, 'or open a checkpoint from this computer (.pkl or stylelab model): ', h('input', { type: 'file', accept: '.pkl,.pt,.safetensors', id: 'gen-file', onchange: (e: Event) => void openFile(e) }))),
    section(
      'Latent',
      row('Seed', seed, button('◀', () => stepSeed(-1), 'btn', { title: 'previous seed', id: 'gen-prev' }), button('▶', () => stepSeed(1), 'btn', { title: 'next seed', id: 'gen-next' })),
      row('Psi', psiSlider.el),
      row('Cutoff', cutoff, h('span', { class: 'hint' }, 'ws truncated (blank: all)')),
      classRow,
      row('Noise', noise),
    ),
    sg3,
    section('Output', h('div', { class: 'buttons' }, button('Download PNG', () => void save(), 'btn', { id: 'gen-download' }), button('Open in Drag', () => info() && app.go('drag', { model: model.value, seed: currentSeed(), psi }), 'btn', { id: 'gen-to-drag' }))),
  );
  const el = h('section', { class: 'page', id: 'page-generate' }, controls, h('div', { class: 'view' }, h('div', { class: 'canvas-wrap' }, canvas), caption, thumbs, h('div', { class: 'hint' }, 'the next seeds: click one to open it')));

  const info = (): ModelInfo | undefined => app.models.find((m) => m.id === model.value);
  const currentSeed = () => Math.min(0xffffffff, Math.max(0, Math.trunc(Number(seed.value) || 0)));

  function request(s = currentSeed()): GenerateRequest | null {
    const m = info();
    if (!m) return null;
    const cut = cutoff.value.trim() === '' ? null : Math.trunc(Number(cutoff.value));
    const r: GenerateRequest = { model: m.id, seed: s, psi, cutoff: cut === 0 ? null : cut, classIdx: m.cDim > 0 ? Number(classSel.value) : null, noiseMode: noise.value as GenerateRequest['noiseMode'] };
    if (m.arch === 'stylegan3') Object.assign(r, { translate: [tx, ty], rotate: rot });
    return r;
  }

  // Live updates: at most one request in flight; the latest settings win.
  let running = false;
  let gridToken = 0;
  let again = false;
  let shown = false;
  async function refresh(): Promise<void> {
    if (!shown) return;
    gridToken++; // the main image first: stop filling the seed strip (it refills after)
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        const r = request();
        if (!r) return;
        const res = await app.busy(() => app.backend.generate(r)).catch((e) => (app.error(e), null));
        if (!res) break;
        last = res.image;
        draw(canvas, res.image);
        caption.textContent = `seed ${r.seed} · psi ${r.psi.toFixed(2)} · ${res.image.width}x${res.image.height} · ${res.ms.toFixed(0)} ms (${app.backend.label})`;
        canvas.dataset.seed = String(r.seed);
      } while (again);
    } finally {
      running = false;
    }
    void fillGrid();
  }

  async function fillGrid(): Promise<void> {
    const token = ++gridToken;
    const start = currentSeed();
    const cells = Array.from({ length: GRID }, (_, i) => {
      const c = h('canvas', { width: 32, height: 32, title: `seed ${start + i}`, class: i === 0 ? 'sel' : '' });
      c.addEventListener('click', () => {
        seed.value = String(start + i);
        void refresh();
      });
      return c;
    });
    thumbs.replaceChildren(...cells);
    for (let i = 0; i < GRID && start + i <= 0xffffffff; i++) {
      const r = request(start + i);
      if (!r || token !== gridToken) return;
      const res = await app.backend.generate(r).catch(() => null);
      if (!res || token !== gridToken) return;
      draw(cells[i]!, res.image);
    }
  }

  async function save(): Promise<void> {
    if (last) download(`seed${String(currentSeed()).padStart(4, '0')}.png`, await pngOf(last));
  }

  async function openFile(e: Event): Promise<void> {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (!file) return;
    const m = await app.openFile(file).catch((err) => (app.error(err), null));
    if (m?.kind === 'generator') {
      model.value = m.id;
      modelChanged();
    }
  }

  function modelChanged(): void {
    const m = info();
    sg3.style.display = m?.arch === 'stylegan3' ? '' : 'none';
    classRow.style.display = m && m.cDim > 0 ? '' : 'none';
    if (m && m.cDim > 0) setOptions(classSel, Array.from({ length: m.cDim }, (_, i) => [String(i), String(i)]), classSel.value || '0');
    void refresh();
  }

  model.addEventListener('change', modelChanged);
  for (const c of [seed, cutoff, classSel, noise]) c.addEventListener('change', () => void refresh());
  sg3.style.display = 'none';
  classRow.style.display = 'none';

  return {
    name: 'generate',
    title: 'Generate',
    el,
    show(handoff?: Handoff) {
      shown = true;
      if (handoff && 'seed' in handoff) {
        model.value = handoff.model;
        seed.value = String(handoff.seed);
        psi = handoff.psi;
        psiSlider.set(psi);
        modelChanged();
      } else if (!last) void refresh();
    },
    async backendChanged() {
      last = null;
      if (shown) await refresh();
    },
    modelsChanged() {
      setOptions(model, app.modelOptions('generator'), model.value || undefined);
      modelChanged();
    },
  };
}
