// The input gate: a small separate model that answers "is this a brain MRI slice?" before any class is given.
import { checkImageSize, type Inference, type ModelId } from './classifier.js';
import type { InferenceEngine } from './engine.js';
import { ImageInputError } from './errors.js';
import type { RawImage } from './image.js';
import type { Manifest } from './manifest.js';
import { loadModel, ModelLoadError } from './model-loader.js';
import { batchProbabilities } from './postprocess.js';
import { preprocess } from './preprocess.js';

export interface GateResult {
  accepted: boolean;
  /**
   * Accepted, but under the manifest's thresholds.uncertain: the gate is not sure this is a brain MRI slice, so the
   * result goes for review (reason input_unsure) instead of standing as a bare class.
   */
  unsure: boolean;
  /** The gate's probability that the image is a brain MRI slice. */
  score: number;
  /** Accepted at or above this (the manifest's thresholds.accept). */
  threshold: number;
  /** Accepted but unsure under this (thresholds.uncertain; equal to threshold where the manifest sets no band). */
  uncertainBelow: number;
  model: ModelId;
  /** Milliseconds: preprocessing and the model run together. */
  ms: number;
}

export interface Gate {
  readonly manifest: Manifest;
  readonly model: ModelId;
  readonly backend: string;
  /** See GateResult.uncertainBelow. */
  readonly uncertainBelow: number;
  check(image: RawImage): Promise<GateResult>;
  warmup(): Promise<void>;
  release(): Promise<void>;
}

/** The label whose probability is the score; the gate's manifest lists it first. */
export const BRAIN_MRI = 'brain_mri';

export function createGate(manifest: Manifest, engine: InferenceEngine): Gate {
  const index = manifest.labels.indexOf(BRAIN_MRI);
  const threshold = manifest.thresholds.accept!;
  // No band when the manifest gives none (or one at the acceptance threshold, as gates before 0.5.1 did).
  const sure = Math.max(threshold, manifest.thresholds.uncertain ?? threshold);
  const model: ModelId = { name: manifest.name, version: manifest.version, sha256: manifest.model.sha256 };
  const check = async (image: RawImage): Promise<GateResult> => {
    checkImageSize(image);
    const t0 = globalThis.performance.now();
    const outputs = await engine.run({ [manifest.input.name]: preprocess(image, manifest) });
    const score = batchProbabilities(outputs, manifest)[0][index];
    return { accepted: score >= threshold, unsure: score >= threshold && score < sure, score, threshold, uncertainBelow: sure, model, ms: Math.round((globalThis.performance.now() - t0) * 1000) / 1000 };
  };
  return {
    manifest,
    model,
    backend: engine.backend,
    uncertainBelow: sure,
    check,
    async warmup() {
      const { width, height } = manifest.preprocessing.resize;
      await check({ data: new Uint8Array(width * height * 16).map((_, i) => i % 251), width: width * 4, height: height * 4, channels: 1 });
    },
    release: () => engine.release(),
  };
}

/** Like loadClassifier, for the gate: the manifest must say task "gate" and have labels brain_mri and another. */
export async function loadGate(options: {
  manifest: unknown;
  onnx: Uint8Array;
  createEngine: (onnx: Uint8Array, manifest: Manifest) => Promise<InferenceEngine>;
}): Promise<Gate> {
  const { manifest, engine } = await loadModel(options);
  const problem =
    manifest.task !== 'gate'
      ? ['task', `"${manifest.task}" is not a gate manifest; point GATE_MODEL at the gate's manifest`]
      : !manifest.labels.includes(BRAIN_MRI)
        ? ['labels', `a gate's labels must include "${BRAIN_MRI}" (got ${manifest.labels.join(', ')})`]
        : undefined;
  if (problem) {
    await engine.release();
    throw new ModelLoadError(problem[0], problem[1]);
  }
  return createGate(manifest, engine);
}

/**
 * Every runtime's step after an accepted gate: when the gate was unsure, the classifier's result is marked uncertain with
 * the reason input_unsure. In place: the classifier keys what explain() needs by the inference object itself.
 */
export function noteGateDoubt(inference: Inference, gate: GateResult | undefined): Inference {
  if (gate?.unsure && !inference.reasons.includes('input_unsure')) {
    inference.reasons.push('input_unsure');
    inference.uncertain = true;
  }
  return inference;
}

/** The refusal every runtime gives (HTTP 422 not_brain_mri, the kiosk's screen, the CLI's line). */
export function notBrainMri(result: GateResult): ImageInputError {
  return new ImageInputError(
    'not_brain_mri',
    `This does not look like a brain MRI slice (input check score ${result.score.toFixed(3)}, accepted from ${result.threshold.toFixed(3)}). ` +
      'Send one MRI slice of the head: a DICOM or NIfTI file, or a JPEG/PNG export of the slice (not a photograph of a screen, a document or another body part).',
    { score: Math.round(result.score * 1e6) / 1e6 },
  );
}
