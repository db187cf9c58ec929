// Server mode: sends the image to the API (POST /v1/classify, /v1/saliency) and shows the answer in the same view.
import { ImageInputError, isInputErrorCode } from '../core/errors.js';
import { decodePngPixels } from '../core/png.js';
import type { KioskResult, Overlay, Runner, Scan } from './result.js';

interface ClassifyJson {
  label: string;
  confidence: number;
  probabilities: Record<string, number>;
  model: { name: string; version: string; sha256: string };
  image: { width: number; height: number };
  reasons?: string[];
  gate?: { score: number; uncertain_below?: number; model: { name: string; version: string; sha256: string } } | null;
  timings?: Record<string, number>;
  saliency?: { label: string; width: number; height: number; dataUrl: string }[];
}

/** PNG bytes to RGBA with the core's decoder, so server and device overlays land on the canvas the same way. */
function overlayFromPng(png: Uint8Array, label: string): Overlay {
  const p = decodePngPixels(png);
  if (p.depth !== 8 || (p.channels !== 4 && p.channels !== 3)) throw new Error(`the server sent a ${p.depth}-bit ${p.channels}-channel PNG; expected 8-bit RGB(A)`);
  const rgba = new Uint8ClampedArray(p.width * p.height * 4);
  for (let i = 0, s = 0, o = 0; i < p.width * p.height; i++, s += p.channels, o += 4) {
    rgba[o] = p.data[s];
    rgba[o + 1] = p.data[s + 1];
    rgba[o + 2] = p.data[s + 2];
    rgba[o + 3] = p.channels === 4 ? p.data[s + 3] : 255;
  }
  return { label, width: p.width, height: p.height, rgba };
}

function fromDataUrl(url: string): Uint8Array {
  const comma = url.indexOf(',');
  const binary = atob(url.slice(comma + 1));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export class ServerRunner implements Runner {
  readonly source = 'server' as const;
  readonly base: URL;
  readonly host: string;
  backend = 'server';

  constructor(server: string) {
    this.base = new URL(server || './', document.baseURI);
    this.host = this.base.host;
  }

  private async post(path: string, scan: Scan): Promise<Response> {
    const url = new URL(path, this.base);
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        body: scan.bytes as Uint8Array<ArrayBuffer>,
        headers: { 'Content-Type': scan.mediaType.startsWith('image/') ? scan.mediaType : 'application/octet-stream' },
        cache: 'no-store',
      });
    } catch {
      throw new Error(`Cannot reach the server at ${this.host}. Check the network, or switch to "On this device" in settings.`);
    }
    if (!response.ok) {
      let body: { error?: { code?: string; message?: string } } = {};
      try {
        body = (await response.json()) as typeof body;
      } catch {
        // Not our API's JSON error; keep the status.
      }
      const { code, message } = body.error ?? {};
      // The same refusals the device path gives (the input gate's included), with the server's words.
      if (code && message && isInputErrorCode(code)) throw new ImageInputError(code, message);
      throw new Error(message ? `The server says: ${message}` : `The server answered ${response.status}`);
    }
    return response;
  }

  private async describe(): Promise<void> {
    if (this.backend !== 'server') return;
    try {
      const model = (await (await fetch(new URL('v1/model', this.base), { cache: 'no-store' })).json()) as { backend?: string };
      if (model.backend) this.backend = model.backend;
    } catch {
      // Only the badge detail is lost.
    }
  }

  async classify(scan: Scan): Promise<KioskResult> {
    const t0 = performance.now();
    const [response] = await Promise.all([this.post('v1/classify?saliency=overlay', scan), this.describe()]);
    const r = (await response.json()) as ClassifyJson;
    const map = r.saliency?.[0];
    if (!map) throw new Error('The server sent no heatmap; it may be an older version of this service.');
    return {
      source: 'server',
      label: r.label,
      confidence: r.confidence,
      probabilities: r.probabilities,
      reasons: r.reasons ?? [],
      labels: Object.keys(r.probabilities),
      model: r.model,
      ...(r.gate ? { gate: { score: r.gate.score, uncertainBelow: r.gate.uncertain_below, model: r.gate.model } } : {}),
      backend: this.backend,
      image: r.image,
      overlay: overlayFromPng(fromDataUrl(map.dataUrl), map.label),
      elapsedMs: performance.now() - t0,
      timings: r.timings,
    };
  }

  async overlayFor(scan: Scan, label: string): Promise<Overlay> {
    const response = await this.post(`v1/saliency?view=overlay&class=${encodeURIComponent(label)}`, scan);
    return overlayFromPng(new Uint8Array(await response.arrayBuffer()), response.headers.get('X-Saliency-Class') ?? label);
  }
}
