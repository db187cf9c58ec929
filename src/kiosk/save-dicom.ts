// "Save as DICOM": the result SR and the overlay Secondary Capture for the DICOM scan on screen, zipped for a USB stick.
import { zipSync } from 'fflate';
import { sniffFormat } from '../core/decoders/sniff.js';
import type { KioskResult, Scan } from './result.js';

/** Only a DICOM scan has a study (patient, study UIDs) the results can join. */
export function canSaveAsDicom(scan: Scan | undefined): boolean {
  return scan !== undefined && scan.bytes.length > 0 && sniffFormat(scan.bytes) === 'dicom';
}

/**
 * Builds both objects with the core's writer (loaded only now: dcmjs is large and most sessions never need it) and
 * downloads them. `uncertain`/`reasons` are the screen's own (the kiosk's review threshold may differ from the model's).
 */
export async function saveAsDicom(scan: Scan, result: KioskResult, uncertain: boolean, reasons: string[]): Promise<string> {
  const { buildOverlaySc, buildResultSr, newUid, readSourceInstance, SECONDARY_CAPTURE_SOP_CLASS } = await import('../core/dicom-results/index.js');
  const source = readSourceInstance(scan.bytes);
  const forDicom = {
    label: result.label,
    confidence: result.confidence,
    uncertain,
    reasons,
    probabilities: result.probabilities,
    model: result.model,
    ...(result.gate ? { gate: { accepted: true, score: result.gate.score, model: result.gate.model } } : {}),
  };
  const scSeries = newUid();
  const scUid = newUid();
  const sc = buildOverlaySc(source, { rgba: result.overlay.rgba, width: result.overlay.width, height: result.overlay.height }, forDicom, {
    seriesInstanceUid: scSeries,
    sopInstanceUid: scUid,
  });
  const sr = buildResultSr(source, forDicom, { overlay: { sopClassUid: SECONDARY_CAPTURE_SOP_CLASS, sopInstanceUid: scUid, seriesInstanceUid: scSeries } });
  const zip = zipSync({ 'RESULT_SR.dcm': sr, 'OVERLAY_SC.dcm': sc }, { level: 0 });
  const name = `brain-mri-result-${new Date().toISOString().replace(/[:.]/g, '-')}.zip`;
  const url = URL.createObjectURL(new Blob([zip as Uint8Array<ArrayBuffer>], { type: 'application/zip' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}
