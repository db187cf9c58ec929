// Maps every failure to `{ error: { code, message, ...details } }` with its HTTP status; never a stack trace.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ImageInputError, type InputErrorCode } from '../core/errors.js';
import { ModelLoadError } from '../core/model-loader.js';
import { OverloadedError } from './admission.js';

export type ErrorStatus = 400 | 401 | 404 | 405 | 413 | 415 | 422 | 500 | 503;

/** The status of every input error code: the table the API docs describe, the same on every runtime. */
export const INPUT_ERROR_STATUS: Record<InputErrorCode, 400 | 413 | 415 | 422> = {
  empty_body: 400,
  not_an_image: 400,
  corrupt_image: 400,
  image_too_small: 400,
  missing_file: 400,
  unsupported_type: 415,
  too_many_pixels: 413,
  body_too_large: 413,
  invalid_parameter: 422,
  unsupported_transfer_syntax: 415,
  frame_out_of_range: 422,
  slice_out_of_range: 422,
  not_mr: 422,
  not_brain_mri: 422,
};

export function errorBody(code: string, message: string, details?: object): { error: { code: string; message: string } } {
  return { error: { code, message, ...details } };
}

export function errorResponse(c: Context, status: ErrorStatus, code: string, message: string, details?: object): Response {
  return c.json(errorBody(code, message, details), status);
}

/** The model could not be served (still loading, or refused at load). */
export class NotReadyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotReadyError';
  }
}

/** The server is stopping: the request could not be completed and should be sent again. */
export class ShuttingDownError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShuttingDownError';
  }
}

/** `code` is set for errors about the request (metrics count refusals by it). */
export function toErrorResponse(err: unknown, c: Context): { response: Response; internal: boolean; code?: string } {
  if (err instanceof ImageInputError) {
    return { response: errorResponse(c, INPUT_ERROR_STATUS[err.code], err.code, err.message, err.details), internal: false, code: err.code };
  }
  if (err instanceof OverloadedError) {
    c.header('Retry-After', String(err.retryAfterSeconds));
    return { response: errorResponse(c, 503, 'overloaded', err.message), internal: false, code: 'overloaded' };
  }
  if (err instanceof ShuttingDownError) {
    c.header('Connection', 'close');
    c.header('Retry-After', '5');
    return { response: errorResponse(c, 503, 'shutting_down', err.message), internal: false, code: 'shutting_down' };
  }
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
