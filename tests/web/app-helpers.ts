// Shared by the web app's tests: a `stylelab serve` server in this process (the bundled models, the draggan-tiny and
// ugatit-light-tiny fixtures) and headless Chromium on it (Debian's, via playwright-core).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startServer, type StylelabServer } from '../../src/serve/server.js';
import { fixture, repoRoot } from '../fixtures.js';

export const CHROMIUM = process.env.STYLELAB_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Why the browser tests skip, or false when Chromium is there. */
export const noChromium: string | false = existsSync(CHROMIUM) ? false : `Chromium not found at ${CHROMIUM}: install it with 'bash scripts/install-browser.sh' (or set STYLELAB_CHROMIUM)`;

/** The built app (npm run build makes dist/app). */
export const APP_DIR = join(repoRoot, 'dist', 'app');

export const DRAG_NETWORK = fixture('draggan-tiny', 'network.pkl');
export const UGATIT_CHECKPOINT = fixture('ugatit-light-tiny', 'fixture_params_0000100.pt');
export const SG3_NETWORK = fixture('stylegan3-t-tiny', 'network.pkl');
/** Their registry ids. */
export const DRAG_MODEL = 'draggan-tiny-network';
export const SG3_MODEL = 'stylegan3-t-tiny-network';
export const UGATIT_MODEL = 'ugatit-light-tiny-fixture-params-0000100';

/**
 * A server on a free loopback port with the bundled models and the two fixtures.
 * @example const s = await startTestServer({ idleSeconds: 1 });
 */
export function startTestServer(o: { idleSeconds?: number; assetDir?: string; maxBody?: number } = {}): Promise<StylelabServer> {
  if (!existsSync(join(APP_DIR, 'index.html'))) throw new Error(`${APP_DIR}/index.html is missing: run npm run build`);
  return startServer({
    port: 0,
    assetDir: o.assetDir ?? APP_DIR,
    idleSeconds: o.idleSeconds ?? 600,
    maxBody: o.maxBody,
    threads: 2,
    log: () => {},
    models: { bundledDirs: [join(repoRoot, 'models')], networks: [DRAG_NETWORK, SG3_NETWORK], checkpoints: [UGATIT_CHECKPOINT] },
  });
}

/** A headless Chromium with one page; errors on the page are collected. */
export interface AppBrowser {
  context: BrowserContext;
  page: Page;
  errors: string[];
  close(): Promise<void>;
}

/**
 * Launches Chromium on a fresh profile and opens `url`, waiting for the app to finish booting.
 * @example const b = await openApp(`${server.url}#drag`);
 */
export async function openApp(url: string, extraArgs: string[] = []): Promise<AppBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'stylelab-app-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs], timeout: 30_000, viewport: { width: 1280, height: 800 } });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(60_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
  });
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.ready === '1');
  return {
    context,
    page,
    errors,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Waits until no backend call is running. */
export const idle = (page: Page): Promise<unknown> => page.waitForFunction(() => document.body.dataset.busy === '0');

/** The RGB pixels of a canvas (it holds the picture at its own size). */
export async function canvasRgb(page: Page, selector: string): Promise<{ width: number; height: number; rgb: number[] }> {
  return page.evaluate((sel) => {
    const c = document.querySelector(sel) as HTMLCanvasElement;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const rgb: number[] = [];
    for (let i = 0; i < d.length; i += 4) rgb.push(d[i]!, d[i + 1]!, d[i + 2]!);
    return { width: c.width, height: c.height, rgb };
  }, selector);
}

/** Fraction of identical values and the largest difference (the fixtures' uint8 rule: >= 99.9% identical, max 1). */
export function uint8Closeness(a: ArrayLike<number>, b: ArrayLike<number>): { same: number; max: number } {
  let same = 0;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (d === 0) same++;
    max = Math.max(max, d);
  }
  return { same: same / a.length, max };
}

/** Calls a method of the app's Web Worker running in a page. */
export type WorkerCall = (method: string, ...args: unknown[]) => Promise<unknown>;

/** Typed arrays as tagged plain arrays (what page.evaluate carries); undone in the page. */
function tag(v: unknown): unknown {
  if (v instanceof Float32Array) return { __f32: Array.from(v) };
  if (v instanceof Uint8Array) return { __u8: Array.from(v) };
  if (Array.isArray(v)) return v.map(tag);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, tag(x)]));
  return v;
}

/** Base64-tagged typed arrays from the page back as typed arrays. */
function untag(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(untag);
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.__u8b64 === 'string') return new Uint8Array(Buffer.from(o.__u8b64, 'base64'));
    if (typeof o.__f32b64 === 'string') {
      const b = Buffer.from(o.__f32b64, 'base64');
      return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, untag(x)]));
  }
  return v;
}

/**
 * Starts a worker of the app's bundle (/worker.js) in the page, initialised with `init`, and returns a caller for
 * it: the calls the app's pages make, from Node. Typed arrays go in and come back as such.
 * @example const call = await pageWorker(page, { wasmPaths: '/ort/', threads: 2, executionProviders: ['wasm'] }); await call('dragStep');
 */
export async function pageWorker(page: Page, init: Record<string, unknown>): Promise<WorkerCall> {
  await page.evaluate(() => {
    const worker = new Worker('/worker.js', { type: 'module' });
    let next = 0;
    const revive = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(revive);
      if (v !== null && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if ('__f32' in o) return Float32Array.from(o.__f32 as number[]);
        if ('__u8' in o) return Uint8Array.from(o.__u8 as number[]);
        return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, revive(x)]));
      }
      return v;
    };
    // Typed arrays come back as base64 (Playwright carries long strings fast, long arrays slowly).
    const b64 = (v: ArrayBufferView) => {
      const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      let s = '';
      for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return btoa(s);
    };
    const plain = (v: unknown): unknown => {
      if (v instanceof Float32Array) return { __f32b64: b64(v) };
      if (ArrayBuffer.isView(v)) return { __u8b64: b64(v) };
      if (Array.isArray(v)) return v.map(plain);
      if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
      return v;
    };
    (globalThis as unknown as { __stylelabCall: unknown }).__stylelabCall = (method: string, args: unknown[]) =>
      new Promise((ok, fail) => {
        const id = ++next;
        const onMessage = (e: MessageEvent<{ id: number; ok: boolean; result?: unknown; error?: string }>) => {
          if (e.data.id !== id) return;
          worker.removeEventListener('message', onMessage);
          if (e.data.ok) ok(plain(e.data.result));
          else fail(new Error(e.data.error));
        };
        worker.addEventListener('message', onMessage);
        worker.postMessage({ id, method, args: revive(args) });
      });
  });
  const call: WorkerCall = async (method, ...args) =>
    untag(await page.evaluate(([m, a]) => (globalThis as unknown as { __stylelabCall: (m: string, a: unknown[]) => Promise<unknown> }).__stylelabCall(m as string, a as unknown[]), [method, tag(args)] as const));
  await call('init', init);
  return call;
}
