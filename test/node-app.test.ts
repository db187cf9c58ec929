// The shared HTTP suite against the app in-process via app.request(), with the real demo model on onnxruntime-node.
import { createApp } from '../src/app/create-app.js';
import { loadNodeService } from '../src/node/load-service.js';
import { defineHttpSuite } from './http-suite.js';

defineHttpSuite('Node app.request()', async () => {
  const service = await loadNodeService();
  await service.warmup();
  const app = createApp({ service });
  return { fetch: async (path, init) => app.request(path, init) };
});
