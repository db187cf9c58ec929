// Reads a manifest and its .onnx from disk and builds the Node service: the core's decoders plus sharp's, onnxruntime-node.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Classifier } from '../core/classifier.js';
import { coreDecoders, createInputDecoder } from '../core/decoders/index.js';
import { loadGate, type Gate } from '../core/gate.js';
import { loadClassifier } from '../core/load-classifier.js';
import { ModelLoadError } from '../core/model-loader.js';
import { createService, type Service } from '../core/service.js';
import { createOrtEngine, type OrtEngineOptions } from './ort-engine.js';
import { DEFAULT_GATE_MANIFEST, DEFAULT_MANIFEST } from './paths.js';
import { sharpFormatDecoders } from './sharp-formats.js';
import { nodeWasmModules } from './wasm-modules.js';

export interface NodeModelOptions extends OrtEngineOptions {
  /** Path of the manifest JSON; default the bundled demo model. */
  manifestPath?: string;
  /** The input gate's manifest path (default the bundled gate), or false for no gate (GATE=off). */
  gate?: string | false;
}

async function readOrExplain(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const hint = code === 'ENOENT' ? '; set MODEL=path/to/manifest.json, or export a model with `npm run export` (docs/model.md)' : '';
    throw new ModelLoadError(what, `cannot read ${path} (${code ?? (err as Error).message})${hint}`);
  }
}

/** The manifest JSON and its .onnx bytes, from the manifest's path (the .onnx is named relative to it). */
export async function readModelFiles(manifestPath: string): Promise<{ manifest: unknown; onnx: Uint8Array }> {
  const text = (await readOrExplain(manifestPath, '(manifest file)')).toString('utf8');
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (err) {
    throw new ModelLoadError('(manifest file)', `${manifestPath} is not valid JSON: ${(err as Error).message}`);
  }
  const file = (manifest as { model?: { file?: unknown } })?.model?.file;
  const bytes = typeof file === 'string' ? await readOrExplain(resolve(dirname(manifestPath), file), 'model.file') : new Uint8Array(0);
  return { manifest, onnx: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}

export async function loadNodeClassifier(options: NodeModelOptions = {}): Promise<Classifier> {
  const files = await readModelFiles(resolve(options.manifestPath ?? DEFAULT_MANIFEST));
  return loadClassifier({ ...files, createEngine: (bytes) => createOrtEngine(bytes, options) });
}

/** Every format Node decodes: the core's (the same pixels as the Worker and the kiosk), then sharp's extras. */
export function nodeInputDecoder() {
  return createInputDecoder(coreDecoders(nodeWasmModules), sharpFormatDecoders());
}

export async function loadNodeGate(options: NodeModelOptions & { gatePath?: string } = {}): Promise<Gate> {
  const files = await readModelFiles(resolve(options.gatePath ?? DEFAULT_GATE_MANIFEST));
  return loadGate({ ...files, createEngine: (bytes) => createOrtEngine(bytes, { ...options, intraOpThreads: 1 }) });
}

export async function loadNodeService(options: NodeModelOptions = {}): Promise<Service> {
  const [classifier, gate] = await Promise.all([
    loadNodeClassifier(options),
    options.gate === false ? undefined : loadNodeGate({ ...options, gatePath: options.gate }),
  ]);
  return createService({ decoder: nodeInputDecoder(), classifier, gate });
}
