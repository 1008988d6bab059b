// Small files the demo customer can send: a PNG photo and a one-page PDF, generated in code.
import { deflateSync } from 'node:zlib';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

type RGB = [number, number, number];

/** Encodes an RGB pixel function as a PNG. */
export function encodePng(width: number, height: number, pixel: (x: number, y: number) => RGB): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      raw[row + 1 + x * 3] = r;
      raw[row + 2 + x * 3] = g;
      raw[row + 3 + x * 3] = b;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const mix = (a: RGB, b: RGB, t: number): RGB => [0, 1, 2].map((i) => Math.round(a[i] + (b[i] - a[i]) * t)) as RGB;

/** A 360×240 "photo of the package": sky, a hill, and a cardboard box with tape and a label. */
export function samplePhoto(): Buffer {
  const W = 360;
  const H = 240;
  const box = { x0: 110, x1: 250, y0: 95, y1: 200 };
  return encodePng(W, H, (x, y) => {
    // the box
    if (x >= box.x0 && x <= box.x1 && y >= box.y0 && y <= box.y1) {
      if (x >= 170 && x <= 190) return [214, 181, 128]; // tape
      if (x >= 200 && x <= 238 && y >= 160 && y <= 188) return y % 6 < 2 && x > 204 && x < 234 ? [60, 60, 60] : [250, 250, 245]; // label
      const shade = (x - box.x0) / (box.x1 - box.x0);
      return mix([196, 142, 84], [168, 116, 64], shade);
    }
    if (x >= box.x0 + 8 && x <= box.x1 + 8 && y > box.y1 && y <= box.y1 + 6) return [90, 120, 70]; // shadow
    const hill = 170 + 18 * Math.sin(x / 45);
    if (y > hill) return mix([122, 178, 96], [86, 140, 66], (y - hill) / (H - hill));
    // sun
    const dx = x - 300;
    const dy = y - 50;
    if (dx * dx + dy * dy < 22 * 22) return [255, 214, 92];
    return mix([120, 190, 240], [214, 236, 250], y / hill);
  });
}

/** A one-page PDF invoice. */
export function sampleInvoicePdf(customerName: string): Buffer {
  const esc = (s: string) => s.replace(/[\\()]/g, (c) => `\\${c}`);
  // PDF base fonts use WinAnsi: keep to latin1 characters.
  const latin1 = (s: string) => esc(Buffer.from(s, 'latin1').toString('latin1'));
  const lines = [
    ['F2', 22, 72, 740, 'Acme Colombia'],
    ['F1', 12, 72, 716, 'Invoice #4821'],
    ['F1', 12, 72, 680, `Customer: ${customerName}`],
    ['F1', 12, 72, 662, 'Date: 2026-03-30'],
    ['F1', 12, 72, 620, '1 x Wireless headphones ............ COP 289.900'],
    ['F1', 12, 72, 602, '1 x Shipping ............................ COP 12.000'],
    ['F2', 12, 72, 570, 'Total ..................................... COP 301.900'],
  ] as const;
  const content = lines.map(([f, size, x, y, text]) => `BT /${f} ${size} Tf ${x} ${y} Td (${latin1(text)}) Tj ET`).join('\n');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
