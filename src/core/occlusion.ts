// Forward-only saliency for models without a `cam` output: how much the class score drops when each patch is blacked out.
import type { EngineTensor, InferenceEngine } from './engine.js';
import type { Manifest } from './manifest.js';
import { batchProbabilities } from './postprocess.js';

export interface OcclusionOptions {
  /** The input is cut into grid x grid patches, one forward pass each. */
  grid?: number;
  /** Passes per engine call; batching keeps the cost near grid^2 / batch calls. */
  batch?: number;
}

/**
 * A grid x grid map of max(0, p_base - p_occluded) for `classIndex`. Patches are filled with the normalised value of a
 * black pixel: MRI backgrounds are black, so occluding background changes nothing and scores zero.
 */
export async function occlusionMap(
  engine: InferenceEngine,
  manifest: Manifest,
  input: EngineTensor,
  baseline: number,
  classIndex: number,
  options: OcclusionOptions = {},
): Promise<{ map: Float32Array; width: number; height: number }> {
  const grid = options.grid ?? 8;
  const batch = Math.max(1, options.batch ?? 16);
  const nchw = manifest.input.layout === 'NCHW';
  const [, d1, d2, d3] = input.dims;
  const C = nchw ? d1 : d3;
  const H = nchw ? d2 : d1;
  const W = nchw ? d3 : d2;
  const p = manifest.preprocessing;
  const fill = Array.from({ length: C }, (_, c) => -(p.mean[c] ?? p.mean[0]) / (p.std[c] ?? p.std[0]));
  const per = C * H * W;
  const map = new Float32Array(grid * grid);
  for (let first = 0; first < grid * grid; first += batch) {
    const count = Math.min(batch, grid * grid - first);
    const data = new Float32Array(per * count);
    for (let b = 0; b < count; b++) {
      const cell = first + b;
      const gy = Math.floor(cell / grid);
      const gx = cell % grid;
      const base = b * per;
      data.set(input.data.subarray(0, per), base);
      const y0 = Math.floor((gy * H) / grid);
      const y1 = Math.floor(((gy + 1) * H) / grid);
      const x0 = Math.floor((gx * W) / grid);
      const x1 = Math.floor(((gx + 1) * W) / grid);
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          for (let c = 0; c < C; c++) data[base + (nchw ? c * H * W + y * W + x : (y * W + x) * C + c)] = fill[c];
        }
      }
    }
    const dims = nchw ? [count, C, H, W] : [count, H, W, C];
    const rows = batchProbabilities(await engine.run({ [manifest.input.name]: { data, dims } }), manifest);
    for (let b = 0; b < count; b++) map[first + b] = Math.max(0, baseline - rows[b][classIndex]);
  }
  return { map, width: grid, height: grid };
}
