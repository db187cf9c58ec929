// The HTTP floor for `npm run bench`: a Hono handler on the same Node server stack that reads the upload and answers.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();
app.post('*', async (c) => {
  const body = new Uint8Array(await c.req.arrayBuffer());
  return c.json({ bytes: body.byteLength });
});
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' }, () => process.stdout.write('ready\n'));
