// Validates a manifest and its .onnx bytes against each other and the engine, refusing with the offending field named.
import type { InferenceEngine } from './engine.js';
import { manifestSchema, type Manifest } from './manifest.js';
import { sha256Hex } from './sha256.js';

/** The model cannot be served; `field` is the manifest path at fault, e.g. "model.sha256" or "outputs.cam". */
export class ModelLoadError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`manifest field "${field}": ${message}`);
    this.name = 'ModelLoadError';
    this.field = field;
  }
}

/** Schema check plus the cross-field rules zod cannot express on its own. */
export function parseManifest(json: unknown): Manifest {
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.length ? issue.path.join('.') : '(root)';
    throw new ModelLoadError(field, issue.message);
  }
  const m = parsed.data;
  const [, a, b, c] = m.input.shape;
  const { width, height } = m.preprocessing.resize;
  const expected = m.input.layout === 'NCHW' ? [m.input.channels, height, width] : [height, width, m.input.channels];
  if (a !== expected[0] || b !== expected[1] || c !== expected[2]) {
    throw new ModelLoadError('input.shape', `[null, ${a}, ${b}, ${c}] does not match layout ${m.input.layout}, ${m.input.channels} channel(s) and resize ${width}x${height}`);
  }
  const colorChannels = m.preprocessing.color === 'grayscale' ? 1 : 3;
  if (colorChannels !== m.input.channels) {
    throw new ModelLoadError('preprocessing.color', `"${m.preprocessing.color}" gives ${colorChannels} channel(s) but input.channels is ${m.input.channels}`);
  }
  for (const key of ['mean', 'std'] as const) {
    const n = m.preprocessing[key].length;
    if (n !== 1 && n !== m.input.channels) throw new ModelLoadError(`preprocessing.${key}`, `has ${n} values; give 1 or ${m.input.channels}`);
  }
  if (new Set(m.labels).size !== m.labels.length) throw new ModelLoadError('labels', 'labels must be unique');
  if (m.outputs.cam !== undefined && m.cam === undefined) throw new ModelLoadError('cam', 'outputs.cam is set, so "cam" ({ width, height, method }) is required');
  if (m.outputs.familiarity !== undefined && m.familiarity === undefined) {
    throw new ModelLoadError('familiarity', 'outputs.familiarity is set, so "familiarity" ({ method, threshold }) is required');
  }
  const threshold = m.task === 'gate' ? 'accept' : 'uncertain';
  if (m.thresholds[threshold] === undefined) throw new ModelLoadError(`thresholds.${threshold}`, `a ${m.task} manifest needs thresholds.${threshold} (a probability in 0..1)`);
  return m as Manifest;
}

export interface LoadModelOptions {
  /** The parsed manifest JSON. */
  manifest: unknown;
  /** The .onnx file's bytes. */
  onnx: Uint8Array;
  createEngine: (onnx: Uint8Array, manifest: Manifest) => Promise<InferenceEngine>;
}

/** Refuses a model whose bytes, hash or graph names disagree with its manifest; the engine is released on refusal. */
export async function loadModel({ manifest: json, onnx, createEngine }: LoadModelOptions): Promise<{ manifest: Manifest; engine: InferenceEngine }> {
  const manifest = parseManifest(json);
  if (onnx.byteLength !== manifest.model.bytes) {
    throw new ModelLoadError('model.bytes', `the manifest says ${manifest.model.bytes} bytes but ${manifest.model.file} has ${onnx.byteLength}; re-export the model or fix the manifest`);
  }
  const digest = await sha256Hex(onnx);
  if (digest !== manifest.model.sha256) {
    throw new ModelLoadError('model.sha256', `the manifest says ${manifest.model.sha256} but ${manifest.model.file} hashes to ${digest}; the .onnx does not belong to this manifest`);
  }
  const engine = await createEngine(onnx, manifest);
  try {
    if (!engine.inputNames.includes(manifest.input.name)) {
      throw new ModelLoadError('input.name', `"${manifest.input.name}" is not an input of the graph (inputs: ${engine.inputNames.join(', ')})`);
    }
    for (const [key, name] of Object.entries(manifest.outputs)) {
      if (name !== undefined && !engine.outputNames.includes(name)) {
        throw new ModelLoadError(`outputs.${key}`, `"${name}" is not an output of the graph (outputs: ${engine.outputNames.join(', ')})`);
      }
    }
  } catch (err) {
    await engine.release();
    throw err;
  }
  return { manifest, engine };
}
