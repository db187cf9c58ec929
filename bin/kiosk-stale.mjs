// Says whether dist/kiosk is missing or older than what it is built from (kiosk and core sources, both models, ORT):
// `npm start` rebuilds it then, so the kiosk never serves another classifier or input gate than the API beside it.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export const KIOSK_SOURCES = ['src/kiosk', 'src/core', 'model/brain-mri-edge.onnx', 'model/brain-mri-edge.manifest.json',
  'model/brain-mri-gate.onnx', 'model/brain-mri-gate.manifest.json', 'node_modules/onnxruntime-web/package.json'];

function newest(path) {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

export function kioskStale(root = ROOT) {
  const marker = join(root, 'dist/kiosk/sw.js');
  const built = existsSync(marker) && existsSync(join(root, 'dist/kiosk/index.html')) ? statSync(marker).mtimeMs : 0;
  return !built || KIOSK_SOURCES.some((s) => newest(join(root, s)) > built);
}

// As a command: exit 1 when stale (so `node bin/kiosk-stale.mjs || npm run build:kiosk`), 0 when fresh.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exit(kioskStale() ? 1 : 0);
