// Identifiers in Meta's formats.
import { randomBytes, randomInt } from 'node:crypto';

/**
 * A wamid like Meta's: "wamid." + base64 of a small protobuf-ish record holding the customer's number and
 * a random hex id. Inbound ids carry a 20-char id (marker 0x12), outbound ids an 18-char id (marker 0x11),
 * e.g. wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA= (inbound, from Meta's examples).
 */
export function wamid(waId: string, direction: 'in' | 'out'): string {
  const phone = Buffer.from(waId.replace(/\D/g, '').slice(0, 20) || '0', 'ascii');
  const idLen = direction === 'in' ? 20 : 18;
  const id = Buffer.from(randomBytes(idLen).toString('hex').toUpperCase().slice(0, idLen), 'ascii');
  const bytes = Buffer.concat([
    Buffer.from([0x1c, 0x18, phone.length]),
    phone,
    Buffer.from([0x15, 0x02, 0x00, direction === 'in' ? 0x12 : 0x11, 0x18, id.length]),
    id,
    Buffer.from([0x00]),
  ]);
  return `wamid.${bytes.toString('base64')}`;
}

/** A numeric Graph object id (15-16 digits, always a safe JS integer). */
export function numericId(): string {
  return String(1_000_000_000_000_000 + randomInt(0, 2 ** 47) * 16 + randomInt(0, 16)).slice(0, 16);
}

/** Facebook-style paging cursor: base64 with '=' written as 'ZD' (e.g. "0" -> "MAZDZD"). */
export function encodeCursor(index: number): string {
  return Buffer.from(String(index)).toString('base64').replace(/=/g, 'ZD');
}

export function decodeCursor(cursor: string): number | undefined {
  const b64 = cursor.replace(/(ZD)+$/, (m) => '='.repeat(m.length / 2));
  const n = Number(Buffer.from(b64, 'base64').toString('utf8'));
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

export function hexId(bytes = 16): string {
  return randomBytes(bytes).toString('hex');
}
