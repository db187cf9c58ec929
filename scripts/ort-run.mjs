#!/usr/bin/env node
// Runs an ONNX model in onnxruntime-node on raw float32 input so Python tests can compare ORT with PyTorch.
// Usage: node scripts/ort-run.mjs MODEL.onnx INPUT.f32 N,C,H,W OUTDIR [--time K]
// Writes OUTDIR/<output>.f32 (little-endian float32) and OUTDIR/outputs.json (names, dims, and timing when asked).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';

const [model, input, shapeArg, outDir, flag, kArg] = process.argv.slice(2);
if (!model || !input || !shapeArg || !outDir) {
  console.error('usage: node scripts/ort-run.mjs MODEL.onnx INPUT.f32 N,C,H,W OUTDIR [--time K]');
  process.exit(2);
}
const dims = shapeArg.split(',').map(Number);
const buf = readFileSync(input);
const data = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
if (data.length !== dims.reduce((a, b) => a * b, 1)) {
  console.error(`input has ${data.length} floats, shape ${shapeArg} needs ${dims.reduce((a, b) => a * b, 1)}`);
  process.exit(2);
}
const session = await ort.InferenceSession.create(model, { executionProviders: ['cpu'], intraOpNumThreads: 1 });
const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data, dims) };
const results = await session.run(feeds);
mkdirSync(outDir, { recursive: true });
const meta = { outputs: {} };
for (const name of session.outputNames) {
  const t = results[name];
  writeFileSync(join(outDir, `${name}.f32`), Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  meta.outputs[name] = t.dims;
}
if (flag === '--time') {
  const k = Number(kArg ?? 200);
  for (let i = 0; i < 20; i++) await session.run(feeds);
  const times = [];
  for (let i = 0; i < k; i++) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  meta.timing_ms = { p50: times[Math.floor(k / 2)], p90: times[Math.floor(k * 0.9)], min: times[0], runs: k };
}
writeFileSync(join(outDir, 'outputs.json'), JSON.stringify(meta, null, 2));
console.log(JSON.stringify(meta));
