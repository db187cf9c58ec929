// Training/serving parity: the core's tensor for each fixture (decoded by the Node service's decoder) vs the Python pipeline's.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../src/core/model-loader.js';
import { preprocess } from '../src/core/preprocess.js';
import { nodeInputDecoder } from '../src/node/load-service.js';
import { fixtureBytes, loadFixtures } from './http-suite.js';

const manifest = parseManifest(JSON.parse(readFileSync(new URL('../model/brain-mri-edge.manifest.json', import.meta.url), 'utf8')));
const fixtures = loadFixtures().filter((f) => f.preprocessed !== undefined);

describe('preprocessing parity with the Python pipeline', () => {
  it.each(fixtures)('$file: max |core - python| <= 1/255 after scaling', async ({ file, preprocessed }) => {
    const { image } = await nodeInputDecoder().decode(fixtureBytes(file), { maxPixels: 40e6 });
    const ours = preprocess(image, manifest);
    const buf = readFileSync(new URL(`fixtures/${preprocessed!}`, import.meta.url));
    const theirs = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    expect(ours.data.length).toBe(theirs.length);
    const { std } = manifest.preprocessing;
    let max = 0;
    // Compare v * scale (before mean/std), where the contract states the tolerance.
    for (let i = 0; i < theirs.length; i++) max = Math.max(max, Math.abs(ours.data[i] - theirs[i]) * std[0]);
    expect(max).toBeLessThanOrEqual(1 / 255);
  });
});
