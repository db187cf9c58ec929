// Where the package's files are, whether running from src/ (tsx, tests) or dist/ (npm start, the CLI).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the package root (package.json) above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  return dir;
}

export const PACKAGE_ROOT = findRoot();
export const DEFAULT_MANIFEST = join(PACKAGE_ROOT, 'model', 'brain-mri-edge.manifest.json');
export const DEFAULT_GATE_MANIFEST = join(PACKAGE_ROOT, 'model', 'brain-mri-gate.manifest.json');
export const KIOSK_DIR = join(PACKAGE_ROOT, 'dist', 'kiosk');
