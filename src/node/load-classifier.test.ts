// The Node classifier end to end on tiny real ONNX models: CAM and occlusion saliency, input errors, MODEL refusal.
import { encode } from 'fast-png';
import sharp from 'sharp';
import { readFileSync, writeFileSync, mkdtempSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { turbo } from '../core/colormap.js';
import { ImageInputError } from '../core/errors.js';
import { decodePngPixels, encodePng, rgbOf } from '../core/png.js';
import { encodePngSharp } from './sharp-png.js';
import { loadNodeClassifier } from './load-classifier.js';

const testdata = new URL('./testdata/', import.meta.url).pathname;
const scan = async (w = 200, h = 160): Promise<Uint8Array> =>
  new Uint8Array(
    await sharp({ create: { width: w, height: h, channels: 3, background: { r: 0, g: 0, b: 0 } } })
      .composite([{ input: Buffer.from(`<svg width="${w}" height="${h}"><circle cx="${w / 2}" cy="${h / 2}" r="${h / 3}" fill="#999"/></svg>`) }])
      .png()
      .toBuffer(),
  );

describe('Node classifier on tiny models', () => {
  it('classifies and renders a CAM overlay at the input size', async () => {
    const c = await loadNodeClassifier({ manifestPath: join(testdata, 'tiny-cam.manifest.json') });
    expect(c.saliencyMethod).toBe('cam');
    expect(c.backend).toBe('onnxruntime-node/cpu');
    const r = await c.classify(await scan(), { saliency: 'overlay', saliencyClass: 'pituitary' });
    const sum = Object.values(r.probabilities).reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 5);
    expect(r.saliency?.label).toBe('pituitary');
    const png = decodePngPixels(r.saliency!.png);
    expect([png.width, png.height]).toEqual([200, 160]);
    expect(Buffer.from(rgbOf(png.data, png.channels)).equals(Buffer.from(rgbOf(r.saliency!.rgba, 4)))).toBe(true);
    await c.release();
  });

  it('falls back to occlusion sensitivity for a model without cam, and marks it', async () => {
    const c = await loadNodeClassifier({ manifestPath: join(testdata, 'tiny-nocam.manifest.json') });
    expect(c.saliencyMethod).toBe('occlusion');
    const r = await c.classify(await scan(), { saliency: 'heatmap' });
    expect(r.saliency?.method).toBe('occlusion');
    expect(r.saliency?.png.length).toBeGreaterThan(100);
    // Occluding with black changes nothing on an all-black scan: the map is zero everywhere, i.e. Turbo's coldest colour.
    const black = new Uint8Array(await sharp({ create: { width: 96, height: 96, channels: 3, background: '#000' } }).png().toBuffer());
    const flat = await c.classify(black, { saliency: 'heatmap' });
    const cold = turbo(0);
    const rgba = flat.saliency!.rgba;
    for (let i = 0; i < rgba.length; i += 4) if (rgba[i] !== cold[0] || rgba[i + 1] !== cold[1] || rgba[i + 2] !== cold[2]) throw new Error(`pixel ${i / 4} is not cold`);
    await c.release();
  });

  it('maps bad bytes to input errors', async () => {
    const c = await loadNodeClassifier({ manifestPath: join(testdata, 'tiny-cam.manifest.json') });
    const codes = async (bytes: Uint8Array) => ((await c.classify(bytes).catch((e) => e)) as ImageInputError).code;
    expect(await codes(new Uint8Array(0))).toBe('empty_body');
    expect(await codes(new TextEncoder().encode('hello, I am text'))).toBe('not_an_image');
    const jpeg = new Uint8Array(await sharp(await scan()).jpeg().toBuffer());
    expect(await codes(jpeg.subarray(0, jpeg.length / 2))).toBe('corrupt_image');
    expect(await codes(new Uint8Array(await sharp(await scan(8, 8)).png().toBuffer()))).toBe('image_too_small');
    await c.release();
  });

  it('refuses a manifest that does not match its .onnx, naming the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'brain-mri-'));
    copyFileSync(join(testdata, 'tiny-cam.onnx'), join(dir, 'tiny-cam.onnx'));
    const m = JSON.parse(readFileSync(join(testdata, 'tiny-cam.manifest.json'), 'utf8'));
    m.outputs.cam = 'heat';
    writeFileSync(join(dir, 'm.json'), JSON.stringify(m));
    await expect(loadNodeClassifier({ manifestPath: join(dir, 'm.json') })).rejects.toThrow(/manifest field "outputs.cam": "heat" is not an output/);
  });

  it('keeps 16-bit PNG depth through decoding', async () => {
    const c = await loadNodeClassifier({ manifestPath: join(testdata, 'tiny-cam.manifest.json') });
    const raw = new Uint16Array(64 * 64).map((_, i) => (i * 17) % 65536);
    const png16 = encode({ width: 64, height: 64, data: raw, channels: 1, depth: 16 });
    const r16 = await c.classify(new Uint8Array(png16));
    expect(r16.image).toEqual({ width: 64, height: 64 });
    await c.release();
  });
});

describe('sharp decoder', () => {
  it('returns 16-bit grey samples untouched', async () => {
    const { createSharpDecoder } = await import('./sharp-decoder.js');
    const raw = new Uint16Array(40 * 40).map((_, i) => (i * 41) % 65536);
    const png16 = encode({ width: 40, height: 40, data: raw, channels: 1, depth: 16 });
    const img = await createSharpDecoder().decode(new Uint8Array(png16), { maxPixels: 1e6 });
    expect(img.bitDepth).toBe(16);
    expect(img.channels).toBe(1);
    expect(img.data).toBeInstanceOf(Uint16Array);
    expect([...img.data.subarray(0, 50)]).toEqual([...raw.subarray(0, 50)]);
  });

  it('applies EXIF orientation (6 = rotate 90 degrees clockwise)', async () => {
    const { createSharpDecoder } = await import('./sharp-decoder.js');
    const jpeg = await sharp({ create: { width: 40, height: 60, channels: 3, background: '#888' } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const img = await createSharpDecoder().decode(new Uint8Array(jpeg), { maxPixels: 1e6 });
    expect([img.width, img.height]).toEqual([60, 40]);
    const grey = await sharp(Buffer.alloc(48 * 48, 77), { raw: { width: 48, height: 48, channels: 1 } }).toColourspace('b-w').jpeg().toBuffer();
    const g = await createSharpDecoder().decode(new Uint8Array(grey), { maxPixels: 1e6 });
    expect(g.channels).toBe(1);
    expect(Math.abs(g.data[100] - 77)).toBeLessThanOrEqual(1);
  });

  it('decodes WebP, TIFF and the first frame of a GIF', async () => {
    const { createSharpDecoder } = await import('./sharp-decoder.js');
    const base = sharp({ create: { width: 48, height: 40, channels: 3, background: '#406080' } });
    for (const bytes of [await base.clone().webp().toBuffer(), await base.clone().tiff().toBuffer(), await base.clone().gif().toBuffer()]) {
      const img = await createSharpDecoder().decode(new Uint8Array(bytes), { maxPixels: 1e6 });
      expect([img.width, img.height]).toEqual([48, 40]);
    }
  });

  it('refuses a header that claims more pixels than the limit, before decoding', async () => {
    const { createSharpDecoder } = await import('./sharp-decoder.js');
    const png = await sharp({ create: { width: 300, height: 300, channels: 3, background: '#000' } }).png().toBuffer();
    const err = await createSharpDecoder().decode(new Uint8Array(png), { maxPixels: 1000 }).catch((e) => e);
    expect(err).toBeInstanceOf(ImageInputError);
    expect(err.code).toBe('too_many_pixels');
  });
});

describe('sharp PNG encoder', () => {
  it('gives exactly the pixels of the core pure-JS encoder', async () => {
    const rgba = new Uint8ClampedArray(300 * 200 * 4).map((_, i) => (i % 4 === 3 ? 255 : (i * 2654435761) >>> 24));
    const viaSharp = decodePngPixels(await encodePngSharp(rgba, 300, 200));
    const viaCore = decodePngPixels(encodePng(rgba, 300, 200));
    expect([viaSharp.width, viaSharp.height]).toEqual([300, 200]);
    expect(Buffer.from(rgbOf(viaSharp.data, viaSharp.channels)).equals(Buffer.from(rgbOf(viaCore.data, viaCore.channels)))).toBe(true);
    expect(Buffer.from(rgbOf(viaCore.data, viaCore.channels)).equals(Buffer.from(rgbOf(rgba, 4)))).toBe(true);
  });
});
