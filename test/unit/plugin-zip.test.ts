import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { buildPluginZip, pluginFiles, pluginVersion } from '../../scripts/plugin-zip';

/** Reads a ZIP's central directory and inflates every entry (an independent reader of what plugin-zip wrote). */
function readZip(buffer: Buffer): Map<string, Buffer> {
  const end = buffer.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  expect(end).toBeGreaterThan(0);
  const count = buffer.readUInt16LE(end + 10);
  let at = buffer.readUInt32LE(end + 16);
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i += 1) {
    expect(buffer.readUInt32LE(at)).toBe(0x02014b50);
    const method = buffer.readUInt16LE(at + 10);
    const crc = buffer.readUInt32LE(at + 16);
    const compressed = buffer.readUInt32LE(at + 20);
    const nameLength = buffer.readUInt16LE(at + 28);
    const extra = buffer.readUInt16LE(at + 30);
    const comment = buffer.readUInt16LE(at + 32);
    const local = buffer.readUInt32LE(at + 42);
    const name = buffer.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    expect(buffer.readUInt32LE(local)).toBe(0x04034b50);
    const dataAt = local + 30 + buffer.readUInt16LE(local + 26) + buffer.readUInt16LE(local + 28);
    const raw = buffer.subarray(dataAt, dataAt + compressed);
    const data = method === 8 ? zlib.inflateRawSync(raw) : raw;
    expect(zlib.crc32(data)).toBe(crc);
    files.set(name, data);
    at += 46 + nameLength + extra + comment;
  }
  return files;
}

describe('npm run plugin:zip', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payrelay-zip-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('builds dist/payrelay-<version>.zip with one top folder and only what a shop installs', () => {
    const target = buildPluginZip(dir);
    expect(path.basename(target)).toBe(`payrelay-${pluginVersion()}.zip`);
    const files = readZip(fs.readFileSync(target));
    const names = [...files.keys()];
    expect(names.every((name) => name.startsWith('payrelay/'))).toBe(true);
    for (const needed of ['payrelay/payrelay.php', 'payrelay/readme.txt', 'payrelay/languages/payrelay.pot', 'payrelay/uninstall.php', 'payrelay/src/class-gateway.php', 'payrelay/assets/js/return-page.js']) {
      expect(names).toContain(needed);
    }
    expect(names.filter((name) => /\/tests\/|\.dist$|\/\.[^/]+$/.test(name))).toEqual([]);
    expect(names.length).toBe(pluginFiles().length);
    // Byte for byte what is in the repository.
    expect(files.get('payrelay/src/class-gateway.php')!.equals(fs.readFileSync(path.resolve(__dirname, '../../wp-plugin/src/class-gateway.php')))).toBe(true);
  });

  it('has no fixed paths outside the repository and its output folder', () => {
    const script = fs.readFileSync(path.resolve(__dirname, '../../scripts/plugin-zip.ts'), 'utf8');
    expect(script).not.toMatch(/['"`]\/tmp/);
  });
});
