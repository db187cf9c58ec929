// The classifier every runtime serves: infer() runs the model once; explain() renders any class's map from that result.
import type { EngineTensor, InferenceEngine } from './engine.js';
import { ImageInputError } from './errors.js';
import type { RawImage, RgbaImage } from './image.js';
import type { Manifest } from './manifest.js';
import { occlusionMap, type OcclusionOptions } from './occlusion.js';
import { batchProbabilities, isUncertain, summarise, type UncertainReason } from './postprocess.js';
import { preprocess } from './preprocess.js';
import { renderSaliency, SALIENCY_VIEWS, type SaliencyView } from './saliency.js';

/** Smaller images carry too little anatomy to classify; a 1x1 upload is a mistake, not a scan. */
export const MIN_SIDE = 32;

export type SaliencyMethod = 'cam' | 'grad-cam' | 'occlusion';

export interface ModelId {
  name: string;
  version: string;
  sha256: string;
}

/** Every class's raw (not ReLU'd, not normalised) activation map, in label order, as the graph computed them. */
export interface ClassMaps {
  data: Float32Array;
  width: number;
  height: number;
  labels: readonly string[];
}

/** One model run and everything later steps need from it: explain() renders from `maps` without running the model. */
export interface Inference {
  label: string;
  confidence: number;
  uncertain: boolean;
  /** Why `uncertain` is true (empty otherwise): low_confidence, unfamiliar, input_unsure (the input gate's doubt). */
  reasons: UncertainReason[];
  probabilities: Record<string, number>;
  /** How far the scan's features lie from the training data's (higher: less familiar), when the model exports it. */
  familiarity?: { score: number; threshold: number };
  maps?: ClassMaps;
  /** Penultimate features, when the model exports them. */
  features?: Float32Array;
  model: ModelId;
  image: { width: number; height: number };
  /** Milliseconds per stage. */
  timings: { preprocess: number; inference: number };
}

export interface Explanation {
  label: string;
  view: SaliencyView;
  method: SaliencyMethod;
  /** At the scan's size. */
  rgba: RgbaImage;
  ms: number;
}

export interface ExplainOptions {
  /** A label; default the predicted one. */
  label?: string;
  view: SaliencyView;
}

export interface Classifier {
  readonly manifest: Manifest;
  readonly backend: string;
  readonly saliencyMethod: SaliencyMethod;
  readonly model: ModelId;
  warmup(): Promise<void>;
  infer(image: RawImage): Promise<Inference>;
  /** Renders from the inference's maps; only a model without maps runs again (occlusion), and says so in `method`. */
  explain(inference: Inference, image: RawImage, options: ExplainOptions): Promise<Explanation>;
  release(): Promise<void>;
}

export interface ClassifierOptions {
  manifest: Manifest;
  engine: InferenceEngine;
  occlusion?: OcclusionOptions;
}

const now = (): number => globalThis.performance.now();
const ms = (t: number): number => Math.round(t * 1000) / 1000;

/** Refuses images too small to hold a slice; every runtime calls this before preprocessing. */
export function checkImageSize(image: { width: number; height: number }): void {
  if (image.width < MIN_SIDE || image.height < MIN_SIDE) {
    throw new ImageInputError('image_too_small', `The image is ${image.width} x ${image.height}; send at least ${MIN_SIDE} x ${MIN_SIDE} pixels.`);
  }
}

/** Throws invalid_parameter naming the accepted values when a view or label is unknown. */
export function checkExplainOptions(labels: readonly string[], options: Partial<ExplainOptions>): void {
  if (options.view !== undefined && !SALIENCY_VIEWS.includes(options.view)) {
    throw new ImageInputError('invalid_parameter', `Saliency view "${options.view}" is unknown; use one of: ${SALIENCY_VIEWS.join(', ')}.`);
  }
  if (options.label !== undefined && !labels.includes(options.label)) {
    throw new ImageInputError('invalid_parameter', `Class "${options.label}" is not a label of this model; use one of: ${labels.join(', ')}.`);
  }
}

export function createClassifier(options: ClassifierOptions): Classifier {
  const { manifest, engine } = options;
  const labels = manifest.labels;
  const names = manifest.outputs;
  const saliencyMethod: SaliencyMethod = names.cam ? (manifest.cam?.method ?? 'cam') : 'occlusion';
  const model: ModelId = { name: manifest.name, version: manifest.version, sha256: manifest.model.sha256 };
  // Occlusion needs the model input again; kept per inference, never serialised with it.
  const inputs = new WeakMap<Inference, EngineTensor>();

  async function infer(image: RawImage): Promise<Inference> {
    checkImageSize(image);
    const t0 = now();
    const input = preprocess(image, manifest);
    const t1 = now();
    const outputs = await engine.run({ [manifest.input.name]: input });
    const t2 = now();
    const top = summarise(batchProbabilities(outputs, manifest)[0], labels);
    const reasons: UncertainReason[] = [];
    if (isUncertain(top.confidence, manifest.thresholds.uncertain ?? 0)) reasons.push('low_confidence');
    let familiarity: Inference['familiarity'];
    if (names.familiarity && manifest.familiarity) {
      const score = outputs[names.familiarity].data[0];
      familiarity = { score, threshold: manifest.familiarity.threshold };
      if (!(score <= manifest.familiarity.threshold)) reasons.push('unfamiliar'); // NaN counts as unfamiliar
    }
    let maps: ClassMaps | undefined;
    if (names.cam) {
      const cam = outputs[names.cam];
      if (!cam) throw new Error(`the engine returned no "${names.cam}" output`);
      const [, , h, w] = cam.dims;
      maps = { data: cam.data.subarray(0, labels.length * w * h), width: w, height: h, labels };
    }
    const inference: Inference = {
      label: top.label,
      confidence: top.confidence,
      uncertain: reasons.length > 0,
      reasons,
      probabilities: top.probabilities,
      ...(familiarity ? { familiarity } : {}),
      ...(maps ? { maps } : {}),
      ...(names.features && outputs[names.features] ? { features: outputs[names.features].data } : {}),
      model,
      image: { width: image.width, height: image.height },
      timings: { preprocess: ms(t1 - t0), inference: ms(t2 - t1) },
    };
    if (!maps) inputs.set(inference, input);
    return inference;
  }

  async function explain(inference: Inference, image: RawImage, opts: ExplainOptions): Promise<Explanation> {
    checkExplainOptions(labels, opts);
    const t0 = now();
    const label = opts.label ?? inference.label;
    const index = labels.indexOf(label);
    let map: ArrayLike<number>;
    let w: number;
    let h: number;
    if (inference.maps) {
      ({ width: w, height: h } = inference.maps);
      map = inference.maps.data.subarray(index * w * h, (index + 1) * w * h);
    } else {
      const input = inputs.get(inference) ?? preprocess(image, manifest);
      ({ map, width: w, height: h } = await occlusionMap(engine, manifest, input, inference.probabilities[label], index, options.occlusion));
    }
    const data = renderSaliency(map, w, h, image, opts.view);
    return { label, view: opts.view, method: saliencyMethod, rgba: { data, width: image.width, height: image.height }, ms: ms(now() - t0) };
  }

  return {
    manifest,
    backend: engine.backend,
    saliencyMethod,
    model,
    async warmup() {
      // Twice the model's size, so the downscaling resize path is compiled before the first real request.
      const width = manifest.preprocessing.resize.width * 2;
      const height = manifest.preprocessing.resize.height * 2;
      const image: RawImage = { data: new Uint8Array(width * height).map((_, i) => i % 251), width, height, channels: 1 };
      const inference = await infer(image);
      await explain(inference, image, { view: 'overlay' });
    },
    infer,
    explain,
    release: () => engine.release(),
  };
}
