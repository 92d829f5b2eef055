import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openDataset } from '../../src/data/dataset.js';
import { tempDir } from '../cli/helpers.js';
import { png, shapeImage, writeZip } from './helpers.js';

const openFds = (): number => readdirSync('/proc/self/fd').length;

describe('openDataset leaks', () => {
  const t = tempDir('stylelab-dleak-');
  after(t.remove);

  it('many open / read / close cycles leave no file handle and no memory behind (failed opens included)', async () => {
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i < 16; i++) files[`img${i}.png`] = await png(shapeImage(i, 32), 32, 32, 3);
    const zip = join(t.dir, 'd.zip');
    writeZip(zip, files);
    const bad = join(t.dir, 'bad.zip');
    writeZip(bad, { ...files, 'dataset.json': '{"labels": [["nope.png", 0]]}' });
    const cycle = async () => {
      const ds = await openDataset(zip);
      for (let i = 0; i < ds.size; i++) await ds.image(i);
      await ds.close();
      await assert.rejects(openDataset(bad, { useLabels: true }));
    };
    for (let k = 0; k < 5; k++) await cycle(); // warm-up
    global.gc?.();
    const fds = openFds();
    const rss = process.memoryUsage().rss;
    for (let k = 0; k < 60; k++) await cycle();
    global.gc?.();
    assert.equal(openFds(), fds, 'file handles');
    const grown = (process.memoryUsage().rss - rss) / 2 ** 20;
    assert.ok(grown < 40, `RSS grew by ${grown.toFixed(1)} MiB over 60 cycles`);
  });
});
