// Fetches the manifest and model that ship inside the kiosk, through the service worker's cache when there is one.
import { whenControlled } from './sw-client.js';

export const MODEL_DIR = new URL('./model/', document.baseURI).href;
export const MANIFEST_URL = `${MODEL_DIR}brain-mri-edge.manifest.json`;

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

export async function fetchModelFiles(): Promise<ModelFiles> {
  // On a first visit the service worker is still downloading these very files; waiting for it means they cross the network once.
  await whenControlled();
  performance.mark('kiosk:sw-controlled');
  const manifest = (await (await get(MANIFEST_URL)).json()) as { model?: { file?: unknown } };
  const file = typeof manifest.model?.file === 'string' ? manifest.model.file : 'brain-mri-edge.onnx';
  const onnx = new Uint8Array(await (await get(new URL(file, MODEL_DIR).href)).arrayBuffer());
  return { manifest, onnx };
}
