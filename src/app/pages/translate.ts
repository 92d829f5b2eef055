// Translate (U-GAT-IT): drop or pick an image, choose A2B or B2A, and see the input at the model size, the output and
// the generator's CAM heatmap side by side (UGATIT.py's test phase: PIL bilinear resize, the same uint8 rounding).
import type { Picture, TranslateRequest } from '../../studio/protocol.js';
import type { App, Page } from '../main.js';
import { button, decodeImage, download, draw, h, pngOf, row, section, segmented, select, setOptions } from '../ui.js';

export function translatePage(app: App): Page {
  const model = select([], undefined, 'tr-model');
  const direction = segmented<'A2B' | 'B2A'>([['A2B', 'A → B'], ['B2A', 'B → A']], 'A2B', () => void run());
  const file = h('input', { type: 'file', accept: 'image/*', id: 'tr-file', onchange: () => void pick(file.files?.[0]) });
  const drop = h('div', { class: 'drop', id: 'tr-drop' }, 'Drop an image here, or click to pick one');
  const canvases = { input: h('canvas', { id: 'tr-input', width: 8, height: 8 }), output: h('canvas', { id: 'tr-output', width: 8, height: 8 }), cam: h('canvas', { id: 'tr-cam', width: 8, height: 8 }) };
  const caption = h('div', { class: 'caption', id: 'tr-caption' });
  let image: Picture | null = null;
  let name = '';
  let output: Picture | null = null;
  let shown = false;

  drop.addEventListener('click', () => file.click());
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    void pick(e.dataTransfer?.files[0]);
  });

  const controls = h(
    'div',
    { class: 'controls' },
    section('Translator', model, h('div', { class: 'hint' }, 'U-GAT-IT checkpoints named with --checkpoint, or a .pt opened here: ', h('input', { type: 'file', accept: '.pt', id: 'tr-ckpt', onchange: (e: Event) => void openCkpt(e) }))),
    section('Image', drop, file, row('Direction', direction.el)),
    section('Save', button('Output PNG', () => void save(), 'btn', { id: 'tr-save' })),
  );
  file.style.display = 'none';
  const fig = (c: HTMLCanvasElement, t: string) => h('figure', {}, c, h('figcaption', {}, t));
  const el = h('section', { class: 'page', id: 'page-translate' }, controls, h('div', { class: 'view' }, h('div', { class: 'triple' }, fig(canvases.input, 'input (model size)'), fig(canvases.output, 'output'), fig(canvases.cam, 'CAM heatmap')), caption));

  async function pick(f: File | undefined): Promise<void> {
    if (!f) return;
    try {
      image = await decodeImage(f);
      name = f.name.replace(/\.[^.]*$/, '');
      drop.textContent = `${f.name} · ${image.width}x${image.height}`;
      await run();
    } catch (e) {
      app.error(new Error(`cannot read ${f.name} as an image: ${(e as Error).message}`));
    }
  }

  async function openCkpt(e: Event): Promise<void> {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (!f) return;
    const m = await app.openFile(f).catch((err) => (app.error(err), null));
    if (m?.kind === 'ugatit') {
      model.value = m.id;
      await run();
    }
  }

  async function run(): Promise<void> {
    const m = app.models.find((x) => x.id === model.value);
    if (!m || !image || !shown) return;
    const r: TranslateRequest = { model: m.id, direction: direction.value(), image };
    const res = await app.busy(() => app.backend.translate(r)).catch((e) => (app.error(e), null));
    if (!res) return;
    draw(canvases.input, res.input);
    draw(canvases.output, res.output);
    draw(canvases.cam, res.cam);
    output = res.output;
    caption.textContent = `${r.direction} · ${m.name} · ${res.output.width}x${res.output.height} · ${res.ms.toFixed(0)} ms (${app.backend.label})`;
    el.dataset.done = String(Number(el.dataset.done ?? 0) + 1);
  }

  async function save(): Promise<void> {
    if (output) download(`${name || 'image'}_${direction.value()}.png`, await pngOf(output));
  }

  model.addEventListener('change', () => void run());

  return {
    name: 'translate',
    title: 'Translate',
    el,
    show() {
      shown = true;
    },
    async backendChanged() {
      if (shown) await run();
    },
    modelsChanged() {
      const opts = app.modelOptions('ugatit');
      setOptions(model, opts.length ? opts : [['', 'no U-GAT-IT checkpoint: start serve with --checkpoint']], model.value || undefined);
    },
  };
}
