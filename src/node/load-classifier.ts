// Reads a manifest and its .onnx from disk and builds the Node classifier (onnxruntime-node + sharp).
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { createClassifier, type Classifier } from '../core/classifier.js';
import { loadModel, ModelLoadError } from '../core/model-loader.js';
import { createOrtEngine, type OrtEngineOptions } from './ort-engine.js';
import { DEFAULT_MANIFEST } from './paths.js';
import { createSharpDecoder } from './sharp-decoder.js';
import { encodePngSharp } from './sharp-png.js';

export interface NodeClassifierOptions extends OrtEngineOptions {
  /** Path of the manifest JSON; default the bundled demo model. */
  manifestPath?: string;
  maxPixels?: number;
}

async function readOrExplain(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ModelLoadError(what, `cannot read ${path} (${code ?? (err as Error).message})${code === 'ENOENT' && path.includes('brain-mri-edge') ? '; build the demo model with `npm run model` or set MODEL=path/to/manifest.json' : ''}`);
  }
}

export async function loadNodeClassifier(options: NodeClassifierOptions = {}): Promise<Classifier> {
  const manifestPath = resolve(options.manifestPath ?? DEFAULT_MANIFEST);
  const text = (await readOrExplain(manifestPath, '(manifest file)')).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ModelLoadError('(manifest file)', `${manifestPath} is not valid JSON: ${(err as Error).message}`);
  }
  const file = (json as { model?: { file?: unknown } })?.model?.file;
  const onnxPath = resolve(dirname(manifestPath), typeof file === 'string' ? file : '');
  const onnxBytes = typeof file === 'string' ? await readOrExplain(onnxPath, 'model.file') : new Uint8Array(0);
  const onnx = new Uint8Array(onnxBytes.buffer, onnxBytes.byteOffset, onnxBytes.byteLength);
  const { manifest, engine } = await loadModel({ manifest: json, onnx, createEngine: (bytes) => createOrtEngine(bytes, options) });
  return createClassifier({ manifest, engine, decoder: createSharpDecoder(), maxPixels: options.maxPixels, encodePng: encodePngSharp });
}
