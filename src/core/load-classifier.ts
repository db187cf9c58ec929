// The one model-loading path: a manifest and its .onnx bytes (however a runtime got them) to a checked, ready classifier.
import { createClassifier, type Classifier } from './classifier.js';
import type { InferenceEngine } from './engine.js';
import type { Manifest } from './manifest.js';
import { loadModel, ModelLoadError } from './model-loader.js';
import type { OcclusionOptions } from './occlusion.js';

export interface ModelParts {
  /** The parsed manifest JSON. */
  manifest: unknown;
  /** The .onnx file's bytes. */
  onnx: Uint8Array;
}

export interface LoadClassifierOptions extends ModelParts {
  /** The runtime's engine factory: how it loads ORT and which execution provider it picks. */
  createEngine: (onnx: Uint8Array, manifest: Manifest) => Promise<InferenceEngine>;
  occlusion?: OcclusionOptions;
}

/** Refuses (ModelLoadError naming the field) a model whose size, sha256 or graph names disagree with its manifest. */
export async function loadClassifier(options: LoadClassifierOptions): Promise<Classifier> {
  const { manifest, engine } = await loadModel(options);
  if (manifest.task !== 'classifier') {
    await engine.release();
    throw new ModelLoadError('task', `"${manifest.task}" is not a classifier manifest; point MODEL at the classifier's manifest`);
  }
  return createClassifier({ manifest, engine, occlusion: options.occlusion });
}
