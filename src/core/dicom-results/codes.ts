// Coded concepts the result objects use: DICOM (DCM), SNOMED CT, UCUM, UMLS, and this project's private scheme.

export interface Code {
  CodeValue: string;
  CodingSchemeDesignator: string;
  CodeMeaning: string;
}

const dcm = (value: string, meaning: string): Code => ({ CodeValue: value, CodingSchemeDesignator: 'DCM', CodeMeaning: meaning });
const sct = (value: string, meaning: string): Code => ({ CodeValue: value, CodingSchemeDesignator: 'SCT', CodeMeaning: meaning });

/** Private coding scheme ("99" prefix, PS3.16 8.2) for the demonstration model's classes and outputs: no standard code says "this demo's glioma probability". */
export const PRIVATE_SCHEME = '99BRAINMRI';
export const PRIVATE_SCHEME_IDENTIFICATION = {
  CodingSchemeDesignator: PRIVATE_SCHEME,
  CodingSchemeName: 'brain-mri demonstration classifier concepts',
  CodingSchemeResponsibleOrganization: 'brain-mri project (demonstration, not for diagnosis)',
};
const priv = (value: string, meaning: string): Code => ({ CodeValue: value, CodingSchemeDesignator: PRIVATE_SCHEME, CodeMeaning: meaning.slice(0, 64) });

export const CODES = {
  imagingMeasurementReport: dcm('126000', 'Imaging Measurement Report'),
  language: dcm('121049', 'Language of Content Item and Descendants'),
  englishUS: { CodeValue: 'en-US', CodingSchemeDesignator: 'RFC5646', CodeMeaning: 'English (United States)' } as Code,
  observerType: dcm('121005', 'Observer Type'),
  device: dcm('121007', 'Device'),
  deviceObserverUid: dcm('121012', 'Device Observer UID'),
  deviceObserverName: dcm('121013', 'Device Observer Name'),
  deviceObserverManufacturer: dcm('121014', 'Device Observer Manufacturer'),
  deviceObserverModelName: dcm('121015', 'Device Observer Model Name'),
  procedureReported: dcm('121058', 'Procedure reported'),
  imagingProcedure: sct('363679005', 'Imaging procedure'),
  imageLibrary: dcm('111028', 'Image Library'),
  imageLibraryGroup: dcm('126200', 'Image Library Group'),
  imagingMeasurements: dcm('126010', 'Imaging Measurements'),
  measurementGroup: dcm('125007', 'Measurement Group'),
  trackingIdentifier: dcm('112039', 'Tracking Identifier'),
  trackingUid: dcm('112040', 'Tracking Unique Identifier'),
  finding: dcm('121071', 'Finding'),
  algorithmName: dcm('111001', 'Algorithm Name'),
  algorithmVersion: dcm('111003', 'Algorithm Version'),
  algorithmParameters: dcm('111002', 'Algorithm Parameters'),
  sourceOfMeasurement: dcm('121112', 'Source of Measurement'),
  qualitativeEvaluations: { CodeValue: 'C0034375', CodingSchemeDesignator: 'UMLS', CodeMeaning: 'Qualitative Evaluations' } as Code,
  comment: dcm('121106', 'Comment'),
  yes: sct('373066001', 'Yes'),
  no: sct('373067005', 'No'),
  noUnits: { CodeValue: '1', CodingSchemeDesignator: 'UCUM', CodeMeaning: 'no units' } as Code,
  sourceImagePurpose: dcm('121322', 'Source image for image processing operation'),
  // Private: what the demonstration model reports.
  confidence: priv('CONFIDENCE', 'Confidence of the predicted class'),
  uncertain: priv('UNCERTAIN', 'Result flagged uncertain: refer for review'),
  uncertainReason: priv('UNCERTAIN-WHY', 'Reason the result is flagged uncertain'),
  familiarityScore: priv('FAMILIAR-SCORE', 'Input familiarity score'),
  familiarityThreshold: priv('FAMILIAR-MIN', 'Input familiarity threshold'),
  gateAccepted: priv('GATE-ACCEPTED', 'Input accepted as a brain MRI slice'),
  gateScore: priv('GATE-SCORE', 'Brain MRI input gate score'),
  saliencyOverlay: priv('SALIENCY', 'Saliency overlay of the predicted class'),
} as const;

const SAFE_LABEL = /^[A-Za-z0-9_.-]{1,11}$/;

/** The private code of a class label; labels that do not fit a short code value get their output index. */
export function classCode(label: string, index: number): Code {
  return priv(SAFE_LABEL.test(label) ? label.toUpperCase() : `CLASS-${index}`, label);
}

/** "Probability of <label>" as a private concept; its code value stays within SH's 16 characters. */
export function probabilityCode(label: string, index: number): Code {
  return priv(`P-${classCode(label, index).CodeValue}`, `Probability of ${label}`);
}
