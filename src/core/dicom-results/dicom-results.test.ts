// The SR and overlay SC writers: valid DICOM (dciodvfy), the result's content, the source's identifiers only where they belong.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import dcmjs, { type NaturalDataset } from 'dcmjs';
import { describe, expect, it } from 'vitest';
import { dciodvfy } from '../../../test/support/dciodvfy.js';
import { makeMrSlice, testStudyIds } from '../../../scripts/mr-dicom.js';
import {
  buildOverlaySc,
  buildResultSr,
  COMPREHENSIVE_SR_SOP_CLASS,
  DicomSourceError,
  isValidUid,
  newUid,
  readSourceInstance,
  SECONDARY_CAPTURE_SOP_CLASS,
  uidFromHex,
  type ResultForDicom,
} from './index.js';

const PYDICOM_MR = '/usr/lib/python3/dist-packages/pydicom/data/test_files/MR_small.dcm';

function gradient(width: number, height: number) {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = (x * 3 + y * 5) % 256;
  return { data, width, height, channels: 1 as const, bitDepth: 8 as const };
}

const ids = { ...testStudyIds('DOE^JANE'), patientId: 'PID-SECRET-42', patientBirthDate: '19610203', accessionNumber: 'ACC-SECRET-7' };
const sourceBytes = makeMrSlice(gradient(64, 48), { ...ids, instanceNumber: 7 });

const result: ResultForDicom = {
  label: 'meningioma',
  confidence: 0.612345678912345,
  uncertain: true,
  reasons: ['confidence 0.612 is below the review threshold 0.95', 'input unlike the training data'],
  probabilities: { glioma: 0.2, meningioma: 0.612345678912345, normal: 0.1, pituitary: 0.087654321087655 },
  model: { name: 'brain-mri-edge', version: '5.0.0', sha256: 'ab'.repeat(32) },
  gate: { accepted: true, score: 0.987654321, model: { name: 'brain-mri-gate', version: '1.2.0', sha256: 'cd'.repeat(32) } },
  familiarity: { score: 0.42, threshold: 0.3 },
};

function parse(bytes: Uint8Array): { meta: NaturalDataset; ds: NaturalDataset } {
  const dict = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  return { meta: dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.meta), ds: dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict) };
}

type Item = Record<string, unknown>;
const seq = (x: unknown): Item[] => (Array.isArray(x) ? (x as Item[]) : x ? [x as Item] : []);
const nameOf = (item: Item): string => String(seq(item.ConceptNameCodeSequence)[0]?.CodeMeaning ?? '');
const child = (item: Item, meaning: string): Item[] => seq(item.ContentSequence).filter((c) => nameOf(c) === meaning);
const one = (item: Item, meaning: string): Item => {
  const found = child(item, meaning);
  if (found.length !== 1) throw new Error(`expected one "${meaning}" under "${nameOf(item)}", found ${found.length}`);
  return found[0];
};
const num = (item: Item): number => Number(seq(item.MeasuredValueSequence)[0].FloatingPointValue);
const codeValue = (item: Item): Item => seq(item.ConceptCodeSequence)[0];

describe('readSourceInstance', () => {
  it('reads the UIDs, modality and geometry of an MR slice', () => {
    const s = readSourceInstance(sourceBytes);
    expect(s.studyInstanceUid).toBe(ids.studyInstanceUid);
    expect(s.seriesInstanceUid).toBe(ids.seriesInstanceUid);
    expect(s.sopClassUid).toBe('1.2.840.10008.5.1.4.1.1.4');
    expect(s.modality).toBe('MR');
    expect([s.rows, s.columns, s.instanceNumber, s.seriesNumber]).toEqual([48, 64, 7, 3]);
    expect(s.pixelSpacing).toEqual([0.5, 0.5]);
    expect(s.frameOfReferenceUid).toBe(ids.frameOfReferenceUid);
  });

  it('never shows patient or study identifiers when serialised or inspected', () => {
    const s = readSourceInstance(sourceBytes);
    for (const shown of [JSON.stringify(s), JSON.stringify({ nested: [s] }), inspect(s, { depth: 5, showHidden: true }), String(s)]) {
      for (const secret of ['DOE', 'JANE', 'PID-SECRET-42', '19610203', 'ACC-SECRET-7', ids.studyInstanceUid, ids.seriesInstanceUid]) expect(shown).not.toContain(secret);
    }
    expect(JSON.parse(JSON.stringify(s))).toMatchObject({ modality: 'MR', identifiers: '[redacted]' });
  });

  it('reads a file another toolkit wrote (pydicom MR_small)', () => {
    if (!existsSync(PYDICOM_MR)) throw new Error(`${PYDICOM_MR} is missing: apt-get install -y python3-pydicom (npm run setup:test does)`);
    const s = readSourceInstance(new Uint8Array(readFileSync(PYDICOM_MR)));
    expect(s.modality).toBe('MR');
    expect(s.sopInstanceUid).toBe('1.3.6.1.4.1.5962.1.1.4.1.1.20040826185059.5457');
  });

  it('refuses bytes that are not DICOM, saying what a DICOM file looks like', () => {
    expect(() => readSourceInstance(new TextEncoder().encode('not a dicom file at all'))).toThrow(DicomSourceError);
    expect(() => readSourceInstance(new Uint8Array(300))).toThrow(/DICM/);
  });
});

describe('buildResultSr', () => {
  const overlayRef = { sopClassUid: SECONDARY_CAPTURE_SOP_CLASS, sopInstanceUid: newUid(), seriesInstanceUid: newUid() };
  const seriesUid = newUid();
  const bytes = buildResultSr(readSourceInstance(sourceBytes), result, { seriesInstanceUid: seriesUid, overlay: overlayRef });
  const { meta, ds } = parse(bytes);

  it('passes dciodvfy as a Comprehensive SR without errors', () => {
    const report = dciodvfy(bytes);
    expect(report.iod).toBe('ComprehensiveSR');
    expect(report.errors).toEqual([]);
    // The only warnings: the private coding scheme designator, which dciodvfy cannot know.
    expect(report.warnings.filter((w) => !w.includes('<99BRAINMRI>'))).toEqual([]);
  });

  it('sits in the source study, in a new SR series, with the patient copied', () => {
    expect(ds.SOPClassUID).toBe(COMPREHENSIVE_SR_SOP_CLASS);
    expect(meta.MediaStorageSOPInstanceUID).toBe(ds.SOPInstanceUID);
    expect(isValidUid(ds.SOPInstanceUID as string)).toBe(true);
    expect(ds.StudyInstanceUID).toBe(ids.studyInstanceUid);
    expect(ds.SeriesInstanceUID).toBe(seriesUid);
    expect(ds.Modality).toBe('SR');
    expect(ds.PatientID).toBe('PID-SECRET-42');
    expect(ds.PatientBirthDate).toBe('19610203');
    expect(ds.AccessionNumber).toBe('ACC-SECRET-7');
    expect(seq(ds.PatientName)[0]).toMatchObject({ Alphabetic: 'DOE^JANE' });
    expect(ds.InstanceNumber).toBe(7);
    expect(String(ds.SeriesDescription)).toContain('NOT FOR DIAGNOSIS');
    expect(ds.VerificationFlag).toBe('UNVERIFIED');
  });

  it('is a TID 1500 report whose classification group carries the result and the model', () => {
    expect(nameOf(ds)).toBe('Imaging Measurement Report');
    expect(seq(ds.ContentTemplateSequence)[0]).toMatchObject({ MappingResource: 'DCMR', TemplateIdentifier: '1500' });
    const groups = child(one(ds, 'Imaging Measurements'), 'Measurement Group');
    expect(groups).toHaveLength(2);
    const cls = groups.find((g) => child(g, 'Tracking Identifier')[0].TextValue === 'brain-mri classification')!;
    expect(codeValue(one(cls, 'Finding'))).toMatchObject({ CodeMeaning: 'meningioma', CodingSchemeDesignator: '99BRAINMRI' });
    for (const [label, p] of Object.entries(result.probabilities)) expect(num(one(cls, `Probability of ${label}`))).toBe(p);
    expect(num(one(cls, 'Confidence of the predicted class'))).toBe(result.confidence);
    expect(codeValue(one(cls, 'Result flagged uncertain: refer for review'))).toMatchObject({ CodeValue: '373066001', CodeMeaning: 'Yes' });
    expect(child(cls, 'Reason the result is flagged uncertain').map((r) => r.TextValue)).toEqual(result.reasons);
    expect(one(cls, 'Algorithm Name').TextValue).toBe('brain-mri-edge');
    expect(one(cls, 'Algorithm Version').TextValue).toBe('5.0.0');
    expect(one(cls, 'Algorithm Parameters').TextValue).toBe(`sha256=${'ab'.repeat(32)}`);
    expect(num(one(cls, 'Input familiarity score'))).toBe(0.42);
    const source = seq(one(cls, 'Source of Measurement').ReferencedSOPSequence)[0];
    expect(source).toMatchObject({ ReferencedSOPClassUID: '1.2.840.10008.5.1.4.1.1.4', ReferencedSOPInstanceUID: readSourceInstance(sourceBytes).sopInstanceUid });
    expect(seq(one(cls, 'Saliency overlay of the predicted class').ReferencedSOPSequence)[0].ReferencedSOPInstanceUID).toBe(overlayRef.sopInstanceUid);
  });

  it('carries the gate result with its own model identification', () => {
    const groups = child(one(ds, 'Imaging Measurements'), 'Measurement Group');
    const gate = groups.find((g) => child(g, 'Tracking Identifier')[0].TextValue === 'brain-mri input gate')!;
    expect(codeValue(one(gate, 'Input accepted as a brain MRI slice')).CodeMeaning).toBe('Yes');
    expect(num(one(gate, 'Brain MRI input gate score'))).toBe(0.987654321);
    expect(one(gate, 'Algorithm Name').TextValue).toBe('brain-mri-gate');
    expect(one(gate, 'Algorithm Parameters').TextValue).toBe(`sha256=${'cd'.repeat(32)}`);
  });

  it('names the model as the device observer and says it is not for diagnosis', () => {
    expect(one(ds, 'Device Observer UID').UID).toBe(uidFromHex('ab'.repeat(32)));
    expect(one(ds, 'Device Observer Name').TextValue).toBe('brain-mri-edge');
    expect(String(one(one(ds, 'Qualitative Evaluations'), 'Comment').TextValue)).toMatch(/NOT for diagnosis/);
  });

  it('lists the source and the overlay as evidence', () => {
    const ev = seq(ds.CurrentRequestedProcedureEvidenceSequence);
    expect(ev).toHaveLength(1);
    expect(ev[0].StudyInstanceUID).toBe(ids.studyInstanceUid);
    const refs = seq(ev[0].ReferencedSeriesSequence).flatMap((s) => seq(s.ReferencedSOPSequence).map((r) => r.ReferencedSOPInstanceUID));
    expect(refs.sort()).toEqual([readSourceInstance(sourceBytes).sopInstanceUid, overlayRef.sopInstanceUid].sort());
  });

  it('without a gate or familiarity: one group, no uncertain reasons, still valid', () => {
    const plain: ResultForDicom = { ...result, uncertain: false, reasons: [], gate: undefined, familiarity: undefined };
    const b = buildResultSr(readSourceInstance(sourceBytes), plain);
    expect(dciodvfy(b).errors).toEqual([]);
    const d = parse(b).ds;
    const groups = child(one(d, 'Imaging Measurements'), 'Measurement Group');
    expect(groups).toHaveLength(1);
    expect(codeValue(one(groups[0], 'Result flagged uncertain: refer for review')).CodeMeaning).toBe('No');
    expect(child(groups[0], 'Input familiarity score')).toEqual([]);
  });

  it('keeps a non-ASCII patient name, declaring UTF-8', () => {
    const src = makeMrSlice(gradient(32, 32), { ...testStudyIds('Ødegård^Zoë'), instanceNumber: 1 });
    const b = buildResultSr(readSourceInstance(src), result);
    const d = parse(b).ds;
    expect(seq(d.PatientName)[0]).toMatchObject({ Alphabetic: 'Ødegård^Zoë' });
    expect(dciodvfy(b).errors).toEqual([]);
    expect(dciodvfy(b).output).not.toMatch(/character set|Specific Character/i);
  });

  it('prints nothing, even when dcmjs truncates a malformed birth date it would otherwise quote', () => {
    // A source whose Patient Birth Date breaks DA's length (written raw, past dcmjs's own truncation): dcmjs warns with the value.
    const dict = dcmjs.data.DicomMessage.readFile(sourceBytes.slice().buffer);
    dict.dict['00100030'] = { vr: 'DA', Value: ['19610203-SECRET-BIRTHDATE'] };
    const dir = mkdtempSync(join(tmpdir(), 'dcmjs-quiet-'));
    try {
      writeFileSync(join(dir, 'source.dcm'), new Uint8Array(dict.write({ allowInvalidVRLength: true })));
      const script = `import { readFileSync } from 'node:fs';
        import { buildResultSr, buildOverlaySc, readSourceInstance } from ${JSON.stringify(new URL('./index.ts', import.meta.url).pathname)};
        const s = readSourceInstance(new Uint8Array(readFileSync(${JSON.stringify(join(dir, 'source.dcm'))})));
        const r = ${JSON.stringify(result)};
        const sr = buildResultSr(s, r);
        buildOverlaySc(s, { rgba: new Uint8ClampedArray(64 * 48 * 4), width: 64, height: 48 }, r);
        process.stdout.write('built ' + sr.length);`;
      writeFileSync(join(dir, 'run.ts'), script);
      const run = spawnSync(process.execPath, ['--import', 'tsx', join(dir, 'run.ts')], { encoding: 'utf8' });
      expect(run.stdout).toMatch(/^built \d+$/);
      expect(run.stderr).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an invalid UID given as an option', () => {
    expect(() => buildResultSr(readSourceInstance(sourceBytes), result, { seriesInstanceUid: '1.02.3' })).toThrow(/not a valid DICOM UID/);
  });
});

describe('buildOverlaySc', () => {
  const overlay = (w: number, h: number) => {
    const rgba = new Uint8ClampedArray(w * h * 4);
    for (let i = 0; i < w * h; i++) rgba.set([i % 256, (i * 3) % 256, (i * 7) % 256, 255], i * 4);
    return { rgba, width: w, height: h };
  };

  it('passes dciodvfy as a Secondary Capture without errors or warnings', () => {
    const report = dciodvfy(buildOverlaySc(readSourceInstance(sourceBytes), overlay(64, 48), result));
    expect(report.iod).toBe('SCImage');
    expect(report.errors).toEqual([]);
    expect(report.warnings).toEqual([]);
  });

  it('holds the overlay as RGB, derived, not for diagnosis, in a new series of the source study', () => {
    const o = overlay(64, 48);
    const seriesUid = newUid();
    const { ds } = parse(buildOverlaySc(readSourceInstance(sourceBytes), o, result, { seriesInstanceUid: seriesUid, seriesNumber: 42 }));
    expect(ds.SOPClassUID).toBe(SECONDARY_CAPTURE_SOP_CLASS);
    expect(ds.StudyInstanceUID).toBe(ids.studyInstanceUid);
    expect(ds.SeriesInstanceUID).toBe(seriesUid);
    expect(ds.SeriesNumber).toBe(42);
    expect(ds.PatientID).toBe('PID-SECRET-42');
    expect(ds.ImageType).toEqual(['DERIVED', 'SECONDARY']);
    expect(ds.BurnedInAnnotation).toBe('NO');
    expect(String(ds.SeriesDescription)).toContain('NOT FOR DIAGNOSIS');
    expect(String(ds.ImageComments)).toContain('meningioma 61.2% (uncertain)');
    expect(String(ds.ImageComments)).toMatch(/NOT for diagnosis/);
    expect(seq(ds.SourceImageSequence)[0].ReferencedSOPInstanceUID).toBe(readSourceInstance(sourceBytes).sopInstanceUid);
    expect([ds.Rows, ds.Columns, ds.SamplesPerPixel, ds.PhotometricInterpretation, ds.BitsAllocated]).toEqual([48, 64, 3, 'RGB', 8]);
    const rgb = new Uint8Array((ds.PixelData as ArrayBuffer[])[0]);
    for (const i of [0, 1, 1000, 64 * 48 - 1]) expect([...rgb.subarray(i * 3, i * 3 + 3)]).toEqual([...o.rgba.subarray(i * 4, i * 4 + 3)]);
  });

  it('pads an odd-sized overlay to an even value length and stays valid', () => {
    const bytes = buildOverlaySc(readSourceInstance(sourceBytes), overlay(33, 31), result);
    expect(dciodvfy(bytes).errors).toEqual([]);
    const rgb = new Uint8Array((parse(bytes).ds.PixelData as ArrayBuffer[])[0]);
    expect(rgb.byteLength).toBe(33 * 31 * 3 + 1);
  });

  it('refuses pixels that do not match the stated size', () => {
    expect(() => buildOverlaySc(readSourceInstance(sourceBytes), { rgba: new Uint8ClampedArray(10), width: 4, height: 4 }, result)).toThrow(/needs 64/);
  });
});

describe('UIDs', () => {
  it('makes valid, distinct 2.25 UIDs, and one stable UID per model digest', () => {
    const uids = Array.from({ length: 200 }, newUid);
    expect(uids.every(isValidUid)).toBe(true);
    expect(new Set(uids).size).toBe(200);
    expect(uids.every((u) => u.startsWith('2.25.'))).toBe(true);
    expect(uidFromHex('ab'.repeat(32))).toBe(uidFromHex('ab'.repeat(32)));
    expect(uidFromHex('ab'.repeat(32))).not.toBe(uidFromHex('cd'.repeat(32)));
    expect(isValidUid('1.2.03')).toBe(false);
    expect(isValidUid('1.' + '2'.repeat(63))).toBe(false);
  });
});
