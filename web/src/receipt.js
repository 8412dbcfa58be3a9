// What the node takes as a receipt (docs/api.md, POST /v1/receipts): a JPEG,
// PNG or WebP photo, or a PDF, of at most 8 MiB, sent with its type. A
// browser names a file's type from its name, or not at all, so the file's
// own first bytes decide when they are one of the four.

export const RECEIPT_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'application/pdf'];
export const RECEIPT_MAX = 8 * 1024 * 1024;

// The type these first bytes (12 are enough) begin, or '' for none of the four.
export function sniffReceipt(bytes) {
  const at = (offset, ...expected) => expected.every((v, i) => bytes[offset + i] === v);
  if (at(0, 0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return 'image/webp'; // RIFF....WEBP
  if (at(0, 0x25, 0x50, 0x44, 0x46, 0x2d)) return 'application/pdf'; // %PDF-
  return '';
}

// The Content-Type to send `blob` with, or '' if the node would not take it.
export async function receiptType(blob) {
  const head = new Uint8Array(await blob.slice(0, 12).arrayBuffer());
  return sniffReceipt(head) || (RECEIPT_TYPES.includes(blob.type) ? blob.type : '');
}
