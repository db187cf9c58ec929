// Same image, same answer: the Worker in workerd (onnxruntime-web WASM) against the Node service (onnxruntime-node) on
// every fixture. Both decode with the core's decoders (one libjpeg-turbo build), so the pixels are identical and only the
// two ORT builds' float rounding remains: label equal, probabilities within 1e-6, heat within 1/255 per pixel.
import { decode as decodePng } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app/create-app.js';
import { TURBO } from '../src/core/colormap.js';
import { loadNodeService } from '../src/node/load-service.js';
import { fixtureBytes, loadFixtures } from './http-suite.js';
import { OUTSIDE_IMAGES } from './support/outside-images.js';
import { startWorker, type RunningWorker } from './support/worker-server.js';

type Fetch = (path: string, init?: RequestInit) => Promise<Response>;

const PROBABILITY_TOLERANCE = 1e-6;
/** The heat (normalised CAM, 0..1) behind each heatmap pixel may differ by this many 255ths (a rounding step). */
const HEAT_TOLERANCE = 1;
/** Overlay RGB per channel, out of 255: heat one step apart moves a Turbo colour by up to ~9 levels, blended at alpha <= 0.45. */
const OVERLAY_TOLERANCE = 5;

/** Heat index 0..255 of a heatmap pixel: the Turbo entry it was drawn with (exact match; nearest as a fallback). */
const TURBO_INDEX = new Map<number, number>();
for (let i = 255; i >= 0; i--) TURBO_INDEX.set((TURBO[i * 3] << 16) | (TURBO[i * 3 + 1] << 8) | TURBO[i * 3 + 2], i);
function heatIndex(r: number, g: number, b: number): number {
  const exact = TURBO_INDEX.get((r << 16) | (g << 8) | b);
  if (exact !== undefined) return exact;
  let best = 0;
  let bestD = Infinity;
  for (let i = 0; i < 256; i++) {
    const d = (TURBO[i * 3] - r) ** 2 + (TURBO[i * 3 + 1] - g) ** 2 + (TURBO[i * 3 + 2] - b) ** 2;
    if (d < bestD) [best, bestD] = [i, d];
  }
  return best;
}

function pngPixels(dataUrl: string): { width: number; height: number; channels: number; data: Uint8Array } {
  const bytes = Uint8Array.from(atob(dataUrl.replace(/^data:image\/png;base64,/, '')), (c) => c.charCodeAt(0));
  const png = decodePng(bytes);
  return { width: png.width, height: png.height, channels: png.channels, data: png.data as Uint8Array };
}

/** The input gate's score on both runtimes may differ by the two ORT builds' rounding, far below this. */
const GATE_TOLERANCE = 1e-4;

async function classify(fetch: Fetch, bytes: Uint8Array, type: string, view: 'heatmap' | 'overlay') {
  const res = await fetch(`/v1/classify?saliency=${view}`, { method: 'POST', body: bytes as Uint8Array<ArrayBuffer>, headers: { 'content-type': type } });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { label: string; probabilities: Record<string, number>; gate: { score: number }; saliency: { dataUrl: string; label: string }[] };
  return { ...body, saliency: body.saliency[0] };
}

/** The gate's score and, when it accepts, the probabilities (a refusal is 422 not_brain_mri with the score). */
async function gateAndClasses(fetch: Fetch, bytes: Uint8Array, type: string): Promise<{ status: number; score: number; probabilities?: Record<string, number> }> {
  const res = await fetch('/v1/classify', { method: 'POST', body: bytes as Uint8Array<ArrayBuffer>, headers: { 'content-type': type } });
  const body = await res.json();
  if (res.status === 422) return { status: 422, score: body.error.score };
  expect(res.status).toBe(200);
  return { status: 200, score: body.gate.score, probabilities: body.probabilities };
}

describe('Worker (workerd) and Node give the same answers', () => {
  let worker: RunningWorker;
  let node: Fetch;

  beforeAll(async () => {
    const [w, service] = await Promise.all([startWorker(), loadNodeService()]);
    worker = w;
    const app = createApp({ service });
    node = async (path, init) => app.request(path, init);
  });

  afterAll(async () => {
    await worker?.dispose();
  });

  const fixtures = loadFixtures();

  it('covers JPEG and PNG fixtures', () => {
    expect(fixtures.some((f) => f.file.endsWith('.jpg'))).toBe(true);
    expect(fixtures.some((f) => f.file.endsWith('.png'))).toBe(true);
  });

  it.each(OUTSIDE_IMAGES.map((path) => ({ file: path.split('/').pop()!, path })))('$file (not made by the project): same gate score and answer', async ({ path }) => {
    const bytes = fixtureBytes(path);
    const type = path.endsWith('.png') ? 'image/png' : 'image/jpeg';
    const [edge, ref] = await Promise.all([gateAndClasses(worker.fetch, bytes, type), gateAndClasses(node, bytes, type)]);
    expect(edge.status).toBe(ref.status);
    expect(Math.abs(edge.score - ref.score), 'gate score').toBeLessThanOrEqual(GATE_TOLERANCE);
    for (const [name, p] of Object.entries(ref.probabilities ?? {})) expect(Math.abs(edge.probabilities![name] - p), name).toBeLessThanOrEqual(PROBABILITY_TOLERANCE);
  });

  // docs/api.md, "Formats by runtime": the one place formats differ. Node reads WebP, TIFF and GIF through sharp; the
  // Worker (and the kiosk, same decoders) answers 415 naming the format, in the same words up to Node's extras sentence.
  it.each(['webp', 'tiff', 'gif'] as const)('%s: Node classifies it, the Worker says 415 unsupported_type', async (format) => {
    const sharp = (await import('sharp')).default;
    const jpeg = fixtures.find((f) => f.file.endsWith('.jpg'))!;
    const bytes = new Uint8Array(await sharp(fixtureBytes(jpeg.file))[format]().toBuffer());
    const post = (f: Fetch) => f('/v1/classify', { method: 'POST', body: bytes as Uint8Array<ArrayBuffer>, headers: { 'content-type': `image/${format}` } });
    const [edge, ref] = await Promise.all([post(worker.fetch), post(node)]);
    expect(ref.status).toBe(200);
    expect((await ref.json()).label).toBe(jpeg.label);
    expect(edge.status).toBe(415);
    const { error } = await edge.json();
    expect(error.code).toBe('unsupported_type');
    expect(error.message).toMatch(new RegExp(`^(WebP|TIFF|GIF) is not supported here\\. Accepted: JPEG`));
  });

  for (const view of ['heatmap', 'overlay'] as const) {
    it.each(fixtures)(`$file: label, probabilities and ${view} agree`, async ({ file }) => {
      const bytes = fixtureBytes(file);
      const type = file.endsWith('.png') ? 'image/png' : 'image/jpeg';
      const [edge, ref] = await Promise.all([classify(worker.fetch, bytes, type, view), classify(node, bytes, type, view)]);
      expect(edge.label).toBe(ref.label);
      expect(Math.abs(edge.gate.score - ref.gate.score), 'gate score').toBeLessThanOrEqual(GATE_TOLERANCE);
      for (const [name, p] of Object.entries(ref.probabilities)) {
        expect(Math.abs(edge.probabilities[name] - p), `${name}: worker ${edge.probabilities[name]} vs node ${p}`).toBeLessThanOrEqual(PROBABILITY_TOLERANCE);
      }
      expect(edge.saliency.label).toBe(ref.saliency.label);
      const a = pngPixels(edge.saliency.dataUrl);
      const b = pngPixels(ref.saliency.dataUrl);
      expect([a.width, a.height, a.channels]).toEqual([b.width, b.height, b.channels]);
      let worst = 0;
      if (view === 'heatmap') {
        for (let i = 0; i < a.data.length; i += a.channels) {
          const d = Math.abs(heatIndex(a.data[i], a.data[i + 1], a.data[i + 2]) - heatIndex(b.data[i], b.data[i + 1], b.data[i + 2]));
          if (d > worst) worst = d;
        }
        expect(worst, 'largest heat difference (in 255ths)').toBeLessThanOrEqual(HEAT_TOLERANCE);
      } else {
        for (let i = 0; i < a.data.length; i++) worst = Math.max(worst, Math.abs(a.data[i] - b.data[i]));
        expect(worst, 'largest overlay difference per channel (in 255ths)').toBeLessThanOrEqual(OVERLAY_TOLERANCE);
      }
      console.log(`${file} ${view}: max difference ${worst}/255, max |dp| ${Math.max(...Object.keys(ref.probabilities).map((k) => Math.abs(edge.probabilities[k] - ref.probabilities[k]))).toExponential(2)}`);
    });
  }
});
