// `brain-mri classify a.jpg b.png [--json] [--heatmap DIR]` and `brain-mri serve`: the command-line entry points.
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, extname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import type { Inference } from '../core/classifier.js';
import type { InputSource } from '../core/decoder.js';
import { dicomSeriesKey, sortSeries, type SeriesKey } from '../core/decoders/dicom-series.js';
import { ImageInputError } from '../core/errors.js';
import { analyse } from '../core/service.js';
import { decodeParams, DEFAULT_MAX_PIXELS } from '../app/scan-params.js';
import { loadNodeService } from './load-service.js';
import { PROVIDERS, type Provider } from './ort-engine.js';
import { encodePngSharp } from './sharp-png.js';
import type { SaliencyView } from '../core/saliency.js';

const USAGE = `Usage:
  brain-mri classify <file or folder>... [--json] [--heatmap DIR] [--view overlay|heatmap] [--model manifest.json] [--provider cpu|webgpu|cuda]
                     [--frame N] [--plane axial|coronal|sagittal] [--slice N] [--window CENTER,WIDTH]
  brain-mri serve            (same as npm start; configure with PORT, MODEL, ORT_PROVIDER, API_KEY, ...)

Classifies brain MRI slices (JPEG, PNG, DICOM, NIfTI .nii/.nii.gz; WebP, TIFF, GIF) as glioma, meningioma, normal or pituitary.
A folder is read as one series: one row per file, DICOM files in slice order. --frame picks a DICOM frame (1-based,
default the middle one), --plane/--slice a NIfTI slice (0-based, default the axial slice through the middle of the
head), --window the VOI window. --heatmap DIR writes <name>.<view>.png for each image. An input check runs first: a file
that is not a brain MRI slice gets a REFUSED row (GATE=off skips the check; research use only). Exit code 1 when any
file fails or is refused.
Demonstration model: NOT for diagnosis.`;

interface Row {
  file: string;
  ok: boolean;
  result?: Inference;
  input?: InputSource;
  /** The input gate's score: the score it accepted, or the score of a refusal. */
  gateScore?: number;
  /** The input gate said this is not a brain MRI slice. */
  refused?: boolean;
  heatmap?: string;
  error?: string;
}

function table(rows: Row[], labels: readonly string[]): string {
  const head = ['file', 'label', 'confidence', ...labels, 'note'];
  const body = rows.map((r) =>
    r.ok && r.result
      ? [
          r.file,
          r.result.label,
          r.result.confidence.toFixed(3),
          ...labels.map((l) => r.result!.probabilities[l].toFixed(3)),
          [r.result.uncertain ? `uncertain (${r.result.reasons.join(', ').replace(/_/g, ' ')}): refer for review` : '', r.heatmap ? `-> ${r.heatmap}` : ''].filter(Boolean).join(' '),
        ]
      : r.refused
        ? [r.file, 'REFUSED', '', ...labels.map(() => ''), `not a brain MRI slice (input check score ${r.gateScore?.toFixed(3)})`]
        : [r.file, 'FAILED', '', ...labels.map(() => ''), r.error ?? ''],
  );
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

async function classifyCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      heatmap: { type: 'string' },
      view: { type: 'string', default: 'overlay' },
      model: { type: 'string' },
      provider: { type: 'string', default: 'cpu' },
      frame: { type: 'string' },
      plane: { type: 'string' },
      slice: { type: 'string' },
      window: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('give at least one image file or folder');
  const params = scanParams(values);
  const files = await expandInputs(positionals);
  if (values.view !== 'overlay' && values.view !== 'heatmap') throw new UsageError(`--view must be overlay or heatmap, not "${values.view}"`);
  const view: SaliencyView = values.view;
  if (!PROVIDERS.includes(values.provider as Provider)) throw new UsageError(`--provider must be one of ${PROVIDERS.join(', ')}`);
  const service = await loadNodeService({
    manifestPath: values.model ?? process.env.MODEL,
    provider: values.provider as Provider,
    intraOpThreads: 0,
    // As on the server: GATE=off (research use only) classifies whatever it is given.
    gate: process.env.GATE === 'off' ? false : process.env.GATE_MODEL,
    warn: (m) => process.stderr.write(`brain-mri: ${m}\n`),
  });
  const { classifier } = service;
  if (!service.gate) process.stderr.write('brain-mri: GATE=off: the input check is off, so anything gets a class (research use only)\n');
  if (values.heatmap) await mkdir(values.heatmap, { recursive: true });
  const bar =
    files.length > 1 && process.stderr.isTTY && !values.json
      ? new cliProgress.SingleBar({ format: 'classifying [{bar}] {value}/{total} {file}', stream: process.stderr, clearOnComplete: true }, cliProgress.Presets.shades_classic)
      : undefined;
  bar?.start(files.length, 0, { file: '' });
  const rows: Row[] = [];
  for (const file of files) {
    bar?.update(rows.length, { file: basename(file) });
    try {
      let bytes: Uint8Array;
      try {
        bytes = await readFile(file);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new Error(code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : `cannot read (${code})`);
      }
      const { input, gate, inference } = await analyse(service, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { maxPixels: DEFAULT_MAX_PIXELS, params });
      let heatmap: string | undefined;
      if (values.heatmap) {
        const explanation = await classifier.explain(inference, input.image, { view });
        heatmap = join(values.heatmap, `${basename(file, extname(file))}.${view}.png`);
        await writeFile(heatmap, await encodePngSharp(explanation.rgba));
      }
      rows.push({ file, ok: true, result: inference, input: input.source, gateScore: gate?.score, heatmap });
    } catch (err) {
      if (err instanceof ImageInputError && err.code === 'not_brain_mri') {
        rows.push({ file, ok: false, refused: true, gateScore: Number(err.details?.score), error: `${err.code}: ${err.message}` });
        continue;
      }
      const reason = err instanceof ImageInputError ? `${err.code}: ${err.message}` : (err as Error).message;
      rows.push({ file, ok: false, error: reason });
    }
  }
  bar?.update(rows.length, { file: '' });
  bar?.stop();
  if (values.json) {
    const out = rows.map((r) =>
      r.ok && r.result
        ? {
            file: r.file,
            ok: true,
            label: r.result.label,
            confidence: r.result.confidence,
            uncertain: r.result.uncertain,
            reasons: r.result.reasons,
            probabilities: r.result.probabilities,
            model: r.result.model,
            input: r.input,
            gate: r.gateScore === undefined ? null : { score: r.gateScore },
            timings: r.result.timings,
            ...(r.heatmap ? { heatmap: r.heatmap } : {}),
          }
        : r.refused
          ? { file: r.file, ok: false, refused: true, code: 'not_brain_mri', gate: { score: r.gateScore }, error: r.error }
          : { file: r.file, ok: false, error: r.error },
    );
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  } else {
    process.stdout.write(table(rows, classifier.manifest.labels) + '\n');
    process.stderr.write(`${classifier.manifest.notice}\n`);
  }
  await service.release();
  const refused = rows.filter((r) => r.refused).length;
  const failed = rows.filter((r) => !r.ok && !r.refused).length;
  if (!values.json) {
    if (refused) process.stderr.write(`brain-mri: ${refused} of ${rows.length} file(s) refused: not a brain MRI slice\n`);
    if (failed) process.stderr.write(`brain-mri: ${failed} of ${rows.length} file(s) failed\n`);
  }
  return refused || failed ? 1 : 0;
}

class UsageError extends Error {}

function scanParams(values: { frame?: string; plane?: string; slice?: string; window?: string }) {
  const int = (name: string, text: string | undefined, min: number): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}, not "${text}"`);
    return n;
  };
  if (values.plane !== undefined && !['axial', 'coronal', 'sagittal'].includes(values.plane)) throw new UsageError(`--plane must be axial, coronal or sagittal, not "${values.plane}"`);
  if (values.window !== undefined && !/^-?\d+(\.\d+)?,\d+(\.\d+)?$/.test(values.window)) throw new UsageError(`--window must be CENTER,WIDTH (e.g. 600,1200), not "${values.window}"`);
  return decodeParams({
    frame: int('frame', values.frame, 1),
    plane: values.plane as 'axial' | 'coronal' | 'sagittal' | undefined,
    slice: int('slice', values.slice, 0),
    window: values.window,
  });
}

/** Files as given; folders become their files (recursively), DICOM in slice order, so a series folder reads top to bottom. */
async function expandInputs(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const path of paths) {
    let isDir = false;
    try {
      isDir = (await stat(path)).isDirectory();
    } catch {
      // A missing file becomes a FAILED row with the reason, like any other unreadable file.
    }
    if (!isDir) {
      out.push(path);
      continue;
    }
    const names = (await readdir(path, { recursive: true, withFileTypes: true })).filter((e) => e.isFile() && !e.name.startsWith('.'));
    const items: { name: string; path: string; key?: SeriesKey }[] = [];
    for (const entry of names) {
      const full = join(entry.parentPath ?? path, entry.name);
      // Read here for its DICOM header (slice order), and again when its row is classified.
      const head = await readFile(full);
      items.push({ name: relative(path, full), path: full, key: dicomSeriesKey(new Uint8Array(head.buffer, head.byteOffset, head.byteLength)) });
    }
    out.push(...sortSeries(items).map((i) => i.path));
  }
  return out;
}

export async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'classify') return await classifyCommand(rest);
    if (command === 'serve') {
      await import('./server.js');
      return -1;
    }
    if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
      process.stdout.write(USAGE + '\n');
      return command === undefined ? 2 : 0;
    }
    throw new UsageError(`unknown command "${command}"`);
  } catch (err) {
    process.stderr.write(`brain-mri: ${(err as Error).message}\n`);
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(USAGE + '\n');
      return 2;
    }
    return 1;
  }
}
