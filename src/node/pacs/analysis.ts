// The analysis the PACS watcher runs per slice, injected so the runtime's decoder and classifier can change under it.
import type { OverlayPixels, ResultForDicom } from '../../core/dicom-results/index.js';

export interface Refusal {
  /** Machine-readable: not_mr, unsupported_transfer_syntax, not_brain_mri, ... */
  code: string;
  /** What was wrong and what is accepted; no patient data. */
  message: string;
}

export type AnalysisOutcome = { result: ResultForDicom; overlay: OverlayPixels } | { refused: Refusal };

/** One DICOM instance in, one result (or a recorded refusal) out. Throwing means "try again later". */
export type Analyse = (dicomBytes: Uint8Array) => Promise<AnalysisOutcome>;

export function isRefusal(outcome: AnalysisOutcome): outcome is { refused: Refusal } {
  return 'refused' in outcome;
}
