// One decoder, the same pixels everywhere: the core's decoders (what Node, the Worker and the kiosk all run) against PIL
// (what trains the model) on every fixture and on real JPEGs and PNGs the project did not make. Stated tolerance: none.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeInputDecoder } from '../src/node/load-service.js';
import { fixtureBytes, loadFixtures } from './http-suite.js';

import { missingOutsideImages, OUTSIDE_IMAGES as OUTSIDE } from './support/outside-images.js';

const FIXTURES = new URL('./fixtures/', import.meta.url).pathname;
// fixtures.json names files relative to test/fixtures ("images/glioma-1.jpg"), as fixtureBytes() reads them.
const files = [...loadFixtures().map((f) => join(FIXTURES, f.file.includes('/') ? f.file : `images/${f.file}`)), ...OUTSIDE];

// PIL writes each file's samples as decoded: L, RGB or RGBA bytes, or 16-bit little-endian for I;16 greyscale PNG.
const PIL = `
import sys, numpy as np
from PIL import Image
out = sys.argv[1]
for i, path in enumerate(sys.argv[2:]):
    im = Image.open(path)
    if im.mode in ('I;16', 'I;16B', 'I'):
        a = np.asarray(im).astype('<u2')
    else:
        if im.mode == 'P':
            im = im.convert('RGBA' if 'transparency' in im.info else 'RGB')
        elif im.mode not in ('L', 'LA', 'RGB', 'RGBA'):
            im = im.convert('RGB')
        a = np.asarray(im)
    a.tofile(f'{out}/{i}.raw')
    print(im.size[0], im.size[1], 1 if a.ndim == 2 else a.shape[2], a.dtype.itemsize * 8)
`;

describe('the core decoders give exactly the pixels PIL gives', () => {
  it('has every file it compares (the outside images come with npm run setup:test\'s packages)', () => {
    expect(missingOutsideImages()).toEqual([]);
    expect(files.filter((f) => !existsSync(f))).toEqual([]);
    expect(files.length).toBeGreaterThanOrEqual(14);
  });

  const dir = mkdtempSync(join(tmpdir(), 'pil-'));
  const shapes = execFileSync('/usr/bin/python3', ['-c', PIL, dir, ...files.filter((f) => existsSync(f))], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.split(' ').map(Number));
  const decoder = nodeInputDecoder();

  it.each(files.filter((f) => existsSync(f)).map((file, i) => ({ file: file.split('/').pop()!, path: file, i })))('$file', async ({ path, i }) => {
    const { image } = await decoder.decode(fixtureBytes(path), { maxPixels: 40e6 });
    const [width, height, channels, bits] = shapes[i];
    expect([image.width, image.height, image.channels, image.bitDepth ?? 8]).toEqual([width, height, channels, bits]);
    const raw = readFileSync(join(dir, `${i}.raw`));
    const ref = bits === 16 ? new Uint16Array(raw.buffer, raw.byteOffset, raw.length / 2) : new Uint8Array(raw);
    expect(image.data.length).toBe(ref.length);
    let differ = 0;
    for (let k = 0; k < ref.length; k++) if (image.data[k] !== ref[k]) differ++;
    expect(differ, 'samples that differ from PIL').toBe(0);
  });
});

describe('large JPEGs decode at reduced size exactly as PIL\'s draft does (what training uses)', () => {
  it.each([
    { scale: 3, reduceTo: 384 },
    { scale: 7, reduceTo: 384 },
    { scale: 1, reduceTo: 384 },
  ])('a photo upscaled x$scale, reduced for $reduceTo px', async ({ scale, reduceTo }) => {
    const sharp = (await import('sharp')).default;
    const dir = mkdtempSync(join(tmpdir(), 'draft-'));
    const path = join(dir, 'big.jpg');
    const photo = OUTSIDE[0];
    const meta = await sharp(photo).metadata();
    writeFileSync(path, await sharp(photo).resize(meta.width! * scale, meta.height! * scale).jpeg({ quality: 90 }).toBuffer());
    const script = `
import sys, numpy as np
from PIL import Image
im = Image.open(sys.argv[1]); im.draft(im.mode, (${reduceTo}, ${reduceTo})); a = np.asarray(im)
a.tofile(sys.argv[2]); print(im.size[0], im.size[1])`;
    const [w, h] = execFileSync('/usr/bin/python3', ['-c', script, path, join(dir, 'pil.raw')], { encoding: 'utf8' }).trim().split(' ').map(Number);
    const { image, source } = await nodeInputDecoder().decode(new Uint8Array(readFileSync(path)), { maxPixels: 40e6, reduceTo });
    expect([image.width, image.height]).toEqual([w, h]);
    const factor = Math.round((meta.width! * scale) / w);
    expect(source.reduced?.factor ?? 1).toBe(factor);
    const ref = readFileSync(join(dir, 'pil.raw'));
    let differ = 0;
    for (let k = 0; k < ref.length; k++) if (image.data[k] !== ref[k]) differ++;
    expect(differ).toBe(0);
  });
});
