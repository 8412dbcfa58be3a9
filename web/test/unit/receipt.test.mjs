// The type a receipt is sent with: the file's own first bytes, else the
// browser's word for it if the node takes that type; nothing else goes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sniffReceipt, receiptType, RECEIPT_TYPES } from '../../src/receipt.js';

const bytes = (...b) => new Uint8Array(b);
const ascii = (text) => new TextEncoder().encode(text);

test('the four types the node takes, by their first bytes', () => {
  assert.equal(sniffReceipt(bytes(0xff, 0xd8, 0xff, 0xe0, 0, 0x10)), 'image/jpeg');
  assert.equal(sniffReceipt(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0)), 'image/png');
  assert.equal(sniffReceipt(ascii('RIFF\x24\x00\x00\x00WEBPVP8 ')), 'image/webp');
  assert.equal(sniffReceipt(ascii('%PDF-1.7\n')), 'application/pdf');
  assert.equal(sniffReceipt(ascii('RIFF\x24\x00\x00\x00WAVEfmt ')), '', 'a RIFF that is not WebP');
  assert.equal(sniffReceipt(ascii('\x00\x00\x00\x18ftypheic')), '', 'HEIC is not taken');
  assert.equal(sniffReceipt(bytes()), '');
  assert.deepEqual(RECEIPT_TYPES, ['image/jpeg', 'image/png', 'image/webp', 'application/pdf']);
});

test('the bytes decide over the name; an unknown file goes by a type the node takes, or not at all', async () => {
  const png = bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4, 5);
  assert.equal(await receiptType(new Blob([png], { type: 'image/jpeg' })), 'image/png');
  assert.equal(await receiptType(new Blob([png])), 'image/png');
  assert.equal(await receiptType(new Blob([ascii('scanned')], { type: 'application/pdf' })), 'application/pdf');
  assert.equal(await receiptType(new Blob([ascii('ftypheic')], { type: 'image/heic' })), '');
  assert.equal(await receiptType(new Blob([ascii('hello')], { type: 'text/plain' })), '');
  assert.equal(await receiptType(new Blob([ascii('hello')])), '');
});
