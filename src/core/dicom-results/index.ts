// DICOM results (SR + overlay Secondary Capture) from one slice's classification: pure, bytes in and bytes out, for every runtime.
export { buildOverlaySc, SC_SERIES_DESCRIPTION, SECONDARY_CAPTURE_SOP_CLASS } from './overlay-sc.js';
export { buildResultSr, COMPREHENSIVE_SR_SOP_CLASS, SR_SERIES_DESCRIPTION } from './result-sr.js';
export { DicomSourceError, readSourceInstance, SourceInstance } from './source-instance.js';
export { DEFAULT_NOTICE, type AlgorithmIdentity, type DerivedObjectOptions, type InstanceReference, type OverlayPixels, type ResultForDicom, type ResultSrOptions } from './types.js';
export { isValidUid, newUid, uidFromHex } from './uid.js';
