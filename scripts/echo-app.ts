// The HTTP floor for the benches: a Hono app that reads the upload and answers, served by Node (bench-echo.ts) and as a Worker (bench-edge.ts).
import { Hono } from 'hono';

const app = new Hono();
app.post('*', async (c) => {
  const body = new Uint8Array(await c.req.arrayBuffer());
  return c.json({ bytes: body.byteLength });
});
export default app;
