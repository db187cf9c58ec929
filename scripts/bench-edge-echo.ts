// The HTTP floor for `npm run bench:edge`: a Hono Worker in the same local workerd and proxy that reads the upload and answers.
import { Hono } from 'hono';

const app = new Hono();
app.post('*', async (c) => {
  const body = new Uint8Array(await c.req.arrayBuffer());
  return c.json({ bytes: body.byteLength });
});
export default app;
