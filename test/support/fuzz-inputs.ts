// Deterministic hostile inputs for the fuzz suite: generated from a seed in the test, never stored.
import { zlibSync } from 'fflate';
import { concatBytes } from '../../src/core/bytes.js';
import { pngContainer } from '../../src/core/png.js';
import { fixtureBytes, loadFixtures } from '../http-suite.js';

export interface FuzzCase {
  category: string;
  /** Short description for failure messages. */
  name: string;
  path: string;
  init: RequestInit;
}

/** mulberry32: small, fast, and the same sequence on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const raw = (bytes: Uint8Array, type = 'application/octet-stream'): RequestInit => ({ method: 'POST', body: bytes as Uint8Array<ArrayBuffer>, headers: { 'content-type': type } });
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** Rewrites every chunk's CRC so only deeper checks (zlib's Adler-32, the pixel data) can catch a flipped bit. */
function repairPngCrcs(png: Uint8Array): Uint8Array {
  const out = png.slice();
  const view = new DataView(out.buffer);
  for (let at = 8; at + 12 <= out.length; ) {
    const length = view.getUint32(at);
    if (at + 12 + length > out.length) break;
    view.setUint32(at + 8 + length, crc32(out.subarray(at + 4, at + 8 + length)));
    at += 12 + length;
  }
  return out;
}

function setPngSize(png: Uint8Array, width: number, height: number, repair: boolean): Uint8Array {
  const out = png.slice();
  const view = new DataView(out.buffer);
  view.setUint32(16, width >>> 0);
  view.setUint32(20, height >>> 0);
  return repair ? repairPngCrcs(out) : out;
}

function setJpegSize(jpeg: Uint8Array, width: number, height: number): Uint8Array {
  const out = jpeg.slice();
  for (let i = 2; i + 9 < out.length; i++) {
    if (out[i] === 0xff && (out[i + 1] === 0xc0 || out[i + 1] === 0xc2)) {
      out[i + 5] = (height >> 8) & 255;
      out[i + 6] = height & 255;
      out[i + 7] = (width >> 8) & 255;
      out[i + 8] = width & 255;
      return out;
    }
  }
  return out;
}

function multipart(parts: { name: string; filename?: string; type?: string; body: Uint8Array }[], boundary: string): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (const p of parts) {
    chunks.push(ascii(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ''}\r\n`));
    chunks.push(p.body, ascii('\r\n'));
  }
  chunks.push(ascii(`--${boundary}--\r\n`));
  return concatBytes(chunks);
}

/** `perCategory` cases in each of the categories below, from `seed`. */
export function fuzzCases(seed: number, perCategory: number): FuzzCase[] {
  const rand = prng(seed);
  const int = (n: number): number => Math.floor(rand() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const fixtures = loadFixtures();
  const jpegs = fixtures.filter((f) => f.file.endsWith('.jpg')).map((f) => fixtureBytes(f.file));
  const pngs = fixtures.filter((f) => f.file.endsWith('.png')).map((f) => fixtureBytes(f.file));
  const images = [...jpegs, ...pngs];
  const cases: FuzzCase[] = [];
  const add = (category: string, name: string, init: RequestInit, path = '/v1/classify'): void => {
    cases.push({ category, name, path, init });
  };

  for (let i = 0; i < perCategory; i++) {
    const img = pick(images);
    const cut = 1 + int(img.length - 1);
    add('truncation', `${img[0] === 0xff ? 'JPEG' : 'PNG'} cut at ${cut} of ${img.length}`, raw(img.subarray(0, cut)));
  }
  for (let i = 0; i < perCategory; i++) {
    const img = pick(images).slice();
    const flips = 1 + int(8);
    for (let k = 0; k < flips; k++) img[int(img.length)] ^= 1 << int(8);
    const isPng = img[0] === 0x89 || img[1] === 0x50;
    const repaired = isPng && rand() < 0.5;
    add('bit flip', `${flips} flipped bit(s)${repaired ? ', CRCs repaired' : ''}`, raw(repaired ? repairPngCrcs(img) : img));
  }
  const sizes = [0, 1, 31, 32, 65535, 0x7fffffff, 0x80000000, 0xffffffff, 6000, 20000];
  for (let i = 0; i < perCategory; i++) {
    if (rand() < 0.5) {
      const [w, h] = [pick(sizes), pick(sizes)].map((v) => Math.min(v, 65535));
      add('forged size', `JPEG SOF ${w}x${h}`, raw(setJpegSize(pick(jpegs), w, h)));
    } else {
      const [w, h] = [pick(sizes), pick(sizes)];
      const repair = rand() < 0.7;
      add('forged size', `PNG IHDR ${w}x${h}${repair ? ' (CRC repaired)' : ''}`, raw(setPngSize(pick(pngs), w, h, repair)));
    }
  }
  for (let i = 0; i < perCategory; i++) {
    const kind = int(4);
    if (kind === 0) {
      // Small file, huge header: all-black 16-bit RGBA, the amplification the issue measured.
      const side = pick([2000, 4000, 6000, 8000]);
      const row = new Uint8Array(1 + side * 8);
      const rows = Math.min(side, 64);
      const idat = zlibSync(new Uint8Array(row.length * rows), { level: 9 });
      add('bomb', `16-bit RGBA PNG claiming ${side}x${side}`, raw(pngContainer(side, side, 16, 6, idat)));
    } else if (kind === 1) {
      // Header small, data inflating far past it.
      const claimed = 16 + int(64);
      const data = zlibSync(new Uint8Array(claimed * 64 * (1 + int(200))), { level: 9 });
      add('bomb', `PNG ${claimed}x${claimed} whose data inflates ${data.length}B to much more`, raw(pngContainer(claimed, claimed, 8, 0, data)));
    } else if (kind === 2) {
      const side = 1000 + int(7000);
      add('bomb', `8-bit grey PNG ${side}x${side} of zeros`, raw(pngContainer(side, side, 8, 0, zlibSync(new Uint8Array((side + 1) * Math.min(side, 8)), { level: 9 }))));
    } else {
      add('bomb', 'deflate stream of garbage in a valid PNG', raw(pngContainer(64, 64, 8, 0, Uint8Array.from({ length: 200 + int(2000) }, () => int(256)))));
    }
  }
  const bodyTypes = ['text/plain', 'application/json', 'image/svg+xml', 'video/mp4', 'multipart/mixed', 'application/x-www-form-urlencoded', '', 'image/jpeg; charset=utf-8', 'IMAGE/PNG', 'image/'];
  for (let i = 0; i < perCategory; i++) {
    const kind = int(7);
    const img = pick(images);
    const boundary = `b${int(1e9)}`;
    if (kind === 0) add('content type and multipart', 'raw body with an odd content type', raw(img, pick(bodyTypes)));
    else if (kind === 1) add('content type and multipart', 'multipart without a boundary', raw(multipart([{ name: 'file', filename: 'a.jpg', body: img }], boundary), 'multipart/form-data'));
    else if (kind === 2) add('content type and multipart', 'multipart with a wrong boundary', raw(multipart([{ name: 'file', filename: 'a.jpg', body: img }], boundary), `multipart/form-data; boundary=x${boundary}`));
    else if (kind === 3) add('content type and multipart', 'multipart with the file as a text field', raw(multipart([{ name: 'file', body: ascii('not a file') }], boundary), `multipart/form-data; boundary=${boundary}`));
    else if (kind === 4) add('content type and multipart', 'multipart with another field name', raw(multipart([{ name: pick(['image', 'upload', 'files[]', '']), filename: 'a.jpg', body: img }], boundary), `multipart/form-data; boundary=${boundary}`));
    else if (kind === 5) add('content type and multipart', 'multipart with an empty file', raw(multipart([{ name: 'file', filename: 'a.jpg', type: 'image/jpeg', body: new Uint8Array(0) }], boundary), `multipart/form-data; boundary=${boundary}`));
    else add('content type and multipart', 'multipart cut short', raw(multipart([{ name: 'file', filename: 'a.jpg', body: img }], boundary).subarray(0, 40 + int(img.length)), `multipart/form-data; boundary=${boundary}`));
  }
  const values = ['', 'overlay', 'heatmap', 'OVERLAY', 'xray', 'all', 'glioma', 'glioma,normal', 'glioma,,normal', ',', 'astrocytoma', '%00', 'a'.repeat(2000), 'ümlaut', '1e309', '-1'];
  for (let i = 0; i < perCategory; i++) {
    const route = pick(['/v1/classify', '/v1/saliency']);
    const params = [`${pick(['saliency', 'view', 'class', 'frame', 'slice', 'plane', 'x'])}=${encodeURIComponent(pick(values))}`, `${pick(['class', 'view', 'saliency'])}=${encodeURIComponent(pick(values))}`];
    add('query values', `${route}?${params.join('&').slice(0, 60)}`, raw(pick(jpegs), 'image/jpeg'), `${route}?${params.join('&')}`);
  }
  const paths = ['/%zz', '/%', '/v1/%zz', '/v1/classify%00', '/%2e%2e/%2e%2e/etc/passwd', '/v1/../v1/model', '/docs/%E0%A4%A', '/v1/classify/', '//v1/model', '/v1/model?%zz=1', '/.env', '/v1/studies/..%2f/classify'];
  for (let i = 0; i < perCategory; i++) {
    const path = pick(paths);
    add('URL', `${path} (${i % 2 ? 'GET' : 'POST'})`, i % 2 ? { method: 'GET' } : raw(pick(jpegs), 'image/jpeg'), path);
  }
  const magics: [string, Uint8Array][] = [
    ['JPEG', Uint8Array.of(0xff, 0xd8, 0xff, 0xe0)],
    ['PNG', Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)],
    ['DICOM', Uint8Array.from([...new Uint8Array(128), ...ascii('DICM')])],
    ['gzip', Uint8Array.of(0x1f, 0x8b, 8, 0)],
    ['nothing', new Uint8Array(0)],
  ];
  for (let i = 0; i < perCategory; i++) {
    const [name, magic] = pick(magics);
    const tail = Uint8Array.from({ length: int(3000) }, () => int(256));
    const body = new Uint8Array(magic.length + tail.length);
    body.set(magic);
    body.set(tail, magic.length);
    add('random bytes', `${name} signature + ${tail.length} random bytes`, raw(body));
  }
  return cases;
}
