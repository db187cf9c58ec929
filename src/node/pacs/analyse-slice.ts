// The PACS watcher's analysis of one instance: the service's own request path (DICOM decode, infer, explain), so a slice
// from Orthanc gets exactly the answer the HTTP API gives for the same file.
import { ImageInputError } from '../../core/errors.js';
import type { Service } from '../../core/service.js';
import { analyse as analyseBytes } from '../../core/service.js';
import type { Analyse } from './analysis.js';

export interface SliceLimits {
  maxPixels: number;
  maxDecodedBytes?: number;
}

/**
 * `service` is a getter, so a lazily loaded model works. Refusals (not MR, not a brain MRI by the input gate,
 * undecodable, ...) are recorded, not retried, and get no SR: there is no classification to report.
 */
export function createSliceAnalyser(service: () => Promise<Service>, limits: SliceLimits): Analyse {
  return async (bytes) => {
    const s = await service();
    try {
      const { input, gate, inference } = await analyseBytes(s, bytes, limits);
      const overlay = await s.classifier.explain(inference, input.image, { view: 'overlay' });
      return {
        result: {
          label: inference.label,
          confidence: inference.confidence,
          uncertain: inference.uncertain,
          reasons: inference.reasons,
          probabilities: inference.probabilities,
          ...(inference.familiarity ? { familiarity: inference.familiarity } : {}),
          ...(gate ? { gate: { accepted: gate.accepted, score: gate.score, model: gate.model } } : {}),
          model: inference.model,
        },
        overlay: { rgba: overlay.rgba.data, width: overlay.rgba.width, height: overlay.rgba.height },
      };
    } catch (err) {
      if (err instanceof ImageInputError) return { refused: { code: err.code, message: err.message } };
      throw err;
    }
  };
}
