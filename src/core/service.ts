// Bytes to an inference: decode (admitted by header) then infer. The one request path the app, the CLI and the PACS
// watcher run; the kiosk runs the same two steps itself because it shows the decoded scan before the result.
import type { Classifier, Inference } from './classifier.js';
import type { DecodedInput, DecodeOptions, InputDecoder } from './decoder.js';

export interface Service {
  readonly decoder: InputDecoder;
  readonly classifier: Classifier;
  warmup(): Promise<void>;
  release(): Promise<void>;
}

export interface Analysis {
  input: DecodedInput;
  inference: Inference;
  /** Milliseconds: decode, preprocess, inference. */
  timings: { decode: number; preprocess: number; inference: number };
}

const ms = (t: number): number => Math.round(t * 1000) / 1000;

export function createService(parts: { decoder: InputDecoder; classifier: Classifier }): Service {
  const { decoder, classifier } = parts;
  return {
    decoder,
    classifier,
    async warmup() {
      await Promise.all([classifier.warmup(), decoder.warmup()]);
    },
    release: () => classifier.release(),
  };
}

export async function analyse(service: Service, bytes: Uint8Array, options: DecodeOptions): Promise<Analysis> {
  const t0 = globalThis.performance.now();
  const input = await service.decoder.decode(bytes, options);
  const decode = ms(globalThis.performance.now() - t0);
  const inference = await service.classifier.infer(input.image);
  return { input, inference, timings: { decode, ...inference.timings } };
}
