// The Node service end to end on tiny real ONNX models: CAM and occlusion saliency, input errors, MODEL refusal, sharp's formats.
import { encode } from 'fast-png';
import sharp from 'sharp';
import { readFileSync, writeFileSync, mkdtempSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { turbo } from '../core/colormap.js';
import { ImageInputError } from '../core/errors.js';
import { decodePngPixels, encodePng, rgbOf } from '../core/png.js';
import { analyse } from '../core/service.js';
import { encodePngSharp } from './sharp-png.js';
import { loadNodeService, nodeInputDecoder } from './load-service.js';

const testdata = new URL('./testdata/', import.meta.url).pathname;
const LIMITS = { maxPixels: 40e6 };
const scan = async (w = 200, h = 160): Promise<Uint8Array> =>
  new Uint8Array(
    await sharp({ create: { width: w, height: h, channels: 3, background: { r: 0, g: 0, b: 0 } } })
      .composite([{ input: Buffer.from(`<svg width="${w}" height="${h}"><circle cx="${w / 2}" cy="${h / 2}" r="${h / 3}" fill="#999"/></svg>`) }])
      .png()
      .toBuffer(),
  );

describe('Node service on tiny models', () => {
  it('infers once and renders any class as a CAM overlay at the input size', async () => {
    const service = await loadNodeService({ manifestPath: join(testdata, 'tiny-cam.manifest.json'), gate: false });
    const { classifier } = service;
    expect(classifier.saliencyMethod).toBe('cam');
    expect(classifier.backend).toBe('onnxruntime-node/cpu');
    const { input, inference } = await analyse(service, await scan(), LIMITS);
    const sum = Object.values(inference.probabilities).reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 5);
    expect(inference.maps?.labels).toEqual(classifier.manifest.labels);
    const e = await classifier.explain(inference, input.image, { view: 'overlay', label: 'pituitary' });
    expect(e.label).toBe('pituitary');
    expect([e.rgba.width, e.rgba.height]).toEqual([200, 160]);
    const png = decodePngPixels(await encodePngSharp(e.rgba));
    expect(Buffer.from(rgbOf(png.data, png.channels)).equals(Buffer.from(rgbOf(e.rgba.data, 4)))).toBe(true);
    // Another class from the same inference: different map, no second model run needed.
    const other = await classifier.explain(inference, input.image, { view: 'heatmap', label: 'glioma' });
    expect(Buffer.from(other.rgba.data).equals(Buffer.from(e.rgba.data))).toBe(false);
    await service.release();
  });

  it('falls back to occlusion sensitivity for a model without cam, and marks it', async () => {
    const service = await loadNodeService({ manifestPath: join(testdata, 'tiny-nocam.manifest.json'), gate: false });
    const { classifier } = service;
    expect(classifier.saliencyMethod).toBe('occlusion');
    const { input, inference } = await analyse(service, await scan(), LIMITS);
    expect(inference.maps).toBeUndefined();
    const e = await classifier.explain(inference, input.image, { view: 'heatmap' });
    expect(e.method).toBe('occlusion');
    // Occluding with black changes nothing on an all-black scan: the map is zero everywhere, i.e. Turbo's coldest colour.
    const black = new Uint8Array(await sharp({ create: { width: 96, height: 96, channels: 3, background: '#000' } }).png().toBuffer());
    const flat = await analyse(service, black, LIMITS);
    const rgba = (await classifier.explain(flat.inference, flat.input.image, { view: 'heatmap' })).rgba.data;
    const cold = turbo(0);
    for (let i = 0; i < rgba.length; i += 4) if (rgba[i] !== cold[0] || rgba[i + 1] !== cold[1] || rgba[i + 2] !== cold[2]) throw new Error(`pixel ${i / 4} is not cold`);
    await service.release();
  });

  it('maps bad bytes to input errors', async () => {
    const service = await loadNodeService({ manifestPath: join(testdata, 'tiny-cam.manifest.json'), gate: false });
    const codes = async (bytes: Uint8Array) => ((await analyse(service, bytes, LIMITS).catch((e: unknown) => e)) as ImageInputError).code;
    expect(await codes(new Uint8Array(0))).toBe('empty_body');
    expect(await codes(new TextEncoder().encode('hello, I am text'))).toBe('not_an_image');
    const jpeg = new Uint8Array(await sharp(await scan()).jpeg().toBuffer());
    expect(await codes(jpeg.subarray(0, jpeg.length / 2))).toBe('corrupt_image');
    expect(await codes(new Uint8Array(await sharp(await scan(8, 8)).png().toBuffer()))).toBe('image_too_small');
    await service.release();
  });

  it('refuses a manifest that does not match its .onnx, naming the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'brain-mri-'));
    copyFileSync(join(testdata, 'tiny-cam.onnx'), join(dir, 'tiny-cam.onnx'));
    const m = JSON.parse(readFileSync(join(testdata, 'tiny-cam.manifest.json'), 'utf8'));
    m.outputs.cam = 'heat';
    writeFileSync(join(dir, 'm.json'), JSON.stringify(m));
    await expect(loadNodeService({ manifestPath: join(dir, 'm.json') })).rejects.toThrow(/manifest field "outputs.cam": "heat" is not an output/);
  });

  it('keeps 16-bit PNG depth through decoding', async () => {
    const service = await loadNodeService({ manifestPath: join(testdata, 'tiny-cam.manifest.json'), gate: false });
    const raw = new Uint16Array(64 * 64).map((_, i) => (i * 17) % 65536);
    const { input, inference } = await analyse(service, new Uint8Array(encode({ width: 64, height: 64, data: raw, channels: 1, depth: 16 })), LIMITS);
    expect(input.image.bitDepth).toBe(16);
    expect(inference.image).toEqual({ width: 64, height: 64 });
    await service.release();
  });
});

describe("Node's extra formats (sharp)", () => {
  const decoder = nodeInputDecoder();

  it('lists the core formats first, then sharp\'s', () => {
    expect(decoder.formats).toEqual(['jpeg', 'png', 'dicom', 'nifti', 'webp', 'tiff', 'gif']);
  });

  it('decodes WebP, TIFF and the first frame of a GIF', async () => {
    const base = sharp({ create: { width: 48, height: 40, channels: 3, background: '#406080' } });
    for (const [bytes, format] of [
      [await base.clone().webp().toBuffer(), 'webp'],
      [await base.clone().tiff().toBuffer(), 'tiff'],
      [await base.clone().gif().toBuffer(), 'gif'],
    ] as const) {
      const { image, source } = await decoder.decode(new Uint8Array(bytes), LIMITS);
      expect([image.width, image.height, source.format]).toEqual([48, 40, format]);
    }
  });

  it('refuses a header that claims more pixels than the limit, before decoding', async () => {
    const webp = await sharp({ create: { width: 300, height: 300, channels: 3, background: '#000' } }).webp().toBuffer();
    const err = await decoder.decode(new Uint8Array(webp), { maxPixels: 1000 }).catch((e) => e);
    expect(err).toBeInstanceOf(ImageInputError);
    expect(err.code).toBe('too_many_pixels');
  });
});

describe('sharp PNG encoder', () => {
  it('gives exactly the pixels of the core pure-JS encoder', async () => {
    const rgba = new Uint8ClampedArray(300 * 200 * 4).map((_, i) => (i % 4 === 3 ? 255 : (i * 2654435761) >>> 24));
    const viaSharp = decodePngPixels(await encodePngSharp({ data: rgba, width: 300, height: 200 }));
    const viaCore = decodePngPixels(encodePng(rgba, 300, 200));
    expect([viaSharp.width, viaSharp.height]).toEqual([300, 200]);
    expect(Buffer.from(rgbOf(viaSharp.data, viaSharp.channels)).equals(Buffer.from(rgbOf(viaCore.data, viaCore.channels)))).toBe(true);
    expect(Buffer.from(rgbOf(viaCore.data, viaCore.channels)).equals(Buffer.from(rgbOf(rgba, 4)))).toBe(true);
  });
});
