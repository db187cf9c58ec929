// `brain-mri classify a.jpg b.png [--json] [--heatmap DIR]` and `brain-mri serve`: the command-line entry points.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import type { Inference } from '../core/classifier.js';
import { ImageInputError } from '../core/errors.js';
import { analyse } from '../core/service.js';
import { DEFAULT_MAX_PIXELS } from '../app/create-app.js';
import { loadNodeService } from './load-service.js';
import { PROVIDERS, type Provider } from './ort-engine.js';
import { encodePngSharp } from './sharp-png.js';
import type { SaliencyView } from '../core/saliency.js';

const USAGE = `Usage:
  brain-mri classify <image>... [--json] [--heatmap DIR] [--view overlay|heatmap] [--model manifest.json] [--provider cpu|webgpu|cuda]
  brain-mri serve            (same as npm start; configure with PORT, MODEL, ORT_PROVIDER, API_KEY, ...)

Classifies brain MRI slices (JPEG, PNG, WebP, TIFF, GIF) as glioma, meningioma, normal or pituitary.
--heatmap DIR writes <name>.<view>.png for each image. Exit code 1 when any file fails.
Demonstration model: NOT for diagnosis.`;

interface Row {
  file: string;
  ok: boolean;
  result?: Inference;
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
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('give at least one image file');
  if (values.view !== 'overlay' && values.view !== 'heatmap') throw new UsageError(`--view must be overlay or heatmap, not "${values.view}"`);
  const view: SaliencyView = values.view;
  if (!PROVIDERS.includes(values.provider as Provider)) throw new UsageError(`--provider must be one of ${PROVIDERS.join(', ')}`);
  const service = await loadNodeService({
    manifestPath: values.model ?? process.env.MODEL,
    provider: values.provider as Provider,
    intraOpThreads: 0,
    warn: (m) => process.stderr.write(`brain-mri: ${m}\n`),
  });
  const { classifier } = service;
  if (values.heatmap) await mkdir(values.heatmap, { recursive: true });
  const bar =
    positionals.length > 1 && process.stderr.isTTY && !values.json
      ? new cliProgress.SingleBar({ format: 'classifying [{bar}] {value}/{total} {file}', stream: process.stderr, clearOnComplete: true }, cliProgress.Presets.shades_classic)
      : undefined;
  bar?.start(positionals.length, 0, { file: '' });
  const rows: Row[] = [];
  for (const file of positionals) {
    bar?.update(rows.length, { file: basename(file) });
    try {
      let bytes: Uint8Array;
      try {
        bytes = await readFile(file);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new Error(code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : `cannot read (${code})`);
      }
      const { input, inference } = await analyse(service, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { maxPixels: DEFAULT_MAX_PIXELS });
      let heatmap: string | undefined;
      if (values.heatmap) {
        const explanation = await classifier.explain(inference, input.image, { view });
        heatmap = join(values.heatmap, `${basename(file, extname(file))}.${view}.png`);
        await writeFile(heatmap, await encodePngSharp(explanation.rgba));
      }
      rows.push({ file, ok: true, result: inference, heatmap });
    } catch (err) {
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
            timings: r.result.timings,
            ...(r.heatmap ? { heatmap: r.heatmap } : {}),
          }
        : { file: r.file, ok: false, error: r.error },
    );
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  } else {
    process.stdout.write(table(rows, classifier.manifest.labels) + '\n');
    process.stderr.write(`${classifier.manifest.notice}\n`);
  }
  await service.release();
  const failed = rows.filter((r) => !r.ok).length;
  if (failed && !values.json) process.stderr.write(`brain-mri: ${failed} of ${rows.length} file(s) failed\n`);
  return failed ? 1 : 0;
}

class UsageError extends Error {}

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
