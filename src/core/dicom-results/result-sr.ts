// One slice's classification as a DICOM Comprehensive SR following TID 1500 (Measurement Report), in the source's study.
import type { NaturalDataset } from 'dcmjs';
import { classCode, CODES, PRIVATE_SCHEME_IDENTIFICATION, probabilityCode, type Code } from './codes.js';
import { derivedIdentity, derivedModules } from './derived-modules.js';
import { decimalString, writePart10 } from './part10.js';
import type { SourceInstance } from './source-instance.js';
import type { AlgorithmIdentity, InstanceReference, ResultForDicom, ResultSrOptions } from './types.js';
import { newUid, uidFromHex } from './uid.js';

export const COMPREHENSIVE_SR_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.88.33';
export const SR_SERIES_DESCRIPTION = 'brain-mri result: demonstration, NOT FOR DIAGNOSIS';

type Relationship = 'CONTAINS' | 'HAS CONCEPT MOD' | 'HAS OBS CONTEXT';
type Item = NaturalDataset;

const container = (rel: Relationship | undefined, name: Code, children: Item[], template?: string): Item => ({
  ...(rel ? { RelationshipType: rel } : {}),
  ValueType: 'CONTAINER',
  ConceptNameCodeSequence: [name],
  ContinuityOfContent: 'SEPARATE',
  ...(template ? { ContentTemplateSequence: [{ MappingResource: 'DCMR', TemplateIdentifier: template }] } : {}),
  ContentSequence: children,
});
const codeItem = (rel: Relationship, name: Code, value: Code): Item => ({ RelationshipType: rel, ValueType: 'CODE', ConceptNameCodeSequence: [name], ConceptCodeSequence: [value] });
const textItem = (rel: Relationship, name: Code, value: string): Item => ({ RelationshipType: rel, ValueType: 'TEXT', ConceptNameCodeSequence: [name], TextValue: value });
const uidItem = (rel: Relationship, name: Code, uid: string): Item => ({ RelationshipType: rel, ValueType: 'UIDREF', ConceptNameCodeSequence: [name], UID: uid });
const numItem = (name: Code, value: number, units: Code = CODES.noUnits): Item => ({
  RelationshipType: 'CONTAINS',
  ValueType: 'NUM',
  ConceptNameCodeSequence: [name],
  // The DS holds at most 16 characters; the FD keeps the model's exact number.
  MeasuredValueSequence: [{ MeasurementUnitsCodeSequence: [units], NumericValue: decimalString(value), FloatingPointValue: value }],
});
const imageItem = (name: Code | undefined, ref: { sopClassUid: string; sopInstanceUid: string }): Item => ({
  RelationshipType: 'CONTAINS',
  ValueType: 'IMAGE',
  ...(name ? { ConceptNameCodeSequence: [name] } : {}),
  ReferencedSOPSequence: [{ ReferencedSOPClassUID: ref.sopClassUid, ReferencedSOPInstanceUID: ref.sopInstanceUid }],
});
const yesNo = (v: boolean): Code => (v ? CODES.yes : CODES.no);

/** TID 4019 Algorithm Identification: name, version, and the model file's sha256 as its parameter. */
function algorithm(model: AlgorithmIdentity): Item[] {
  return [
    textItem('HAS CONCEPT MOD', CODES.algorithmName, model.name),
    textItem('HAS CONCEPT MOD', CODES.algorithmVersion, model.version),
    textItem('HAS CONCEPT MOD', CODES.algorithmParameters, `sha256=${model.sha256}`),
  ];
}

/** TID 4108 Tracking Identifier (human-readable and UID). */
function tracking(identifier: string): Item[] {
  return [textItem('HAS OBS CONTEXT', CODES.trackingIdentifier, identifier), uidItem('HAS OBS CONTEXT', CODES.trackingUid, newUid())];
}

function classificationGroup(result: ResultForDicom, source: SourceInstance, overlay: InstanceReference | undefined): Item {
  const labels = Object.keys(result.probabilities);
  const index = Math.max(0, labels.indexOf(result.label));
  const items: Item[] = [
    ...tracking('brain-mri classification'),
    codeItem('CONTAINS', CODES.finding, classCode(result.label, index)),
    ...algorithm(result.model),
    numItem(CODES.confidence, result.confidence),
    ...labels.map((label, i) => numItem(probabilityCode(label, i), result.probabilities[label])),
    codeItem('CONTAINS', CODES.uncertain, yesNo(result.uncertain)),
    ...result.reasons.map((reason) => textItem('CONTAINS', CODES.uncertainReason, reason)),
  ];
  if (result.familiarity) {
    items.push(numItem(CODES.familiarityScore, result.familiarity.score), numItem(CODES.familiarityThreshold, result.familiarity.threshold));
  }
  items.push(imageItem(CODES.sourceOfMeasurement, source));
  if (overlay) items.push(imageItem(CODES.saliencyOverlay, overlay));
  return container('CONTAINS', CODES.measurementGroup, items, '1501');
}

function gateGroup(gate: NonNullable<ResultForDicom['gate']>, source: SourceInstance): Item {
  return container(
    'CONTAINS',
    CODES.measurementGroup,
    [
      ...tracking('brain-mri input gate'),
      ...algorithm(gate.model),
      codeItem('CONTAINS', CODES.gateAccepted, yesNo(gate.accepted)),
      numItem(CODES.gateScore, gate.score),
      imageItem(CODES.sourceOfMeasurement, source),
    ],
    '1501',
  );
}

/** Current Requested Procedure Evidence: every instance the report references, grouped by study and series. */
function evidence(studyInstanceUid: string, refs: InstanceReference[]): Item[] {
  const bySeries = new Map<string, InstanceReference[]>();
  for (const r of refs) bySeries.set(r.seriesInstanceUid, [...(bySeries.get(r.seriesInstanceUid) ?? []), r]);
  return [
    {
      StudyInstanceUID: studyInstanceUid,
      ReferencedSeriesSequence: [...bySeries].map(([seriesInstanceUid, rs]) => ({
        SeriesInstanceUID: seriesInstanceUid,
        ReferencedSOPSequence: rs.map((r) => ({ ReferencedSOPClassUID: r.sopClassUid, ReferencedSOPInstanceUID: r.sopInstanceUid })),
      })),
    },
  ];
}

/**
 * Builds the SR for one classified slice. Bytes out, nothing else: runs in Node, workers and the browser.
 * The tree follows TID 1500: device observer = the model, one TID 1501 group for the classification (and one for
 * the input gate when there is one), each with TID 4019 algorithm identification and a reference to the source image.
 */
export function buildResultSr(source: SourceInstance, result: ResultForDicom, options: ResultSrOptions = {}): Uint8Array {
  const id = derivedIdentity(source, COMPREHENSIVE_SR_SOP_CLASS, options, (source.seriesNumber ?? 0) + 9000);
  const sourceRef: InstanceReference = { sopClassUid: source.sopClassUid, sopInstanceUid: source.sopInstanceUid, seriesInstanceUid: source.seriesInstanceUid };
  const groups = [classificationGroup(result, source, options.overlay)];
  if (result.gate) groups.push(gateGroup(result.gate, source));
  const root = container(
    undefined,
    CODES.imagingMeasurementReport,
    [
      codeItem('HAS CONCEPT MOD', CODES.language, CODES.englishUS),
      codeItem('HAS OBS CONTEXT', CODES.observerType, CODES.device),
      uidItem('HAS OBS CONTEXT', CODES.deviceObserverUid, uidFromHex(result.model.sha256)),
      textItem('HAS OBS CONTEXT', CODES.deviceObserverName, result.model.name),
      textItem('HAS OBS CONTEXT', CODES.deviceObserverManufacturer, options.manufacturer ?? 'brain-mri demonstration runtime'),
      textItem('HAS OBS CONTEXT', CODES.deviceObserverModelName, `${result.model.name} ${result.model.version}`),
      codeItem('HAS CONCEPT MOD', CODES.procedureReported, CODES.imagingProcedure),
      container('CONTAINS', CODES.imageLibrary, [container('CONTAINS', CODES.imageLibraryGroup, [imageItem(undefined, source)])]),
      container('CONTAINS', CODES.imagingMeasurements, groups),
      container('CONTAINS', CODES.qualitativeEvaluations, [textItem('CONTAINS', CODES.comment, id.notice)]),
    ],
    '1500',
  );
  const dataset: NaturalDataset = {
    ...derivedModules(source, id, { modality: 'SR', description: SR_SERIES_DESCRIPTION }, result.model, options),
    ReferencedPerformedProcedureStepSequence: [],
    // SR Document General
    CompletionFlag: 'COMPLETE',
    VerificationFlag: 'UNVERIFIED',
    PerformedProcedureCodeSequence: [],
    CurrentRequestedProcedureEvidenceSequence: evidence(source.studyInstanceUid, options.overlay ? [sourceRef, options.overlay] : [sourceRef]),
    CodingSchemeIdentificationSequence: [PRIVATE_SCHEME_IDENTIFICATION],
    // SR Document Content: the root item's attributes sit in the dataset itself.
    ...root,
  };
  return writePart10(dataset);
}
