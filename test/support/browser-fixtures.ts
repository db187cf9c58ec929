// Reads test/fixtures/fixtures.json (the model pipeline's fixtures) for the kiosk's browser tests and bench.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './browser-harness.js';

export interface Fixture {
  file: string;
  label: string;
  path: string;
  mediaType: string;
}

const FIXTURES = join(ROOT, 'test/fixtures');

export function loadFixtures(): Fixture[] {
  const index = join(FIXTURES, 'fixtures.json');
  if (!existsSync(index)) throw new Error(`${index} is missing: run npm run fixtures (model pipeline) first`);
  const list = JSON.parse(readFileSync(index, 'utf8')) as { file: string; label: string }[];
  return list.map(({ file, label }) => {
    const path = [join(FIXTURES, file), join(FIXTURES, 'images', file)].find((p) => existsSync(p));
    if (!path) throw new Error(`fixture ${file} listed in fixtures.json does not exist`);
    return { file, label, path, mediaType: /\.png$/i.test(file) ? 'image/png' : 'image/jpeg' };
  });
}
