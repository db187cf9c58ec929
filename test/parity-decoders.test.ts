// The pure-JS decoders (Worker, kiosk) against sharp (the Node service's decoder) on every fixture, pixel by pixel and
// on the model input they lead to. Stated tolerance: PNG identical; JPEG within 1 grey level per sample (jpeg-js and
// libjpeg-turbo round their inverse DCTs differently), hence model inputs within 1/255 of a grey level after scaling.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createPureDecoder } from '../src/core/decoders/index.js';
import { parseManifest } from '../src/core/model-loader.js';
import { preprocess } from '../src/core/preprocess.js';
import { createSharpDecoder } from '../src/node/sharp-decoder.js';
import { fixtureBytes, loadFixtures } from './http-suite.js';

const JPEG_SAMPLE_TOLERANCE = 1;
const manifest = parseManifest(JSON.parse(readFileSync(new URL('../model/brain-mri-edge.manifest.json', import.meta.url), 'utf8')));
const limits = { maxPixels: 40_000_000 };

describe('pure-JS decoders agree with sharp on the fixtures', () => {
  const pure = createPureDecoder();
  const sharp = createSharpDecoder();

  it.each(loadFixtures())('$file', async ({ file }) => {
    const bytes = fixtureBytes(file);
    const [ours, ref] = await Promise.all([pure.decode(bytes, limits), sharp.decode(bytes, limits)]);
    expect([ours.width, ours.height, ours.channels, ours.bitDepth ?? 8]).toEqual([ref.width, ref.height, ref.channels, ref.bitDepth ?? 8]);
    expect(ours.data.constructor).toBe(ref.data.constructor);
    let worst = 0;
    for (let i = 0; i < ref.data.length; i++) worst = Math.max(worst, Math.abs(ours.data[i] - ref.data[i]));
    expect(worst).toBeLessThanOrEqual(file.endsWith('.png') ? 0 : JPEG_SAMPLE_TOLERANCE);

    // What the model sees: one grey level is scale/std in input units; resizing only averages, so the bound holds.
    const a = preprocess(ours, manifest).data;
    const b = preprocess(ref, manifest).data;
    const unit = (manifest.preprocessing.scale / Math.min(...manifest.preprocessing.std)) * (file.endsWith('.png') ? 1e-4 : JPEG_SAMPLE_TOLERANCE);
    let inputWorst = 0;
    for (let i = 0; i < a.length; i++) inputWorst = Math.max(inputWorst, Math.abs(a[i] - b[i]));
    expect(inputWorst).toBeLessThanOrEqual(unit + 1e-5);
  });
});
