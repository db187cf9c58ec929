// Unit tests of the core decoders: formats, depths, channel counts, strictness, error codes, limits before allocation.
import sharp from 'sharp';
import { encode as encodePng } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { DecodeLimits } from '../decoder.js';
import { ImageInputError } from '../errors.js';
import type { RawImage } from '../image.js';
import { coreDecoders, createInputDecoder } from './index.js';

const require = createRequire(import.meta.url);
const compile = (specifier: string) => () => WebAssembly.compile(readFileSync(require.resolve(specifier)));
const decoder = createInputDecoder(
  coreDecoders({ jpeg: compile('@cwasm/jpeg-turbo/jpeg-turbo.wasm'), openjpeg: compile('@cornerstonejs/codec-openjpeg/decodewasm'), charls: compile('@cornerstonejs/codec-charls/decodewasm') }),
);
const decodeImage = async (bytes: Uint8Array, limits: DecodeLimits): Promise<RawImage> => (await decoder.decode(bytes, limits)).image;

const W = 96;
const H = 64;
const grey = Buffer.alloc(W * H);
for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) grey[y * W + x] = Math.round(128 + 60 * Math.sin(x / 7) + 50 * Math.cos(y / 5));
const rgb = Buffer.alloc(W * H * 3);
for (let i = 0; i < W * H; i++) rgb.set([grey[i], 255 - grey[i], (grey[i] * 3) & 255], i * 3);
const rgba = Buffer.alloc(W * H * 4);
for (let i = 0; i < W * H; i++) rgba.set([grey[i], 255 - grey[i], 40, i % 256], i * 4);

const raw = (data: Buffer, channels: 1 | 3 | 4) => sharp(data, { raw: { width: W, height: H, channels } });
const LIMIT = { maxPixels: 4_000_000 };

async function codeOf(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ImageInputError);
    return (error as ImageInputError).code;
  }
  return 'no error';
}

describe('JPEG', () => {
  it('decodes a baseline greyscale JPEG to one channel, exactly as sharp (native libjpeg-turbo) does', async () => {
    const jpeg = await raw(grey, 1).toColourspace('b-w').jpeg({ quality: 92 }).toBuffer();
    const image = await decodeImage(jpeg, LIMIT);
    expect([image.width, image.height, image.channels, image.bitDepth]).toEqual([W, H, 1, 8]);
    expect(image.data).toBeInstanceOf(Uint8Array);
    const ref = await sharp(jpeg).extractChannel(0).raw().toBuffer();
    let max = 0;
    for (let i = 0; i < ref.length; i++) max = Math.max(max, Math.abs(image.data[i] - ref[i]));
    expect(max).toBe(0);
  });

  it('decodes a progressive greyscale JPEG exactly', async () => {
    const jpeg = await raw(grey, 1).toColourspace('b-w').jpeg({ quality: 92, progressive: true }).toBuffer();
    expect((await sharp(jpeg).metadata()).isProgressive).toBe(true);
    const image = await decodeImage(jpeg, LIMIT);
    expect([image.width, image.height, image.channels]).toEqual([W, H, 1]);
    const ref = await sharp(jpeg).extractChannel(0).raw().toBuffer();
    let max = 0;
    for (let i = 0; i < ref.length; i++) max = Math.max(max, Math.abs(image.data[i] - ref[i]));
    expect(max).toBe(0);
  });

  it('decodes a colour JPEG to RGB exactly, chroma upsampling included', async () => {
    const jpeg = await raw(rgb, 3).jpeg({ quality: 95, chromaSubsampling: '4:4:4' }).toBuffer();
    const image = await decodeImage(jpeg, LIMIT);
    expect([image.channels, image.data.length]).toEqual([3, W * H * 3]);
    const ref = await sharp(jpeg).raw().toBuffer();
    let max = 0;
    for (let i = 0; i < ref.length; i++) max = Math.max(max, Math.abs(image.data[i] - ref[i]));
    expect(max).toBe(0);
  });

  it('applies EXIF orientation 1..8 exactly as sharp().rotate() does', async () => {
    for (let orientation = 1; orientation <= 8; orientation++) {
      const jpeg = await raw(grey, 1).toColourspace('b-w').jpeg({ quality: 95 }).withMetadata({ orientation }).toBuffer();
      const image = await decodeImage(jpeg, LIMIT);
      // withMetadata may write the scan as a 3-component JPEG: compare like with like.
      const ref = await (image.channels === 1 ? sharp(jpeg).rotate().toColourspace('b-w') : sharp(jpeg).rotate()).raw().toBuffer({ resolveWithObject: true });
      expect([image.width, image.height, image.channels], `orientation ${orientation}`).toEqual([ref.info.width, ref.info.height, ref.info.channels]);
      let max = 0;
      for (let i = 0; i < ref.data.length; i++) max = Math.max(max, Math.abs(image.data[i] - ref.data[i]));
      expect(max, `orientation ${orientation}`).toBe(0);
    }
  });

  it('rejects truncated, 12-bit, arithmetic-coded and CMYK JPEGs with the right code', async () => {
    const jpeg = await raw(grey, 1).toColourspace('b-w').jpeg().toBuffer();
    expect(await codeOf(() => decodeImage(jpeg.subarray(0, jpeg.length >> 1), LIMIT))).toBe('corrupt_image');
    expect(await codeOf(() => decodeImage(jpeg.subarray(0, 40), LIMIT))).toBe('corrupt_image');
    const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
    const twelveBit = Buffer.from(jpeg);
    twelveBit[sof + 4] = 12;
    expect(await codeOf(() => decodeImage(twelveBit, LIMIT))).toBe('unsupported_type');
    const arithmetic = Buffer.from(jpeg);
    arithmetic[sof + 1] = 0xc9;
    expect(await codeOf(() => decodeImage(arithmetic, LIMIT))).toBe('unsupported_type');
    const cmyk = await raw(rgb, 3).toColourspace('cmyk').jpeg().toBuffer();
    expect(await codeOf(() => decodeImage(cmyk, LIMIT))).toBe('unsupported_type');
  });

  it('refuses a JPEG whose header claims too many pixels before decoding it', async () => {
    const jpeg = Buffer.from(await raw(grey, 1).toColourspace('b-w').jpeg().toBuffer());
    const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
    jpeg.writeUInt16BE(60000, sof + 5); // height
    jpeg.writeUInt16BE(60000, sof + 7); // width
    const started = performance.now();
    expect(await codeOf(() => decodeImage(jpeg, LIMIT))).toBe('too_many_pixels');
    expect(performance.now() - started).toBeLessThan(50); // nothing was decoded
  });
});

describe('PNG', () => {
  it('keeps 16-bit greyscale at full depth as Uint16Array', async () => {
    const png = await raw(grey, 1).toColourspace('grey16').png().toBuffer();
    const image = await decodeImage(png, LIMIT);
    expect([image.channels, image.bitDepth]).toEqual([1, 16]);
    expect(image.data).toBeInstanceOf(Uint16Array);
    const ref = await sharp(png).toColourspace('grey16').raw({ depth: 'ushort' }).toBuffer(); // plain raw() would convert to 8-bit sRGB
    const ref16 = new Uint16Array(ref.buffer, ref.byteOffset, ref.length / 2);
    expect(Array.from(image.data)).toEqual(Array.from(ref16));
  });

  it('keeps true 16-bit samples that are not multiples of 257', async () => {
    const data = new Uint16Array(W * H);
    for (let i = 0; i < data.length; i++) data[i] = (i * 37) % 65536;
    const image = await decodeImage(encodePng({ width: W, height: H, data, depth: 16, channels: 1 }), LIMIT);
    expect(image.data).toEqual(data);
  });

  it('decodes 8-bit grey, grey+alpha, RGB, RGBA exactly', async () => {
    const cases: [Buffer, number][] = [
      [await raw(grey, 1).toColourspace('b-w').png().toBuffer(), 1],
      [await raw(rgb, 3).png().toBuffer(), 3],
      [await raw(rgba, 4).png().toBuffer(), 4],
      [Buffer.from(encodePng({ width: W, height: H, data: new Uint8Array(W * H * 2).fill(77), depth: 8, channels: 2 })), 2],
    ];
    for (const [png, channels] of cases) {
      const image = await decodeImage(png, LIMIT);
      expect(image.channels).toBe(channels);
      const ref = await sharp(png).raw().toBuffer({ resolveWithObject: true });
      if (ref.info.channels === channels) expect(Buffer.from(image.data as Uint8Array).equals(ref.data)).toBe(true);
    }
  });

  it('expands palette PNGs (8-bit and 1-bit indices) to RGB', async () => {
    for (const colours of [256, 2]) {
      const png = await raw(rgb, 3).png({ palette: true, colours, dither: 0 }).toBuffer();
      const image = await decodeImage(png, LIMIT);
      expect(image.channels).toBe(3);
      const ref = await sharp(png).raw().toBuffer();
      expect(Buffer.from(image.data as Uint8Array).equals(ref)).toBe(true);
    }
  });

  it('decodes Adam7-interlaced PNG', async () => {
    const png = await raw(rgb, 3).png({ progressive: true }).toBuffer();
    expect((await sharp(png).metadata()).isProgressive).toBe(true);
    const image = await decodeImage(png, LIMIT);
    expect(Buffer.from(image.data as Uint8Array).equals(rgb)).toBe(true);
  });

  it('rejects truncated data, a decompression bomb and oversized headers', async () => {
    const png = await raw(grey, 1).toColourspace('b-w').png().toBuffer();
    expect(await codeOf(() => decodeImage(png.subarray(0, png.length - 30), LIMIT))).toBe('corrupt_image');
    const big = Buffer.from(encodePng({ width: 2000, height: 2000, data: new Uint8Array(4_000_000), depth: 8, channels: 1 }));
    const bomb = Buffer.from(big);
    bomb.writeUInt32BE(20, 16);
    bomb.writeUInt32BE(20, 20); // header says 20x20, data inflates to 2000x2000
    expect(await codeOf(() => decodeImage(bomb, LIMIT))).toBe('corrupt_image');
    expect(await codeOf(() => decodeImage(big, { maxPixels: 1_000_000 }))).toBe('too_many_pixels');
  });
});

describe('strict decoding: damaged files get an answer about the file, never a class', () => {
  it('refuses a JPEG whose entropy-coded data libjpeg reports as corrupt', async () => {
    const jpeg = await raw(grey, 1).toColourspace('b-w').jpeg({ quality: 90 }).toBuffer();
    const sos = jpeg.indexOf(Buffer.from([0xff, 0xda]));
    // Flip bits one at a time after the scan header until libjpeg warns; a flip it cannot detect decodes as pixels.
    let refused = 0;
    for (let at = sos + 20; at < jpeg.length - 4 && refused < 3; at += 7) {
      const damaged = Buffer.from(jpeg);
      damaged[at] ^= 0x10;
      const code = await codeOf(() => decodeImage(damaged, LIMIT));
      expect(['no error', 'corrupt_image']).toContain(code);
      if (code === 'corrupt_image') refused++;
    }
    expect(refused).toBe(3);
  });

  it('refuses a PNG with a flipped bit, even when the chunk CRC was repaired (zlib checksum)', async () => {
    const png = Buffer.from(await raw(grey, 1).toColourspace('b-w').png({ compressionLevel: 0 }).toBuffer());
    const idat = png.indexOf(Buffer.from('IDAT'));
    const length = png.readUInt32BE(idat - 4);
    const flipped = Buffer.from(png);
    flipped[idat + 4 + Math.floor(length / 2)] ^= 0x01; // a stored (uncompressed) deflate block: the sample changes
    expect(await codeOf(() => decodeImage(flipped, LIMIT))).toBe('corrupt_image');
    const { pngContainer } = await import('../png.js');
    const repaired = pngContainer(W, H, 8, 0, flipped.subarray(idat + 4, idat + 4 + length));
    const error = await decoder.decode(repaired, LIMIT).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'corrupt_image' });
    expect((error as Error).message).toMatch(/zlib checksum/);
  });
});

describe('sniffing and the registry', () => {
  it('says what is accepted for empty, non-image and unsupported uploads', async () => {
    expect(decoder.formats).toEqual(['jpeg', 'png', 'dicom', 'nifti']);
    await expect(decoder.decode(new Uint8Array(0), LIMIT)).rejects.toMatchObject({ code: 'empty_body' });
    await expect(decoder.decode(new TextEncoder().encode('name,age\nx,1\n'), LIMIT)).rejects.toMatchObject({ code: 'not_an_image' });
    const gif = await raw(rgb, 3).gif().toBuffer();
    const error = await decoder.decode(gif, LIMIT).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'unsupported_type' });
    expect((error as Error).message).toMatch(/^GIF is not supported here\. Accepted: JPEG .*PNG/);
    const webp = await raw(rgb, 3).webp().toBuffer();
    await expect(decoder.decode(webp, LIMIT)).rejects.toMatchObject({ code: 'unsupported_type' });
  });

  it('recognises image formats it does not decode (HEIC, JPEG 2000, SVG) as unsupported, not as non-images', async () => {
    const heic = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic'), Buffer.alloc(64)]);
    const jp2 = Buffer.concat([Buffer.from([0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a]), Buffer.alloc(64)]);
    const svg = Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><circle r="4"/></svg>');
    for (const [bytes, name] of [[heic, 'HEIC/HEIF'], [jp2, 'JPEG 2000'], [svg, 'SVG']] as const) {
      const error = await decoder.decode(bytes, LIMIT).catch((e: unknown) => e);
      expect(error, name).toMatchObject({ code: 'unsupported_type' });
      expect((error as Error).message.startsWith(`${name} is not supported here`)).toBe(true);
    }
  });

  it('refuses by decoded size as well as by pixel count, before decoding', async () => {
    const png16 = await raw(grey, 1).toColourspace('grey16').png().toBuffer();
    const bytes = W * H * 2;
    await expect(decoder.decode(png16, { maxPixels: 1e6, maxDecodedBytes: bytes - 1 })).rejects.toMatchObject({ code: 'too_many_pixels' });
    await expect(decoder.decode(png16, { maxPixels: 1e6, maxDecodedBytes: bytes })).resolves.toMatchObject({ source: { format: 'png' } });
  });
});
