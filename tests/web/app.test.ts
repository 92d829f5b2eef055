// The web app in headless Chromium, driven as a person would: generate (pixels equal to the CLI's PNG), a DragGAN
// run on the draggan-tiny fixture with undo and redo, a U-GAT-IT translation (pixels equal to the official test
// phase), and switching the backend between the page and the server.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { runGenerate } from '../../src/cli/generate.js';
import { readLatent } from '../../src/drag/latent.js';
import { readNpy } from '../../src/io/npy.js';
import type { StylelabServer } from '../../src/serve/server.js';
import { fixture, repoRoot } from '../fixtures.js';
import { type AppBrowser, canvasRgb, DRAG_MODEL, idle, noChromium, openApp, startTestServer, uint8Closeness } from './app-helpers.js';

interface DragUiState {
  steps: number;
  handles: [number, number][];
  targets: [number, number][];
  canUndo: boolean;
  canRedo: boolean;
  running: boolean;
  open: boolean;
}

const dragState = async (page: Page): Promise<DragUiState> => JSON.parse((await page.getAttribute('#page-drag', 'data-state')) ?? '{}') as DragUiState;
/** What to wait for in the Drag page's state (all given conditions hold; the page's CSP forbids string predicates). */
interface DragWait {
  open?: boolean;
  running?: boolean;
  steps?: number;
  handles?: number;
  /** At least `minSteps` steps and the first handle away from `from`, or `maxSteps` steps. */
  moved?: { from: [number, number]; minSteps: number; maxSteps: number };
}
const waitDrag = (page: Page, w: DragWait) =>
  page.waitForFunction(
    (c: DragWait) => {
      const s = JSON.parse(document.getElementById('page-drag')!.dataset.state || '{}') as DragUiState;
      if (c.open !== undefined && s.open !== c.open) return false;
      if (c.running !== undefined && s.running !== c.running) return false;
      if (c.steps !== undefined && s.steps !== c.steps) return false;
      if (c.handles !== undefined && s.handles?.length !== c.handles) return false;
      const m = c.moved;
      if (m && !(s.steps >= m.maxSteps || (s.steps >= m.minSteps && (s.handles[0]![0] !== m.from[0] || s.handles[0]![1] !== m.from[1])))) return false;
      return true;
    },
    w,
    { timeout: 120_000 },
  );

/** The CLI's PNG of the bundled model for a seed and psi, as RGB values. */
async function cliPng(seed: number, psi: number): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'stylelab-app-cli-'));
  try {
    await runGenerate({ network: join(repoRoot, 'models', 'stylegan2-emoji32'), seeds: String(seed), trunc: String(psi), noiseMode: 'const', outdir: dir }, { threads: 1 });
    const { data } = await sharp(join(dir, `seed${String(seed).padStart(4, '0')}.png`)).raw().toBuffer({ resolveWithObject: true });
    return [...data];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Clicks a button that downloads a file; the file's name and bytes. */
async function download(page: Page, selector: string): Promise<{ name: string; bytes: Uint8Array }> {
  const [d] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  return { name: d.suggestedFilename(), bytes: new Uint8Array(readFileSync((await d.path())!)) };
}

/** Sets a range input and fires its input event (as a drag of the slider does). */
const setSlider = (page: Page, sel: string, v: number) =>
  page.evaluate(([s, value]) => {
    const el = document.querySelector(s as string) as HTMLInputElement;
    el.value = String(value);
    el.dispatchEvent(new Event('input'));
  }, [sel, v] as const);

/** Clicks the Drag page's image at a pixel [row, col] of an R x R image. */
async function clickPixel(page: Page, p: [number, number], R: number): Promise<void> {
  const box = (await page.locator('#drag-overlay').boundingBox())!;
  await page.mouse.click(box.x + ((p[1] + 0.5) / R) * box.width, box.y + ((p[0] + 0.5) / R) * box.height);
}

describe('the web app in headless Chromium', { skip: noChromium }, () => {
  let server: StylelabServer;
  let b: AppBrowser;
  let expected: number[];
  before(async () => {
    server = await startTestServer();
    [b, expected] = await Promise.all([openApp(server.url), cliPng(3, 0.7)]);
  });
  after(async () => {
    await b?.close();
    await server?.close();
  });

  async function generateSeed3(): Promise<{ width: number; rgb: number[] }> {
    const page = b.page;
    await page.click('[data-tab="generate"]');
    await page.fill('#gen-seed', '3');
    await page.dispatchEvent('#gen-seed', 'change');
    await setSlider(page, '#gen-psi', 0.7);
    await page.waitForFunction(() => document.getElementById('gen-canvas')!.dataset.seed === '3' && /psi 0\.70/.test(document.getElementById('gen-caption')!.textContent!));
    await idle(page);
    return canvasRgb(page, '#gen-canvas');
  }

  test('Generate: seed 3 at psi 0.7 draws the same pixels as `stylelab generate` (uint8 rule)', async (t) => {
    const img = await generateSeed3();
    assert.equal(img.width, 32);
    const mean = img.rgb.reduce((a, v) => a + v, 0) / img.rgb.length;
    const spread = Math.sqrt(img.rgb.reduce((a, v) => a + (v - mean) ** 2, 0) / img.rgb.length);
    assert.ok(spread > 10, `the canvas looks blank (standard deviation ${spread.toFixed(1)})`);
    const c = uint8Closeness(img.rgb, expected);
    t.diagnostic(`${(c.same * 100).toFixed(2)}% identical to the CLI's PNG, max diff ${c.max}`);
    assert.ok(c.same >= 0.999 && c.max <= 1, `${(c.same * 100).toFixed(2)}% identical, max diff ${c.max}`);
  });

  test('Drag: one point pair on draggan-tiny, Start until the handle moves (3+ steps), Stop, undo and redo the run', async (t) => {
    const page = b.page;
    await page.click('[data-tab="drag"]');
    await page.selectOption('#drag-model', DRAG_MODEL);
    await waitDrag(page, { open: true, steps: 0 });
    await idle(page);
    // A larger step than the official 0.001 moves this random-weight network's features within a few steps.
    await page.fill('#drag-lr', '0.1');
    await page.dispatchEvent('#drag-lr', 'change');
    await idle(page);
    const handle: [number, number] = [51, 57];
    await clickPixel(page, handle, 128);
    await clickPixel(page, [51, 76], 128);
    await waitDrag(page, { handles: 1, running: false });
    await idle(page);
    assert.deepEqual((await dragState(page)).handles, [handle]);
    await page.click('#drag-start');
    await waitDrag(page, { moved: { from: handle, minSteps: 3, maxSteps: 10 } });
    await page.click('#drag-start'); // Stop
    await waitDrag(page, { running: false });
    await idle(page);
    const ran = await dragState(page);
    t.diagnostic(`after ${ran.steps} steps the handle is at ${JSON.stringify(ran.handles[0])} (ms/step: ${await page.textContent('#drag-ms')})`);
    assert.ok(ran.steps >= 3);
    assert.notDeepEqual(ran.handles[0], handle, 'the handle point did not move');
    assert.ok(ran.canUndo);
    await page.click('#drag-undo');
    await waitDrag(page, { steps: 0 });
    await idle(page);
    const undone = await dragState(page);
    assert.deepEqual(undone.handles, [handle], 'undo restores the points before the run');
    assert.ok(undone.canRedo);
    await page.click('#drag-redo');
    await waitDrag(page, { steps: ran.steps });
    await idle(page);
    assert.deepEqual((await dragState(page)).handles, ran.handles, 'redo brings the whole run back');
    // Downloads: the latent as the CLI reads it, and the run as a GIF.
    const w = await download(page, '#drag-save-w');
    assert.equal(w.name, 'w.npy');
    const ws = readLatent(w.bytes, 12, 64, 'w.npy');
    assert.equal(ws.length, 12 * 64);
    const gif = await download(page, '#drag-save-gif');
    assert.equal(Buffer.from(gif.bytes.subarray(0, 6)).toString('latin1'), 'GIF89a');
  });

  test('Translate: the fixture image A2B with ugatit-light-tiny equals the official test-phase PNG (uint8 rule)', async (t) => {
    const page = b.page;
    await page.click('[data-tab="translate"]');
    await page.setInputFiles('#tr-file', fixture('ugatit-light-tiny', 'input.png'));
    await page.waitForFunction(() => Number(document.getElementById('page-translate')!.dataset.done ?? 0) >= 1, null, { timeout: 120_000 });
    const out = await canvasRgb(page, '#tr-output');
    const want = readNpy(readFileSync(fixture('ugatit-light-tiny', 'genA2B_png_u8.npy')));
    assert.equal(out.width, 256);
    const c = uint8Closeness(out.rgb, want.data as Uint8Array);
    t.diagnostic(`${(c.same * 100).toFixed(3)}% identical to genA2B_png_u8, max diff ${c.max}; CAM drawn: ${(await canvasRgb(page, '#tr-cam')).width}px`);
    assert.ok(c.same >= 0.999 && c.max <= 1, `${(c.same * 100).toFixed(3)}% identical, max diff ${c.max}`);
  });

  test('switching the backend to the server and back: same pixels, the drag session moves along, the server session is released', async () => {
    const page = b.page;
    const before = await dragState(page);
    await page.selectOption('#backend', 'server');
    await page.waitForFunction(() => document.body.dataset.backend === 'server');
    await idle(page);
    assert.match((await page.textContent('#backend-info'))!, /server/);
    assert.equal(server.pages.count, 1, 'the page opened one server session');
    // The drag session was carried over: same points on the server (a fresh history).
    await waitDrag(page, { open: true });
    assert.deepEqual((await dragState(page)).handles, before.handles);
    const img = await generateSeed3();
    const c = uint8Closeness(img.rgb, expected);
    assert.ok(c.same >= 0.999 && c.max <= 1, `server backend: ${(c.same * 100).toFixed(2)}% identical, max diff ${c.max}`);
    await page.selectOption('#backend', 'wasm');
    await page.waitForFunction(() => document.body.dataset.backend === 'wasm');
    await idle(page);
    for (let i = 0; i < 50 && server.pages.count > 0; i++) await new Promise((ok) => setTimeout(ok, 100));
    assert.equal(server.pages.count, 0, 'the server session was not released when the page left the server backend');
  });

  test('a page on the server backend that closes releases its server session (pagehide beacon)', async () => {
    const before = server.pages.count;
    const page = await b.context.newPage();
    await page.goto(`${server.url}?backend=server#translate`);
    await page.waitForFunction(() => document.body.dataset.ready === '1' && document.body.dataset.backend === 'server');
    assert.equal(server.pages.count, before + 1);
    await page.close({ runBeforeUnload: true });
    for (let i = 0; i < 50 && server.pages.count > before; i++) await new Promise((ok) => setTimeout(ok, 100));
    assert.equal(server.pages.count, before, 'the server session outlived its page');
  });

  test('no errors in the page', () => {
    assert.deepEqual(b.errors, []);
  });
});
