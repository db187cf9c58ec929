// The one HTTP behaviour suite every runtime must pass (Node app.request(), Node server, workerd): call defineHttpSuite().
import { existsSync, readFileSync } from 'node:fs';
import { decode as decodePng } from 'fast-png';
import { zlibSync } from 'fflate';
import { encodePng, pngContainer } from '../src/core/png.js';
import jpeg from 'jpeg-js';
import { beforeAll, describe, expect, it } from 'vitest';

export interface HttpTarget {
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

const FIXTURES = new URL('./fixtures/', import.meta.url);
const LABELS = ['glioma', 'meningioma', 'normal', 'pituitary'];

export interface Fixture {
  file: string;
  label: string;
  /** Python's preprocessed tensor, relative to test/fixtures. */
  preprocessed?: string;
}

export function loadFixtures(): Fixture[] {
  const index = new URL('fixtures.json', FIXTURES);
  if (!existsSync(index)) throw new Error('test/fixtures/fixtures.json is missing: run `npm run fixtures` (model pipeline) first');
  return JSON.parse(readFileSync(index, 'utf8')) as Fixture[];
}

export function fixtureBytes(file: string): Uint8Array {
  const path = new URL(file.includes('/') ? file : `images/${file}`, FIXTURES);
  return new Uint8Array(readFileSync(path));
}

/** Grey 0..255 pixels of a fixture, decoded in pure JS (independent of the server's decoder). */
function greyPixels(bytes: Uint8Array): { width: number; height: number; grey: Float32Array } {
  if (bytes[0] === 0xff) {
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
    const grey = new Float32Array(img.width * img.height);
    for (let i = 0; i < grey.length; i++) grey[i] = 0.299 * img.data[i * 4] + 0.587 * img.data[i * 4 + 1] + 0.114 * img.data[i * 4 + 2];
    return { width: img.width, height: img.height, grey };
  }
  const png = decodePng(bytes);
  const k = png.depth === 16 ? 1 / 257 : 1;
  const c = png.channels;
  const grey = new Float32Array(png.width * png.height);
  for (let i = 0; i < grey.length; i++) {
    const p = i * c;
    grey[i] = (c >= 3 ? 0.299 * png.data[p] + 0.587 * png.data[p + 1] + 0.114 * png.data[p + 2] : png.data[p]) * k;
  }
  return { width: png.width, height: png.height, grey };
}

/** A small, valid-looking PNG whose header claims width x height grey pixels (the data is a few bytes). */
export function pngClaiming(width: number, height: number): Uint8Array {
  return pngContainer(width, height, 8, 0, zlibSync(new Uint8Array(64)));
}

/**
 * normal-2 with its grey levels inverted, as a PNG: still a head, but not how an MRI slice looks. The gate scores it
 * inside its unsure band (0.35 in Node, between 0.18 and 0.56): answered, but flagged input_unsure.
 */
export function unsureScanPng(): Uint8Array {
  const { data, width, height } = jpeg.decode(fixtureBytes('images/normal-2.jpg'), { useTArray: true });
  for (let i = 0; i < data.length; i += 4) data[i] = data[i + 1] = data[i + 2] = 255 - data[i];
  return encodePng(data, width, height);
}

/** A real 1x1 grey PNG. */
function onePixelPng(): Uint8Array {
  return pngContainer(1, 1, 8, 0, zlibSync(Uint8Array.from([0, 128])));
}

function multipart(field: string, bytes: Uint8Array, filename: string, type: string): FormData {
  const form = new FormData();
  form.append(field, new Blob([bytes as Uint8Array<ArrayBuffer>], { type }), filename);
  return form;
}

const raw = (bytes: Uint8Array, type = 'image/jpeg'): RequestInit => ({ method: 'POST', body: bytes as Uint8Array<ArrayBuffer>, headers: { 'content-type': type } });

/** Heat index (0..255) of a heatmap pixel: the nearest Turbo entry, found by searching the heatmap's own palette. */
function nearestIndex(lut: Uint8Array, r: number, g: number, b: number): number {
  let best = 0;
  let bestD = Infinity;
  for (let i = 0; i < 256; i++) {
    const d = (lut[i * 3] - r) ** 2 + (lut[i * 3 + 1] - g) ** 2 + (lut[i * 3 + 2] - b) ** 2;
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

export function defineHttpSuite(name: string, target: () => Promise<HttpTarget>): void {
  describe(`HTTP API: ${name}`, () => {
    let api: HttpTarget;
    const fixtures = loadFixtures();
    const jpegFixture = fixtures.find((f) => f.file.endsWith('.jpg'))!;

    const classifyOk = async (): Promise<void> => {
      const res = await api.fetch('/v1/classify', raw(fixtureBytes(jpegFixture.file)));
      expect(res.status).toBe(200);
      expect((await res.json()).label).toBe(jpegFixture.label);
    };

    beforeAll(async () => {
      api = await target();
      // Ready within 30 s (the Worker loads on first use).
      for (let i = 0; i < 300; i++) {
        if ((await api.fetch('/readyz')).status === 200) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('/readyz never answered 200');
    });

    it('/healthz and /readyz answer with cross-origin isolation headers', async () => {
      const health = await api.fetch('/healthz');
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      expect(health.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(health.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
      const ready = await api.fetch('/readyz');
      expect(ready.status).toBe(200);
      expect((await ready.json()).status).toBe('ready');
    });

    it.each(fixtures)('classifies $file as $label', async ({ file, label }) => {
      const res = await api.fetch('/v1/classify', { method: 'POST', body: multipart('file', fixtureBytes(file), file, file.endsWith('.png') ? 'image/png' : 'image/jpeg') });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      const body = await res.json();
      expect(body.label).toBe(label);
      expect(Object.keys(body.probabilities)).toEqual(LABELS);
      const sum = (Object.values(body.probabilities) as number[]).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(1, 4);
      expect(body.confidence).toBe(body.probabilities[label]);
      expect(body.model.sha256).toMatch(/^[0-9a-f]{64}$/);
      for (const k of ['decode', 'preprocess', 'inference', 'total']) expect(typeof body.timings[k]).toBe('number');
      expect(body.input).toEqual({ format: file.endsWith('.png') ? 'png' : 'jpeg' });
      expect(body.reasons).toEqual(body.uncertain ? expect.arrayContaining(['low_confidence']) : []);
      expect(body.notice).toMatch(/not for diagnosis/i);
      expect(body).not.toHaveProperty('maps');
    });

    it('accepts the raw body and adds a saliency data URL on request', async () => {
      const bytes = fixtureBytes(jpegFixture.file);
      const { width, height } = greyPixels(bytes);
      const res = await api.fetch('/v1/classify?saliency=heatmap', raw(bytes));
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.label).toBe(jpegFixture.label);
      expect(body.saliency).toHaveLength(1);
      expect(body.saliency[0]).toMatchObject({ view: 'heatmap', label: jpegFixture.label, width, height });
      expect(['cam', 'grad-cam', 'occlusion']).toContain(body.saliency[0].method);
      const png = decodePng(Uint8Array.from(atob(body.saliency[0].dataUrl.replace(/^data:image\/png;base64,/, '')), (c) => c.charCodeAt(0)));
      expect([png.width, png.height]).toEqual([width, height]);
      for (const k of ['explain', 'encode']) expect(typeof body.timings[k]).toBe('number');
    });

    it('renders several classes\' maps from one inference, each the same as asking for it alone', async () => {
      const bytes = fixtureBytes(jpegFixture.file);
      const res = await api.fetch('/v1/classify?saliency=heatmap&class=pituitary,glioma', raw(bytes));
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.saliency.map((s: { label: string }) => s.label)).toEqual(['pituitary', 'glioma']);
      expect(body.saliency[0].dataUrl).not.toBe(body.saliency[1].dataUrl);
      const alone = await (await api.fetch('/v1/saliency?view=heatmap&class=glioma', raw(bytes))).arrayBuffer();
      const fromList = Uint8Array.from(atob(body.saliency[1].dataUrl.replace(/^data:image\/png;base64,/, '')), (c) => c.charCodeAt(0));
      expect(Buffer.from(decodePng(fromList).data as Uint8Array).equals(Buffer.from(decodePng(new Uint8Array(alone)).data as Uint8Array))).toBe(true);
      const all = await (await api.fetch('/v1/classify?saliency=overlay&class=all', raw(bytes))).json();
      expect(all.saliency.map((s: { label: string }) => s.label)).toEqual(LABELS);
    });

    it('returns an overlay PNG of the input size that differs from the scan exactly where the heatmap is hot', async () => {
      const bytes = fixtureBytes(jpegFixture.file);
      const scan = greyPixels(bytes);
      const [overlayRes, heatRes] = await Promise.all([
        api.fetch('/v1/saliency?view=overlay', raw(bytes)),
        api.fetch(`/v1/saliency?view=heatmap&class=${jpegFixture.label}`, raw(bytes)),
      ]);
      expect(overlayRes.status).toBe(200);
      expect(overlayRes.headers.get('content-type')).toBe('image/png');
      expect(overlayRes.headers.get('x-saliency-class')).toBe(jpegFixture.label);
      const overlay = decodePng(new Uint8Array(await overlayRes.arrayBuffer()));
      const heat = decodePng(new Uint8Array(await heatRes.arrayBuffer()));
      expect([overlay.width, overlay.height]).toEqual([scan.width, scan.height]);
      expect([heat.width, heat.height]).toEqual([scan.width, scan.height]);
      // The contract fixes the colormap (Turbo), so heat is recovered from each heatmap pixel by nearest Turbo entry.
      const { TURBO } = await import('../src/core/colormap.js');
      let hot = 0;
      let hotDiff = 0;
      let cold = 0;
      let coldMax = 0;
      let matches = 0;
      const n = scan.width * scan.height;
      for (let i = 0; i < n; i++) {
        const o = i * overlay.channels;
        const hh = i * heat.channels;
        const idx = nearestIndex(TURBO, heat.data[hh], heat.data[hh + 1], heat.data[hh + 2]);
        const a = 0.45 * (idx / 255);
        const g = scan.grey[i];
        const d = Math.abs(overlay.data[o] - g) + Math.abs(overlay.data[o + 1] - g) + Math.abs(overlay.data[o + 2] - g);
        const expectR = g + (TURBO[idx * 3] - g) * a;
        if (Math.abs(overlay.data[o] - expectR) <= 4) matches++;
        if (idx >= 190) {
          hot++;
          hotDiff += d / 3;
        } else if (idx <= 2) {
          cold++;
          coldMax = Math.max(coldMax, d / 3);
        }
      }
      expect(hot).toBeGreaterThan(0);
      expect(hotDiff / hot).toBeGreaterThan(15);
      if (cold > 0) expect(coldMax).toBeLessThanOrEqual(6);
      expect(matches / n).toBeGreaterThan(0.98);
    });

    const badInputs: { what: string; path?: string; init: () => RequestInit; status: number; code: string; message: RegExp }[] = [
      { what: 'an empty body', init: () => raw(new Uint8Array(0)), status: 400, code: 'empty_body', message: /empty.*Accepted: JPEG/ },
      { what: 'random bytes', init: () => raw(Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) & 255), 'application/octet-stream'), status: 400, code: 'not_an_image', message: /not a recognisable image.*Accepted: JPEG/ },
      {
        what: 'a truncated JPEG',
        init: () => {
          const b = fixtureBytes(jpegFixture.file);
          return raw(b.subarray(0, Math.floor(b.length / 3)));
        },
        status: 400,
        code: 'corrupt_image',
        message: /JPEG file is damaged or truncated/,
      },
      {
        what: 'a text file named .jpg',
        init: () => ({ method: 'POST', body: multipart('file', new TextEncoder().encode('patient notes, not an image\n'.repeat(20)), 'scan.jpg', 'image/jpeg') }),
        status: 400,
        code: 'not_an_image',
        message: /not a recognisable image/,
      },
      { what: 'a PNG whose header claims 30000x30000 pixels', init: () => raw(pngClaiming(30000, 30000), 'image/png'), status: 413, code: 'too_many_pixels', message: /limit/ },
      { what: 'a 1x1 image', init: () => raw(onePixelPng(), 'image/png'), status: 400, code: 'image_too_small', message: /1 x 1.*at least 32 x 32/ },
      {
        what: 'a wrong multipart field',
        init: () => ({ method: 'POST', body: multipart('image', fixtureBytes(jpegFixture.file), 'scan.jpg', 'image/jpeg') }),
        status: 400,
        code: 'missing_file',
        message: /field "file" is missing \(got: "image"\)/,
      },
      { what: 'an unknown class', path: '/v1/saliency?class=astrocytoma', init: () => raw(fixtureBytes(jpegFixture.file)), status: 422, code: 'invalid_parameter', message: /astrocytoma.*glioma, meningioma, normal, pituitary/ },
      { what: 'an unknown view', path: '/v1/saliency?view=xray', init: () => raw(fixtureBytes(jpegFixture.file)), status: 422, code: 'invalid_parameter', message: /view/ },
      { what: 'an unknown saliency on classify', path: '/v1/classify?saliency=glow', init: () => raw(fixtureBytes(jpegFixture.file)), status: 422, code: 'invalid_parameter', message: /saliency/ },
      { what: 'an unknown class in a list', path: '/v1/classify?saliency=overlay&class=glioma,astrocytoma', init: () => raw(fixtureBytes(jpegFixture.file)), status: 422, code: 'invalid_parameter', message: /astrocytoma/ },
      { what: 'a text content type', init: () => raw(new TextEncoder().encode('hello'), 'text/plain'), status: 415, code: 'unsupported_type', message: /text\/plain.*multipart\/form-data field "file"/ },
      { what: 'a body over 20 MB', init: () => raw(new Uint8Array(20 * 1024 * 1024 + 1024).fill(0xff)), status: 413, code: 'body_too_large', message: /over 20\.0 MB/ },
    ];

    it.each(badInputs)('answers $what with $status $code, and keeps serving', async ({ path, init, status, code, message }) => {
      const res = await api.fetch(path ?? '/v1/classify', init());
      expect(res.status).toBe(status);
      const body = await res.json();
      expect(body.error.code).toBe(code);
      expect(body.error.message).toMatch(message);
      expect(JSON.stringify(body)).not.toMatch(/\bat .+:\d+:\d+/);
      await classifyOk();
    });

    it('/v1/model gives the public manifest and metrics', async () => {
      const res = await api.fetch('/v1/model');
      expect(res.status).toBe(200);
      const m = await res.json();
      expect(m.labels).toEqual(LABELS);
      expect(m.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(m.notice).toMatch(/diagnos/i);
      expect(m.preprocessing.resize.filter).toBe('bilinear-antialias');
      expect(m.metrics === null || typeof m.metrics.accuracy === 'number').toBe(true);
      expect(m.saliency.views).toEqual(['overlay', 'heatmap']);
      expect(typeof m.backend).toBe('string');
    });

    it('/openapi.json documents every route with the not-for-diagnosis notice, and /docs serves Swagger UI', async () => {
      const res = await api.fetch('/openapi.json');
      expect(res.status).toBe(200);
      const doc = await res.json();
      expect(doc.openapi).toMatch(/^3\./);
      expect(doc.info.description).toMatch(/not for diagnosis/i);
      for (const p of ['/v1/classify', '/v1/saliency', '/v1/model', '/healthz', '/readyz']) expect(doc.paths).toHaveProperty([p]);
      expect(doc.paths['/v1/saliency'].post.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['class', 'frame', 'plane', 'slice', 'view', 'window']);
      expect(doc.paths['/v1/classify'].post.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['class', 'frame', 'plane', 'saliency', 'slice', 'window']);
      expect(JSON.stringify(doc.paths['/v1/classify'].post.responses['415'])).toMatch(/unsupported_transfer_syntax/);
      const docs = await api.fetch('/docs');
      expect(docs.status).toBe(200);
      expect(await docs.text()).toMatch(/swagger-ui/i);
    });

    it('answers a wrong method on a known path with 405 and the methods it takes', async () => {
      const get = await api.fetch('/v1/classify');
      expect(get.status).toBe(405);
      expect(get.headers.get('allow')).toBe('POST');
      expect((await get.json()).error).toMatchObject({ code: 'method_not_allowed', message: expect.stringMatching(/GET is not allowed on \/v1\/classify; use POST/) });
      const del = await api.fetch('/v1/model', { method: 'DELETE' });
      expect(del.status).toBe(405);
      expect(del.headers.get('allow')).toBe('GET, HEAD');
      await classifyOk();
    });

    it('answers a malformed percent-encoded path with 400, not a crash', async () => {
      for (const path of ['/%zz', '/v1/%E0%A4%A', '/docs/%']) {
        const res = await api.fetch(path);
        expect(res.status, path).toBe(400);
        expect((await res.json()).error.code).toBe('bad_request');
      }
      await classifyOk();
    });

    it('serves /docs offline-ready under a strict CSP with no framing', async () => {
      const docs = await api.fetch('/docs');
      expect(docs.status).toBe(200);
      const csp = docs.headers.get('content-security-policy') ?? '';
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(docs.headers.get('x-frame-options')).toBe('DENY');
      const html = await docs.text();
      expect(html).not.toMatch(/https?:\/\//);
      expect(html).not.toMatch(/<script>(?!<)/);
    });

    it('refuses what is not a brain MRI slice with 422 not_brain_mri and the input check score, on both routes', async () => {
      // A plain circle, drawn here: the example of what used to come back "normal" at 99 %.
      const side = 256;
      const rgba = new Uint8ClampedArray(side * side * 4);
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
          const o = (y * side + x) * 4;
          rgba[o] = rgba[o + 1] = rgba[o + 2] = (x - 128) ** 2 + (y - 128) ** 2 < 75 ** 2 ? 255 : 0;
          rgba[o + 3] = 255;
        }
      }
      const circle = encodePng(rgba, side, side);
      for (const path of ['/v1/classify', '/v1/saliency', '/v1/classify?saliency=overlay']) {
        const res = await api.fetch(path, raw(circle, 'image/png'));
        expect(res.status, path).toBe(422);
        const { error } = await res.json();
        expect(error.code).toBe('not_brain_mri');
        expect(error.message).toMatch(/^This does not look like a brain MRI slice \(input check score 0\.\d{3}, accepted from 0\.\d{3}\)/);
        expect(error.score).toBeLessThan(0.3);
      }
      await classifyOk();
    });

    it('says which input check accepted a scan, and /v1/model describes both models', async () => {
      const body = await (await api.fetch('/v1/classify', raw(fixtureBytes(jpegFixture.file)))).json();
      expect(body.gate).toMatchObject({ score: expect.any(Number), threshold: expect.any(Number), model: { name: 'brain-mri-gate' } });
      expect(body.gate.score).toBeGreaterThanOrEqual(body.gate.threshold);
      expect(typeof body.timings.gate).toBe('number');
      const model = await (await api.fetch('/v1/model')).json();
      expect(model.gate).toMatchObject({ name: 'brain-mri-gate', labels: ['brain_mri', 'other'], sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    });

    it('answers a scan the input check accepted but doubts, marked uncertain with the reason input_unsure', async () => {
      // A class comes back, flagged for review, never bare.
      const body = await (await api.fetch('/v1/classify', raw(unsureScanPng(), 'image/png'))).json();
      expect(body.gate.score).toBeGreaterThanOrEqual(body.gate.threshold);
      expect(body.gate.score).toBeLessThan(body.gate.uncertain_below);
      expect(body.uncertain).toBe(true);
      expect(body.reasons).toContain('input_unsure');
      const model = await (await api.fetch('/v1/model')).json();
      expect(model.gate.uncertain_below).toBe(body.gate.uncertain_below);
      expect(model.gate.uncertain_below).toBeGreaterThan(model.gate.threshold);
    });

    it('answers unknown routes with a JSON 404', async () => {
      const res = await api.fetch('/v1/nothing-here');
      expect(res.status).toBe(404);
      expect((await res.json()).error.code).toBe('not_found');
    });
  });
}
