// Typed input errors, so every runtime maps bad input to the same status code and message.

export type InputErrorCode =
  | 'empty_body'
  | 'not_an_image'
  | 'unsupported_type'
  | 'corrupt_image'
  | 'image_too_small'
  | 'too_many_pixels'
  | 'body_too_large'
  | 'invalid_parameter'
  | 'missing_file';

const STATUS: Record<InputErrorCode, 400 | 413 | 415 | 422> = {
  empty_body: 400,
  not_an_image: 400,
  corrupt_image: 400,
  image_too_small: 400,
  missing_file: 400,
  unsupported_type: 415,
  too_many_pixels: 413,
  body_too_large: 413,
  invalid_parameter: 422,
};

/** A problem with what the user sent: the message says what was wrong and what is accepted. */
export class ImageInputError extends Error {
  readonly code: InputErrorCode;
  readonly status: 400 | 413 | 415 | 422;
  constructor(code: InputErrorCode, message: string) {
    super(message);
    this.name = 'ImageInputError';
    this.code = code;
    this.status = STATUS[code];
  }
}
