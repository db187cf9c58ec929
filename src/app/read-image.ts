// Gets the image bytes out of a request: multipart field `file` or a raw body with an image content type.
import { getMultipartBoundary, MultipartParseError, parseMultipart } from '@remix-run/multipart-parser';
import { concatBytes } from '../core/bytes.js';
import { ImageInputError } from '../core/errors.js';

const RAW_TYPES = /^(image\/[a-z0-9.+-]+|application\/octet-stream|application\/dicom)$/;

function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0].trim().toLowerCase();
}

export interface ReadOptions {
  maxBytes: number;
  /** Counts the bytes against the service's upload budget as they arrive (throws when it is spent). */
  reserve?: (bytes: number) => void;
  /** Stops reading (the server's shutdown deadline); the read then throws `signal.reason`. */
  signal?: AbortSignal;
}

/** The next chunk, unless `signal` aborts first. */
function nextChunk(reader: ReadableStreamDefaultReader<Uint8Array>, signal?: AbortSignal): Promise<ReadableStreamReadResult<Uint8Array>> {
  if (!signal) return reader.read();
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    reader.read().then(
      (r) => {
        signal.removeEventListener('abort', onAbort);
        resolve(r);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** Reads at most `maxBytes`; the size check happens while streaming, so a lying Content-Length cannot exhaust memory. */
async function readLimited(req: Request, { maxBytes, reserve, signal }: ReadOptions): Promise<Uint8Array> {
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) throw tooLarge(declared, maxBytes);
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await nextChunk(reader, signal);
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) throw tooLarge(total, maxBytes);
      reserve?.(value.byteLength);
      chunks.push(value);
    }
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    throw error;
  }
  return concatBytes(chunks);
}

function tooLarge(bytes: number, maxBytes: number): ImageInputError {
  const mb = (n: number): string => (n >= 1048576 ? `${(n / 1048576).toFixed(1)} MB` : `${n} bytes`);
  return new ImageInputError('body_too_large', `the request body is over ${mb(maxBytes)}${Number.isFinite(bytes) ? ` (at least ${mb(bytes)})` : ''}; send a smaller image`);
}

/**
 * The `file` part of a multipart body, parsed by one library on every runtime (the platforms' own FormData parsers
 * disagree on odd bodies, and the same upload must get the same answer on Node and in the Worker).
 */
function fileFromMultipart(body: Uint8Array, contentType: string): { bytes: Uint8Array; mediaType: string } {
  const boundary = getMultipartBoundary(contentType);
  if (!boundary) throw new ImageInputError('missing_file', 'the multipart body has no boundary in its Content-Type; send the image as multipart/form-data field "file"');
  const names: string[] = [];
  try {
    for (const part of parseMultipart(body, { boundary, maxParts: 16, maxFileSize: body.length, maxTotalSize: body.length })) {
      if (part.name !== 'file') {
        if (part.name !== undefined && !names.includes(part.name)) names.push(part.name);
        continue;
      }
      if (!part.isFile) throw new ImageInputError('missing_file', 'multipart field "file" must be a file upload, not a text value');
      return { bytes: part.bytes, mediaType: mediaType(part.mediaType) };
    }
  } catch (error) {
    if (error instanceof ImageInputError) throw error;
    if (error instanceof MultipartParseError) throw new ImageInputError('missing_file', `the multipart body could not be parsed (${error.message}); send the image as multipart field "file"`);
    throw error;
  }
  const got = names.length ? ` (got: ${names.map((n) => `"${n}"`).join(', ')})` : '';
  throw new ImageInputError('missing_file', `multipart field "file" is missing${got}; send the image as field "file"`);
}

export async function readImage(req: Request, options: ReadOptions): Promise<{ bytes: Uint8Array; mediaType: string }> {
  const type = mediaType(req.headers.get('content-type') ?? undefined);
  if (type === 'multipart/form-data') return fileFromMultipart(await readLimited(req, options), req.headers.get('content-type')!);
  if (type !== '' && !RAW_TYPES.test(type)) {
    throw new ImageInputError(
      'unsupported_type',
      `Content-Type "${type}" is not accepted; send the image as multipart/form-data field "file", or as the raw body with Content-Type image/jpeg, image/png (or application/octet-stream)`,
    );
  }
  return { bytes: await readLimited(req, options), mediaType: type };
}
