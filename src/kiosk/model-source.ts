// Fetches the manifest and model that ship inside the kiosk, through the service worker's cache when there is one.
import { whenControlled } from './sw-client.js';

export const MODEL_DIR = new URL('./model/', document.baseURI).href;
export const MANIFEST_URL = `${MODEL_DIR}brain-mri-edge.manifest.json`;
/** The input gate, shipped beside the classifier. */
export const GATE_MANIFEST_URL = `${MODEL_DIR}brain-mri-gate.manifest.json`;

export interface ModelFiles {
  manifest: unknown;
  onnx: Uint8Array;
}

async function get(url: string): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch {
    throw new Error(`Could not load ${url.slice(url.lastIndexOf('/') + 1)}: no network and no offline copy yet. Connect once so the kiosk can cache the model.`);
  }
  if (!response.ok) throw new Error(`Could not load ${url.slice(url.lastIndexOf('/') + 1)}: the server answered ${response.status}. Rebuild the kiosk (npm run build:kiosk).`);
  return response;
}

/** A manifest and the .onnx it names (default: the classifier's). */
export async function fetchModelFiles(manifestUrl = MANIFEST_URL): Promise<ModelFiles> {
  // On a first visit the service worker is still downloading these very files; waiting for it means they cross the network once.
  await whenControlled();
  performance.mark('kiosk:sw-controlled');
  const manifest = (await (await get(manifestUrl)).json()) as { model?: { file?: unknown } };
  if (typeof manifest.model?.file !== 'string') throw new Error(`${manifestUrl.slice(manifestUrl.lastIndexOf('/') + 1)} names no model file. Rebuild the kiosk (npm run build:kiosk).`);
  const onnx = new Uint8Array(await (await get(new URL(manifest.model.file, MODEL_DIR).href)).arrayBuffer());
  return { manifest, onnx };
}
