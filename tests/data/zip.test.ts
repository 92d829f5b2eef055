import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { unzipSync } from 'fflate';
import { ZipReader } from '../../src/data/zip-reader.js';
import { ZipWriter } from '../../src/data/zip-writer.js';
import { tempDir } from '../cli/helpers.js';

/** Writes a zip of the given entries with ZipWriter. */
function write(path: string, entries: [string, Uint8Array][], o: { forceZip64?: boolean } = {}): void {
  const fd = openSync(path, 'w');
  try {
    const z = new ZipWriter(fd, o);
    for (const [name, data] of entries) z.add(name, data);
    z.finish();
  } finally {
    closeSync(fd);
  }
}

describe('zip writer and reader', () => {
  const t = tempDir('stylelab-zip-');
  after(t.remove);
  const entries: [string, Uint8Array][] = [
    ['00000/img00000000.png', Uint8Array.from({ length: 300 }, (_, i) => i % 251)],
    ['dataset.json', new TextEncoder().encode('{"labels": null}')],
    ['ünïcode/名前.png', new Uint8Array(0)],
  ];

  it('round-trips, and another reader (fflate) reads the same entries (plain and zip64 end records)', async () => {
    for (const forceZip64 of [false, true]) {
      const path = join(t.dir, `a${forceZip64}.zip`);
      write(path, entries, { forceZip64 });
      const other = unzipSync(readFileSync(path));
      const z = await ZipReader.open(path);
      assert.deepEqual(z.names(), entries.map(([n]) => n));
      for (const [name, data] of entries) {
        assert.deepEqual(await z.read(name), data, name);
        if (!forceZip64) assert.deepEqual(other[name], data, `fflate ${name}`); // fflate reads no zip64 offsets
      }
      await z.close();
    }
  });

  it('holds more than 65535 entries (zip64 end records)', async () => {
    const path = join(t.dir, 'many.zip');
    const n = 70_000;
    write(path, Array.from({ length: n }, (_, i) => [`${String(i).padStart(8, '0')}.png`, Uint8Array.of(i & 255)]));
    const z = await ZipReader.open(path);
    assert.equal(z.names().length, n);
    assert.deepEqual(await z.read('00069999.png'), Uint8Array.of(69999 & 255));
    await z.close();
  });

  it('refuses what is not a zip, and a truncated one', async () => {
    const junk = join(t.dir, 'junk.zip');
    write(join(t.dir, 'ok.zip'), entries);
    const bytes = readFileSync(join(t.dir, 'ok.zip'));
    for (const [data, pattern] of [[new TextEncoder().encode('hello'), /not a zip file/], [bytes.subarray(40), /corrupt|truncated|not a zip/]] as const) {
      writeFileSync(junk, data);
      await assert.rejects(ZipReader.open(junk), pattern);
    }
  });
});
