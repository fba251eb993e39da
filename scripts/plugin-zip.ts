/**
 * `npm run plugin:zip`: the installable plugin, dist/payrelay-<version>.zip, with the one top folder `payrelay/`
 * WordPress's uploader wants. Tests, dev config and dotfiles stay out. The .pot is checked to be current first.
 * Written with Node's own zlib (deflate + crc32): a ZIP of a few dozen files needs no archiver dependency.
 *
 *   npm run plugin:zip                       # → dist/payrelay-0.1.0.zip
 *   npm run plugin:zip -- --out some/dir     # another folder (tests use a temp dir)
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const ROOT = path.resolve(__dirname, '..');
const PLUGIN = path.join(ROOT, 'wp-plugin');
/** Not part of what a shop installs. */
const EXCLUDED = [/^tests\//, /\.dist$/, /(^|\/)\./, /^composer\.(json|lock)$/];

export function pluginFiles(dir = PLUGIN): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (EXCLUDED.some((rule) => rule.test(child))) continue;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) out.push(child);
    }
  };
  walk('');
  return out.sort();
}

export function pluginVersion(dir = PLUGIN): string {
  const header = fs.readFileSync(path.join(dir, 'payrelay.php'), 'utf8');
  const match = /^\s*\*\s*Version:\s*(\S+)/m.exec(header);
  if (!match) throw new Error('payrelay.php has no Version header');
  return match[1];
}

/** A ZIP (PKWARE APPNOTE 6.3: local headers, deflated data, central directory, end record), DOS time fixed. */
export function zip(entries: Array<{ name: string; data: Buffer }>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  const dosTime = 0;
  const dosDate = ((2026 - 1980) << 9) | (1 << 5) | 1;
  for (const { name, data } of entries) {
    const nameBytes = Buffer.from(name, 'utf8');
    const deflated = zlib.deflateRawSync(data, { level: 9 });
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(dosTime, 10);
    local.writeUInt16LE(dosDate, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(deflated.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, nameBytes, deflated);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x031e, 4); // made by: Unix, 3.0
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(dosTime, 12);
    central.writeUInt16LE(dosDate, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(deflated.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // -rw-r--r--
    central.writeUInt32LE(offset, 42);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + deflated.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

export function buildPluginZip(outDir: string): string {
  execFileSync('php', [path.join(ROOT, 'scripts', 'make-pot.php'), '--check'], { stdio: 'inherit' });
  const version = pluginVersion();
  const entries = pluginFiles().map((rel) => ({ name: `payrelay/${rel}`, data: fs.readFileSync(path.join(PLUGIN, rel)) }));
  fs.mkdirSync(outDir, { recursive: true });
  const target = path.join(outDir, `payrelay-${version}.zip`);
  fs.writeFileSync(target, zip(entries));
  return target;
}

if (require.main === module) {
  const at = process.argv.indexOf('--out');
  const outDir = at > 0 && process.argv[at + 1] ? path.resolve(process.argv[at + 1]) : path.join(ROOT, 'dist');
  const target = buildPluginZip(outDir);
  console.log(`plugin:zip: ${path.relative(process.cwd(), target)} (${pluginFiles().length} files, ${fs.statSync(target).size} bytes)`);
}
