// The classifier every runtime serves: decode, preprocess, infer, summarise and optionally render saliency.
import type { ImageDecoder } from './decoder.js';
import type { InferenceEngine } from './engine.js';
import { ImageInputError } from './errors.js';
import type { RawImage } from './image.js';
import type { Manifest } from './manifest.js';
import { batchProbabilities, occlusionMap, type OcclusionOptions } from './occlusion.js';
import { encodePng } from './png.js';
import { isUncertain, summarise } from './postprocess.js';
import { preprocess } from './preprocess.js';
import { renderSaliency, SALIENCY_VIEWS, type SaliencyView } from './saliency.js';
import { sniffImageType } from './sniff.js';

export const DEFAULT_MAX_PIXELS = 40_000_000;
/** Smaller images carry too little anatomy to classify; a 1x1 upload is a mistake, not a scan. */
export const MIN_SIDE = 32;

export type SaliencyMethod = 'cam' | 'grad-cam' | 'occlusion';

export interface ClassifyOptions {
  saliency?: SaliencyView;
  /** A label; default the predicted class. */
  saliencyClass?: string;
  /** Per-call pixel limit (the app's configured limit); default the classifier's. */
  maxPixels?: number;
}

export interface SaliencyResult {
  view: SaliencyView;
  label: string;
  method: SaliencyMethod;
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
  png: Uint8Array;
}

export interface Timings {
  decode: number;
  preprocess: number;
  inference: number;
  saliency?: number;
  total: number;
}

export interface ClassifyResult {
  label: string;
  confidence: number;
  uncertain: boolean;
  probabilities: Record<string, number>;
  model: { name: string; version: string; sha256: string };
  image: { width: number; height: number };
  timings: Timings;
  saliency?: SaliencyResult;
}

export interface Classifier {
  readonly manifest: Manifest;
  readonly backend: string;
  readonly saliencyMethod: SaliencyMethod;
  warmup(): Promise<void>;
  classify(bytes: Uint8Array, opts?: ClassifyOptions): Promise<ClassifyResult>;
  classifyImage(image: RawImage, opts?: ClassifyOptions): Promise<ClassifyResult>;
  release(): Promise<void>;
}

export interface ClassifierOptions {
  manifest: Manifest;
  engine: InferenceEngine;
  /** Needed by classify(bytes); the kiosk decodes itself and calls classifyImage only. */
  decoder?: ImageDecoder;
  maxPixels?: number;
  occlusion?: OcclusionOptions;
  /** PNG encoder override (Node may use a native one); must be lossless. Defaults to the pure-JS encoder. */
  encodePng?: (rgba: Uint8ClampedArray, width: number, height: number) => Uint8Array | Promise<Uint8Array>;
}

const now = (): number => globalThis.performance.now();
const ms = (t: number): number => Math.round(t * 1000) / 1000;

export function createClassifier(options: ClassifierOptions): Classifier {
  const { manifest, engine, decoder } = options;
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const labels = manifest.labels;
  const camName = manifest.outputs.cam;
  const saliencyMethod: SaliencyMethod = camName ? (manifest.cam?.method ?? 'cam') : 'occlusion';
  const png = options.encodePng ?? encodePng;

  function checkOptions(opts: ClassifyOptions): void {
    if (opts.saliency !== undefined && !SALIENCY_VIEWS.includes(opts.saliency)) {
      throw new ImageInputError('invalid_parameter', `saliency view "${opts.saliency}" is unknown; use one of: ${SALIENCY_VIEWS.join(', ')}`);
    }
    if (opts.saliencyClass !== undefined && !labels.includes(opts.saliencyClass)) {
      throw new ImageInputError('invalid_parameter', `class "${opts.saliencyClass}" is not a label of this model; use one of: ${labels.join(', ')}`);
    }
  }

  function checkImage(image: RawImage, maxPixels: number): void {
    const { width, height } = image;
    if (width * height > maxPixels) {
      throw new ImageInputError('too_many_pixels', `the image is ${width}x${height} = ${width * height} pixels; the limit is ${maxPixels}`);
    }
    if (width < MIN_SIDE || height < MIN_SIDE) {
      throw new ImageInputError('image_too_small', `the image is ${width}x${height}; send at least ${MIN_SIDE}x${MIN_SIDE} pixels`);
    }
  }

  async function decode(bytes: Uint8Array, maxPixels: number): Promise<RawImage> {
    if (!decoder) throw new Error('this classifier has no decoder; call classifyImage() with decoded pixels');
    if (bytes.byteLength === 0) throw new ImageInputError('empty_body', 'the request has no image; send JPEG or PNG bytes as the body or as multipart field "file"');
    const type = sniffImageType(bytes);
    if (!type) {
      throw new ImageInputError('not_an_image', `the bytes are not an image (no known file signature); accepted: ${decoder.accepts.join(', ')}`);
    }
    if (!decoder.accepts.includes(type)) {
      throw new ImageInputError('unsupported_type', `${type} is not supported here; accepted: ${decoder.accepts.join(', ')}`);
    }
    try {
      return await decoder.decode(bytes, { maxPixels });
    } catch (err) {
      if (err instanceof ImageInputError) throw err;
      throw new ImageInputError('corrupt_image', `the ${type} could not be decoded (truncated or damaged file): ${(err as Error).message}`);
    }
  }

  async function run(image: RawImage, opts: ClassifyOptions, decodeMs: number, t0: number): Promise<ClassifyResult> {
    checkImage(image, opts.maxPixels ?? maxPixels);
    const t1 = now();
    const input = preprocess(image, manifest);
    const t2 = now();
    const outputs = await engine.run({ [manifest.input.name]: input });
    const probs = batchProbabilities(outputs, manifest)[0];
    const t3 = now();
    const top = summarise(probs, labels);
    let saliency: SaliencyResult | undefined;
    if (opts.saliency) {
      const label = opts.saliencyClass ?? top.label;
      const index = labels.indexOf(label);
      let map: ArrayLike<number>;
      let mw: number;
      let mh: number;
      if (camName) {
        const cam = outputs[camName];
        if (!cam) throw new Error(`the engine returned no "${camName}" output`);
        [, , mh, mw] = cam.dims;
        map = cam.data.subarray(index * mw * mh, (index + 1) * mw * mh);
      } else {
        ({ map, width: mw, height: mh } = await occlusionMap(engine, manifest, input, probs[index], index, options.occlusion));
      }
      const rgba = renderSaliency(map, mw, mh, image, opts.saliency);
      saliency = { view: opts.saliency, label, method: saliencyMethod, width: image.width, height: image.height, rgba, png: await png(rgba, image.width, image.height) };
    }
    const t4 = now();
    return {
      label: top.label,
      confidence: top.confidence,
      uncertain: isUncertain(top.confidence, manifest.thresholds.uncertain),
      probabilities: top.probabilities,
      model: { name: manifest.name, version: manifest.version, sha256: manifest.model.sha256 },
      image: { width: image.width, height: image.height },
      timings: {
        decode: ms(decodeMs),
        preprocess: ms(t2 - t1),
        inference: ms(t3 - t2),
        ...(saliency ? { saliency: ms(t4 - t3) } : {}),
        total: ms(t4 - t0),
      },
      saliency,
    };
  }

  return {
    manifest,
    backend: engine.backend,
    saliencyMethod,
    async warmup() {
      // Twice the model's size, so the downscaling resize path is compiled before the first real request.
      const width = manifest.preprocessing.resize.width * 2;
      const height = manifest.preprocessing.resize.height * 2;
      const image: RawImage = { data: new Uint8Array(width * height).map((_, i) => i % 251), width, height, channels: 1 };
      await this.classifyImage(image);
      // Compile the saliency renderer too, but leave PNG encoding out: a native encoder may still be loading.
      const { width: mw, height: mh } = manifest.cam ?? { width: 8, height: 8 };
      renderSaliency(new Float32Array(mw * mh).fill(1), mw, mh, image, 'overlay');
    },
    async classify(bytes, opts = {}) {
      checkOptions(opts);
      const t0 = now();
      const image = await decode(bytes, opts.maxPixels ?? maxPixels);
      return run(image, opts, now() - t0, t0);
    },
    async classifyImage(image, opts = {}) {
      checkOptions(opts);
      return run(image, opts, 0, now());
    },
    release: () => engine.release(),
  };
}
