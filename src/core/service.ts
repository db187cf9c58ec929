// Bytes to an inference: decode (admitted by header), the input gate, then infer. The one request path the app, the CLI
// and the PACS watcher run; the kiosk runs the same steps itself because it shows the decoded scan before the result.
import type { Classifier, Inference } from './classifier.js';
import type { DecodedInput, DecodeOptions, InputDecoder } from './decoder.js';
import { notBrainMri, type Gate, type GateResult } from './gate.js';
import type { RawImage } from './image.js';
import { resizedPlanes } from './preprocess.js';

export interface Service {
  readonly decoder: InputDecoder;
  readonly classifier: Classifier;
  /** Absent when the server owner switched the gate off (GATE=off, research use only). */
  readonly gate?: Gate;
  warmup(): Promise<void>;
  release(): Promise<void>;
}

export interface Analysis {
  input: DecodedInput;
  /** The input gate's verdict (always accepted here: a refusal throws not_brain_mri); absent when the gate is off. */
  gate?: GateResult;
  inference: Inference;
  /** Milliseconds: decode, gate, preprocess, inference. */
  timings: { decode: number; gate?: number; preprocess: number; inference: number };
}

const ms = (t: number): number => Math.round(t * 1000) / 1000;

export function createService(parts: { decoder: InputDecoder; classifier: Classifier; gate?: Gate }): Service {
  const { decoder, classifier, gate } = parts;
  return {
    decoder,
    classifier,
    ...(gate ? { gate } : {}),
    async warmup() {
      await Promise.all([classifier.warmup(), decoder.warmup(), gate?.warmup()]);
    },
    async release() {
      await Promise.all([classifier.release(), gate?.release()]);
    },
  };
}

/**
 * The size below which a JPEG is never reduced while decoding: twice the classifier's input side. Training decodes its
 * JPEGs with the same rule (model/brainmri/preprocess.py, PIL's draft), so the pixels stay the same.
 */
export function reductionSize(classifier: Classifier): number {
  const { width, height } = classifier.manifest.preprocessing.resize;
  return 2 * Math.max(width, height);
}

/** Throws ImageInputError for input it cannot use, not_brain_mri (with the gate's score) included. */
export async function analyse(service: Service, bytes: Uint8Array, options: DecodeOptions): Promise<Analysis> {
  const t0 = globalThis.performance.now();
  const input = await service.decoder.decode(bytes, { reduceTo: reductionSize(service.classifier), ...options });
  const t1 = globalThis.performance.now();
  const decode = ms(t1 - t0);
  // A gate that starts from the classifier's resized scan (resize.via) gets it made first, once, counted as preprocessing.
  const shared = sharesClassifierPlane(service) ? modelSizePlanes(service.classifier, input.image) : 0;
  const resize = shared ? globalThis.performance.now() - t1 : 0;
  let gate: GateResult | undefined;
  if (service.gate) {
    gate = await service.gate.check(input.image);
    if (!gate.accepted) throw notBrainMri(gate);
  }
  const inference = await service.classifier.infer(input.image);
  const timings = { decode, ...(gate ? { gate: gate.ms } : {}), ...inference.timings, preprocess: ms(resize + inference.timings.preprocess) };
  return { input, ...(gate ? { gate } : {}), inference, timings };
}

/** Whether the gate resizes through the classifier's input size (its manifest's resize.via). */
function sharesClassifierPlane(service: Service): boolean {
  const via = service.gate?.manifest.preprocessing.resize.via;
  const { width, height } = service.classifier.manifest.preprocessing.resize;
  return via !== undefined && via.width === width && via.height === height;
}

function modelSizePlanes(classifier: Classifier, image: RawImage): number {
  const { resize, color } = classifier.manifest.preprocessing;
  return resizedPlanes(image, resize.width, resize.height, color).length;
}
