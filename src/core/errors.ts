// Typed input errors: a code and a message that says what was wrong and what is accepted. The app maps codes to HTTP.

export const INPUT_ERROR_CODES = [
  'empty_body',
  'not_an_image',
  'unsupported_type',
  'corrupt_image',
  'image_too_small',
  'too_many_pixels',
  'body_too_large',
  'invalid_parameter',
  'missing_file',
  'unsupported_transfer_syntax',
  'frame_out_of_range',
  'slice_out_of_range',
  'not_mr',
  'not_brain_mri',
] as const;

export type InputErrorCode = (typeof INPUT_ERROR_CODES)[number];

export const isInputErrorCode = (code: string): code is InputErrorCode => (INPUT_ERROR_CODES as readonly string[]).includes(code);

/** A problem with what the user sent. `details` are extra JSON fields for the error body (never patient data). */
export class ImageInputError extends Error {
  readonly code: InputErrorCode;
  readonly details?: Readonly<Record<string, string | number | boolean | readonly string[]>>;
  constructor(code: InputErrorCode, message: string, details?: Record<string, string | number | boolean | readonly string[]>) {
    super(message);
    this.name = 'ImageInputError';
    this.code = code;
    if (details) this.details = details;
  }
}
