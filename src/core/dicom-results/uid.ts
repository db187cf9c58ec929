// New DICOM UIDs under the 2.25 root (a UUID written as one decimal number), made from WebCrypto randomness.

/** 128 bits as a decimal string, '2.25.' + up to 39 digits: valid (< 64 characters, no leading zero). */
function uidFromBytes(bytes: Uint8Array): string {
  let n = 0n;
  for (const b of bytes.subarray(0, 16)) n = (n << 8n) | BigInt(b);
  return `2.25.${n.toString(10)}`;
}

/** A fresh random UID (UUID version 4 bits set, as ITU-T X.667 describes for the 2.25 arc). */
export function newUid(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  return uidFromBytes(bytes);
}

/** A stable UID derived from a hex digest (e.g. the model's sha256), so one model is one Device Observer UID. */
export function uidFromHex(hex: string): string {
  if (!/^[0-9a-f]{32,}$/i.test(hex)) throw new Error(`uidFromHex needs at least 32 hex digits, got ${hex.length} characters`);
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 16; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return uidFromBytes(bytes);
}

const UID_RE = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;

/** DICOM PS3.5 9.1: digits and dots, no leading zeros in a component, at most 64 characters. */
export function isValidUid(uid: string): boolean {
  return uid.length > 0 && uid.length <= 64 && UID_RE.test(uid);
}
