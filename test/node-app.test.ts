// The shared HTTP suite against the app in-process via app.request(), with the real demo model on onnxruntime-node.
import { createApp } from '../src/app/create-app.js';
import { loadNodeClassifier } from '../src/node/load-classifier.js';
import { defineHttpSuite } from './http-suite.js';

defineHttpSuite('Node app.request()', async () => {
  const classifier = await loadNodeClassifier();
  await classifier.warmup();
  const app = createApp({ classifier });
  return { fetch: async (path, init) => app.request(path, init) };
});
