// Maps every failure to `{ error: { code, message } }` with the right status; never a stack trace.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ImageInputError } from '../core/errors.js';
import { ModelLoadError } from '../core/model-loader.js';

export type ErrorStatus = 400 | 401 | 404 | 413 | 415 | 422 | 500 | 503;

export function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

export function errorResponse(c: Context, status: ErrorStatus, code: string, message: string): Response {
  return c.json(errorBody(code, message), status);
}

/** The model could not be served (still loading, or refused at load). */
export class NotReadyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotReadyError';
  }
}

export function toErrorResponse(err: unknown, c: Context): { response: Response; internal: boolean } {
  if (err instanceof ImageInputError) return { response: errorResponse(c, err.status, err.code, err.message), internal: false };
  if (err instanceof NotReadyError || err instanceof ModelLoadError) {
    return { response: errorResponse(c, 503, 'not_ready', err.message), internal: false };
  }
  if (err instanceof HTTPException) {
    const status = err.status as ErrorStatus;
    const code = status === 413 ? 'body_too_large' : status === 401 ? 'unauthorized' : 'bad_request';
    return { response: errorResponse(c, status, code, err.message || 'bad request'), internal: false };
  }
  return { response: errorResponse(c, 500, 'internal', 'the server failed to process this request; it has been logged'), internal: true };
}
