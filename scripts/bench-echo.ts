// The HTTP floor for `npm run bench`: the echo app (echo-app.ts) on the same Node server stack as the service.
import { serve } from '@hono/node-server';
import app from './echo-app.js';

serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' }, () => process.stdout.write('ready\n'));
