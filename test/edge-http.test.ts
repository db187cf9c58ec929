// The shared HTTP suite against the real Worker (edge/worker.ts) running in local workerd via wrangler's startWorker.
import { afterAll } from 'vitest';
import { defineHttpSuite } from './http-suite.js';
import { startWorker, type RunningWorker } from './support/worker-server.js';

let worker: RunningWorker | undefined;

defineHttpSuite('Worker in workerd', async () => {
  worker = await startWorker();
  return worker;
});

afterAll(async () => {
  await worker?.dispose();
});
