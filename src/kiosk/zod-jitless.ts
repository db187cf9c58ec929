// Imported first by the kiosk: zod's compiled fast path probes `new Function`, which the kiosk's CSP (no unsafe-eval) forbids.
import { z } from 'zod';

z.config({ jitless: true });
