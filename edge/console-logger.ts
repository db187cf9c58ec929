// A pino-shaped logger for workerd: one JSON line per call on console, which `wrangler tail` and Workers Logs collect.
import type { AppLogger } from '../src/app/create-app.js';

function line(level: 'info' | 'warn' | 'error', obj: object, msg?: string): string {
  return JSON.stringify({ level, time: new Date().toISOString(), ...obj, ...(msg !== undefined ? { msg } : {}) });
}

export const consoleLogger: AppLogger = {
  info: (obj, msg) => console.log(line('info', obj, msg)),
  warn: (obj, msg) => console.warn(line('warn', obj, msg)),
  error: (obj, msg) => console.error(line('error', obj, msg)),
};
