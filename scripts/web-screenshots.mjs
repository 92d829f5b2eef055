#!/usr/bin/env node
// Screenshots of the web app's pages for the README and docs/web.md (docs/web/*.png): starts `stylelab serve` in
// this process (bundled model, the draggan-tiny and ugatit-light-tiny fixtures), drives headless Chromium through
// each tab and saves what a user sees. Needs `npm run build` and `bash scripts/install-browser.sh`.
// Usage: node scripts/web-screenshots.mjs [--outdir docs/web]
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const outdir = resolve(args.includes('--outdir') ? args[args.indexOf('--outdir') + 1] : join(root, 'docs', 'web'));
const fixtures = process.env.STYLELAB_FIXTURES ?? resolve(root, '..', 'shared', 'fixtures');
const { startServer } = await import(join(root, 'dist', 'src', 'serve', 'server.js'));

const server = await startServer({
  port: 0,
  assetDir: join(root, 'dist', 'app'),
  log: () => {},
  models: { bundledDirs: [join(root, 'models')], networks: [join(fixtures, 'draggan-tiny', 'network.pkl')], checkpoints: [join(fixtures, 'ugatit-light-tiny', 'fixture_params_0000100.pt')] },
});
const browser = await chromium.launch({ executablePath: process.env.STYLELAB_CHROMIUM ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
const page = await browser.newPage({ viewport: { width: 1360, height: 860 }, deviceScaleFactor: 1 });
page.setDefaultTimeout(120_000);
page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
mkdirSync(outdir, { recursive: true });
const idle = () => page.waitForFunction(() => document.body.dataset.busy === '0');
const shot = async (name) => {
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(outdir, `${name}.png`) });
  console.log(`web-screenshots: ${join(outdir, `${name}.png`)}`);
};
const setRange = (sel, v) => page.evaluate(([s, value]) => {
  const el = document.querySelector(s);
  el.value = String(value);
  el.dispatchEvent(new Event('input'));
  el.dispatchEvent(new Event('change'));
}, [sel, v]);
const dragState = async () => JSON.parse(await page.getAttribute('#page-drag', 'data-state'));
const at = async (p, R) => {
  const box = await page.locator('#drag-overlay').boundingBox();
  return [box.x + ((p[1] + 0.5) / R) * box.width, box.y + ((p[0] + 0.5) / R) * box.height];
};

try {
  await page.goto(server.url);
  await page.waitForFunction(() => document.body.dataset.ready === '1');

  // Generate: a seed of the bundled emoji model, and the seed strip under it.
  await page.fill('#gen-seed', '13');
  await page.dispatchEvent('#gen-seed', 'change');
  await setRange('#gen-psi', 0.7);
  await page.waitForFunction(() => document.getElementById('gen-canvas').dataset.seed === '13');
  await idle();
  await page.waitForTimeout(1500);
  await shot('generate');

  // Style mixing: style_mixing.py's example seeds.
  await page.click('[data-tab="mix"]');
  await page.waitForFunction(() => Number(document.getElementById('mix-grid').dataset.done ?? 0) > 0);
  await idle();
  await shot('style-mixing');

  // Drag: two point pairs on an emoji, a flexible area brushed around them, a few steps.
  await page.click('[data-tab="drag"]');
  await page.fill('#drag-seed', '13');
  await page.dispatchEvent('#drag-seed', 'change');
  await page.waitForFunction(() => JSON.parse(document.getElementById('page-drag').dataset.state || '{}').open);
  await idle();
  // A 32x32 network moves little at the official step size 0.001: the screenshot uses 0.01.
  await page.fill('#drag-lr', '0.01');
  await page.dispatchEvent('#drag-lr', 'change');
  await idle();
  const R = 32;
  for (const p of [[12, 10], [7, 10], [22, 18], [26, 21]]) await page.mouse.click(...(await at(p, R)));
  await idle();
  await page.click('#page-drag .seg button[data-value="flexible"]');
  await setRange('#drag-brush', 6);
  const c = await at([10, 10], R);
  await page.mouse.move(c[0], c[1]);
  await page.mouse.down();
  await page.mouse.move(...(await at([24, 20], R)), { steps: 8 });
  await page.mouse.up();
  await idle();
  await page.click('#page-drag .seg button[data-value="points"]');
  await page.click('#drag-start');
  await page.waitForFunction(() => {
    const s = JSON.parse(document.getElementById('page-drag').dataset.state || '{}');
    return !s.running || s.steps >= 60;
  });
  if ((await dragState()).running) await page.click('#drag-start');
  await page.waitForFunction(() => !JSON.parse(document.getElementById('page-drag').dataset.state || '{}').running);
  await idle();
  console.log(`web-screenshots: drag ran ${(await dragState()).steps} steps`);
  await shot('drag');

  // Translate: the fixture's input through the (random-weight) U-GAT-IT fixture.
  await page.click('[data-tab="translate"]');
  await page.setInputFiles('#tr-file', join(fixtures, 'ugatit-light-tiny', 'input.png'));
  await page.waitForFunction(() => Number(document.getElementById('page-translate').dataset.done ?? 0) >= 1);
  await idle();
  await shot('translate');

  // Video: a 2x2 grid of interpolations as a GIF.
  await page.click('[data-tab="video"]');
  await page.fill('#vid-grid-w', '2');
  await page.fill('#vid-grid-h', '2');
  await page.fill('#vid-seeds', '0-7');
  await page.fill('#vid-frames', '12');
  await page.click('#vid-gif');
  await page.waitForSelector('#vid-gif-img');
  await idle();
  await shot('video');
} finally {
  await browser.close();
  await server.close();
}
