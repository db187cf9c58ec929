// Real JPEGs and PNGs the project did not make, from Debian packages the tests install (python3-sklearn, chromium):
// colour photographs with 4:2:0 chroma subsampling and RGBA icons, for decoder and runtime parity beyond the fixtures.
import { existsSync } from 'node:fs';

export const OUTSIDE_IMAGES = [
  '/usr/lib/python3/dist-packages/sklearn/datasets/images/china.jpg',
  '/usr/lib/python3/dist-packages/sklearn/datasets/images/flower.jpg',
  '/usr/share/icons/hicolor/256x256/apps/chromium.png',
  '/usr/share/icons/hicolor/48x48/apps/chromium.png',
] as const;

export const missingOutsideImages = (): string[] => OUTSIDE_IMAGES.filter((f) => !existsSync(f));
