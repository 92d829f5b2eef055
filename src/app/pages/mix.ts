// Style mixing: style_mixing.py's grid (row seeds down, column seeds across, each cell the row's ws with the chosen
// layers from the column's), filled cell by cell. A click on a cell opens it in Drag (its mixed latent) or its row
// seed in Generate.
import type { ModelInfo, StyleMixRequest } from '../../studio/protocol.js';
import { LIMITS } from '../../studio/protocol.js';
import type { App, Page } from '../main.js';
import { button, draw, h, parseLayers, parseSeedText, row, section, select, setOptions, slider } from '../ui.js';

/**
 * Layer ranges of the StyleGAN paper's coarse (4-8 px), middle (16-32 px) and fine (64 px and up) styles for a
 * StyleGAN2 network (two ws per resolution from 4x4); other architectures split their ws in thirds.
 */
export function stylePresets(m: Pick<ModelInfo, 'arch' | 'numWs'>): { coarse: string; middle: string; fine: string } {
  const n = m.numWs;
  const range = (a: number, b: number) => (a >= Math.min(b, n) ? '' : `${a}-${Math.min(b, n) - 1}`);
  if (m.arch === 'stylegan2' || m.arch === 'stylegan1') return { coarse: range(0, 4), middle: range(4, 8), fine: range(8, n) };
  const t = Math.round(n / 3);
  return { coarse: range(0, t), middle: range(t, 2 * t), fine: range(2 * t, n) };
}

export function mixPage(app: App): Page {
  const model = select([], undefined, 'mix-model');
  const rows = h('input', { type: 'text', value: '85,100,75,458,1500', id: 'mix-rows' });
  const cols = h('input', { type: 'text', value: '55,821,1789,293', id: 'mix-cols' });
  const styles = h('input', { type: 'text', value: '0-3', id: 'mix-styles' });
  let psi = 1;
  const psiSlider = slider(psi, -1, 2, 0.01, (v) => (psi = v), 'mix-psi');
  const noise = select([['const', 'const'], ['random', 'random'], ['none', 'none']], 'const', 'mix-noise');
  const presetBtns = h('div', { class: 'buttons' });
  const grid = h('div', { class: 'mixgrid', id: 'mix-grid' });
  const caption = h('div', { class: 'caption', id: 'mix-caption' });
  let shown = false;
  let token = 0;

  const controls = h(
    'div',
    { class: 'controls' },
    section('Network', model),
    section('Seeds', row('Rows', h('div', { class: 'grow' }, rows)), row('Columns', h('div', { class: 'grow' }, cols)), h('div', { class: 'hint' }, 'numbers and ranges, e.g. 85,100 or 0-3')),
    section('Styles from the columns', row('Layers', h('div', { class: 'grow' }, styles)), presetBtns, h('div', { class: 'hint' }, 'ws taken from the column seed: coarse = pose and shape, middle = features, fine = colours')),
    section('Truncation & noise', row('Psi', psiSlider.el), row('Noise', noise)),
    section('', button('Render grid', () => void render(), 'btn primary', { id: 'mix-render' })),
  );
  const el = h('section', { class: 'page', id: 'page-mix' }, controls, h('div', { class: 'view' }, grid, caption));

  const info = (): ModelInfo | undefined => app.models.find((m) => m.id === model.value);

  function presets(): void {
    const m = info();
    if (!m) return presetBtns.replaceChildren();
    const p = stylePresets(m);
    presetBtns.replaceChildren(
      ...(['coarse', 'middle', 'fine'] as const).map((k) => {
        const b = button(`${k[0]!.toUpperCase()}${k.slice(1)} ${p[k] || '(none)'}`, () => {
          styles.value = p[k];
          void render();
        }, 'btn', { 'data-preset': k });
        b.disabled = p[k] === '';
        return b;
      }),
    );
  }

  /** A cell's popup: open in Drag (the mixed latent) or the row seed in Generate. */
  function popup(ev: MouseEvent, r: StyleMixRequest): void {
    document.querySelector('.popup')?.remove();
    const close = () => box.remove();
    const box = h(
      'div',
      { class: 'popup', id: 'mix-popup' },
      button('Open in Drag', () => {
        close();
        void (async () => {
          const latent = await app.busy(() => app.backend.mixLatent(r)).catch((e) => (app.error(e), null));
          if (latent) app.go('drag', { model: r.model, latent, label: `mix ${r.row}×${r.col} (layers ${styles.value})` });
        })();
      }, 'btn', { id: 'mix-to-drag' }),
      button(`Open seed ${r.row} in Generate`, () => {
        close();
        app.go('generate', { model: r.model, seed: r.row, psi: r.psi });
      }, 'btn', { id: 'mix-to-generate' }),
      button('Cancel', close),
    );
    box.style.left = `${ev.clientX}px`;
    box.style.top = `${ev.clientY}px`;
    document.body.append(box);
  }

  async function render(): Promise<void> {
    const m = info();
    if (!m || !shown) return;
    let R: number[];
    let C: number[];
    let layers: number[];
    try {
      R = parseSeedText(rows.value, LIMITS.maxMixSeeds);
      C = parseSeedText(cols.value, LIMITS.maxMixSeeds);
      layers = parseLayers(styles.value, m.numWs);
    } catch (e) {
      return app.error(e);
    }
    const my = ++token;
    const base = { model: m.id, styles: layers, psi, noiseMode: noise.value as StyleMixRequest['noiseMode'], classIdx: m.cDim > 0 ? 0 : null };
    grid.style.gridTemplateColumns = `repeat(${C.length + 1}, minmax(40px, 92px))`;
    const cell = (r: number, c: number, isLabel: boolean) => {
      const canvas = h('canvas', { width: 8, height: 8, title: r === c && isLabel ? `seed ${r}` : `row ${r}, column ${c}` });
      const div = h('div', { class: `cell pending${isLabel ? ' label' : ''}`, 'data-row': r, 'data-col': c }, canvas, isLabel ? h('div', { class: 'seed' }, `seed ${r}`) : null);
      const req = { ...base, row: r, col: c };
      canvas.addEventListener('click', (ev) => popup(ev, req));
      return { div, canvas, req };
    };
    // The header row (column seeds alone), then each row: its seed alone, then the mixes.
    const cells: ReturnType<typeof cell>[] = [];
    const items: HTMLElement[] = [h('div', { class: 'corner' }, 'rows ↓ · columns →')];
    for (const c of C) {
      const x = cell(c, c, true);
      cells.push(x);
      items.push(x.div);
    }
    for (const r of R) {
      const x = cell(r, r, true);
      cells.push(x);
      items.push(x.div);
      for (const c of C) {
        const y = cell(r, c, false);
        cells.push(y);
        items.push(y.div);
      }
    }
    grid.replaceChildren(...items);
    const t0 = performance.now();
    let done = 0;
    await app.busy(async () => {
      for (const x of cells) {
        if (my !== token) return;
        const res = await app.backend.styleMix(x.req).catch((e) => (app.error(e), null));
        if (!res || my !== token) return;
        draw(x.canvas, res.image);
        x.div.classList.remove('pending');
        caption.textContent = `${++done}/${cells.length} images · ${((performance.now() - t0) / done).toFixed(0)} ms each (${app.backend.label})`;
      }
    });
    grid.dataset.done = String(done);
  }

  model.addEventListener('change', () => {
    presets();
    // The coarse styles (pose, shape) show mixing best; style_mixing.py's 0-6 is most of a small network's ws.
    const m = info();
    if (m) styles.value = stylePresets(m).coarse || '0';
    void render();
  });
  document.addEventListener('pointerdown', (e) => {
    const p = document.querySelector('.popup');
    if (p && !p.contains(e.target as Node) && !(e.target as HTMLElement).closest('.mixgrid')) p.remove();
  });

  return {
    name: 'mix',
    title: 'Style mixing',
    el,
    show() {
      const first = !shown;
      shown = true;
      if (first) void render();
    },
    async backendChanged() {
      if (shown) await render();
    },
    modelsChanged() {
      setOptions(model, app.modelOptions('generator'), model.value || undefined);
      presets();
    },
  };
}
