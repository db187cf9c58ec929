// Bytes to an inference: decode (admitted by header), the input gate, then infer. The one request path the app, the CLI
// and the PACS watcher run; the kiosk runs the same steps itself because it shows the decoded scan before the result.
import type { Classifier, Inference } from './classifier.js';
import type { DecodedInput, DecodeOptions, InputDecoder } from './decoder.js';
import { notBrainMri, noteGateDoubt, type Gate, type GateResult } from './gate.js';

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
  const decode = ms(globalThis.performance.now() - t0);
  let gate: GateResult | undefined;
  if (service.gate) {
    gate = await service.gate.check(input.image);
    if (!gate.accepted) throw notBrainMri(gate);
  }
  const inference = noteGateDoubt(await service.classifier.infer(input.image), gate);
  return { input, ...(gate ? { gate } : {}), inference, timings: { decode, ...(gate ? { gate: gate.ms } : {}), ...inference.timings } };
}
