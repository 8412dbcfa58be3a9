// Builds the phone web app into one directory that cohoursd serves at `/`:
//   index.html, app.js (the bundle), app.css, manifest.webmanifest, sw.js
//   (the service worker that keeps the app shell for use with no network),
//   icon.svg, icon-192.png, icon-512.png, icon-maskable-512.png.
// The icons are drawn here, from code (no binary file is kept in git).
//
//   node build.mjs --out DIR [--dev]
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, rmSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const out = resolve(outIndex >= 0 ? args[outIndex + 1] : join(here, 'dist'));
const dev = args.includes('--dev');

mkdirSync(out, { recursive: true });
for (const name of readdirSync(out)) rmSync(join(out, name), { recursive: true, force: true });

const result = await build({
  entryPoints: { app: join(here, 'src/main.js'), 'app-style': join(here, 'src/style.css') },
  outdir: out,
  bundle: true,
  format: 'esm',
  target: ['es2020'],
  minify: !dev,
  sourcemap: dev ? 'inline' : false,
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
});
// esbuild names a CSS entry after itself; the page links app.css.
writeFileSync(join(out, 'app.css'), readFileSync(join(out, 'app-style.css')));
rmSync(join(out, 'app-style.css'));

// ---- icons: a clock face on the co-op blue, drawn as SVG and as PNG ----

const BLUE = [0x0a, 0x3d, 0x7a];
const WHITE = [0xff, 0xff, 0xff];
const GOLD = [0xf2, 0xb7, 0x05];

// Shapes in a 0..1 square: [kind, ...params, colour], painted in order.
function iconShapes(maskable) {
  const s = maskable ? 0.8 : 1; // maskable icons keep their drawing in the middle 80%
  const c = 0.5;
  return [
    ['rect', 0, 0, 1, 1, maskable ? 0 : 0.18, BLUE],
    ['ring', c, c, 0.34 * s, 0.055 * s, WHITE],
    ['line', c, c, c, c - 0.22 * s, 0.05 * s, WHITE],        // minute hand, at twelve
    ['line', c, c, c + 0.15 * s, c + 0.06 * s, 0.05 * s, WHITE], // hour hand, towards four
    ['disc', c, c, 0.055 * s, GOLD],
  ];
}

function iconSvg() {
  const parts = iconShapes(false).map(([kind, ...p]) => {
    const col = (rgb) => '#' + rgb.map((v) => v.toString(16).padStart(2, '0')).join('');
    const n = (v) => +(v * 512).toFixed(2);
    if (kind === 'rect') return `<rect width="${n(p[2])}" height="${n(p[3])}" rx="${n(p[4])}" fill="${col(p[5])}"/>`;
    if (kind === 'ring') return `<circle cx="${n(p[0])}" cy="${n(p[1])}" r="${n(p[2])}" fill="none" stroke="${col(p[4])}" stroke-width="${n(p[3])}"/>`;
    if (kind === 'line') return `<line x1="${n(p[0])}" y1="${n(p[1])}" x2="${n(p[2])}" y2="${n(p[3])}" stroke="${col(p[5])}" stroke-width="${n(p[4])}" stroke-linecap="round"/>`;
    if (kind === 'disc') return `<circle cx="${n(p[0])}" cy="${n(p[1])}" r="${n(p[2])}" fill="${col(p[3])}"/>`;
    return '';
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512" role="img" aria-label="cohours">${parts.join('')}</svg>\n`;
}

// Is point (x, y) inside the shape?
function inside([kind, ...p], x, y) {
  if (kind === 'rect') {
    const [x0, y0, w, h, r] = p;
    const dx = Math.max(x0 + r - x, 0, x - (x0 + w - r));
    const dy = Math.max(y0 + r - y, 0, y - (y0 + h - r));
    return x >= x0 && x <= x0 + w && y >= y0 && y <= y0 + h && dx * dx + dy * dy <= r * r;
  }
  if (kind === 'ring') {
    const d = Math.hypot(x - p[0], y - p[1]);
    return Math.abs(d - p[2]) <= p[3] / 2;
  }
  if (kind === 'disc') return Math.hypot(x - p[0], y - p[1]) <= p[2];
  if (kind === 'line') {
    const [x1, y1, x2, y2, w] = p;
    const vx = x2 - x1, vy = y2 - y1;
    const t = Math.max(0, Math.min(1, ((x - x1) * vx + (y - y1) * vy) / (vx * vx + vy * vy)));
    return Math.hypot(x - (x1 + t * vx), y - (y1 + t * vy)) <= w / 2;
  }
  return false;
}

// RGBA pixels, 4x4 samples a pixel for smooth edges.
function rasterise(size, shapes) {
  const px = Buffer.alloc(size * size * 4);
  const n = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const u = (x + (sx + 0.5) / n) / size, v = (y + (sy + 0.5) / n) / size;
          let colour = null;
          for (const shape of shapes) if (inside(shape, u, v)) colour = shape[shape.length - 1];
          if (colour) { r += colour[0]; g += colour[1]; b += colour[2]; a += 255; }
        }
      }
      const i = (y * size + x) * 4;
      const k = n * n;
      const cover = a / 255;
      px[i] = cover ? Math.round(r / cover) : 0;
      px[i + 1] = cover ? Math.round(g / cover) : 0;
      px[i + 2] = cover ? Math.round(b / cover) : 0;
      px[i + 3] = Math.round(a / k);
    }
  }
  return px;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
// A PNG: 8-bit RGBA, no interlace, filter 0 on every row.
function png(size, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0); header.writeUInt32BE(size, 4);
  header[8] = 8; header[9] = 6; header[10] = 0; header[11] = 0; header[12] = 0;
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header), chunk('IDAT', deflateSync(rows, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

writeFileSync(join(out, 'icon.svg'), iconSvg());
writeFileSync(join(out, 'icon-192.png'), png(192, rasterise(192, iconShapes(false))));
writeFileSync(join(out, 'icon-512.png'), png(512, rasterise(512, iconShapes(false))));
writeFileSync(join(out, 'icon-maskable-512.png'), png(512, rasterise(512, iconShapes(true))));

// ---- manifest, page, service worker ----

const manifest = {
  name: 'cohours – hours of help',
  short_name: 'cohours',
  description: 'Note the hours of help you give, confirm help you were given, ask for respite and claim expenses.',
  lang: 'en-GB',
  start_url: './',
  scope: './',
  display: 'standalone',
  background_color: '#ffffff',
  theme_color: '#0a3d7a',
  icons: [
    { src: 'icon.svg', sizes: 'any', type: 'image/svg+xml' },
    { src: 'icon-192.png', sizes: '192x192', type: 'image/png' },
    { src: 'icon-512.png', sizes: '512x512', type: 'image/png' },
    { src: 'icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
  ],
};
writeFileSync(join(out, 'manifest.webmanifest'), JSON.stringify(manifest, null, 2) + '\n');

const page = `<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self' https: http://127.0.0.1:* http://localhost:*; object-src 'none'; base-uri 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<title>cohours</title>
<meta name="description" content="${manifest.description}">
<meta name="theme-color" content="#0a3d7a">
<link rel="manifest" href="manifest.webmanifest">
<link rel="icon" href="icon.svg" type="image/svg+xml">
<link rel="apple-touch-icon" href="icon-192.png">
<link rel="stylesheet" href="app.css">
<script type="module" src="app.js"></script>
</head>
<body>
<div id="app"><p>Opening cohours…</p></div>
<noscript><p>This app needs JavaScript. Turn it on in your browser's settings, or ask your coordinator for help.</p></noscript>
</body>
</html>
`;
writeFileSync(join(out, 'index.html'), page);

const shell = ['./', 'index.html', 'app.js', 'app.css', 'manifest.webmanifest', 'icon.svg', 'icon-192.png',
  'icon-512.png', 'icon-maskable-512.png'];
const version = createHash('sha256');
for (const name of shell.slice(1)) version.update(name).update(readFileSync(join(out, name)));
const sw = readFileSync(join(here, 'src/sw.js'), 'utf8')
  .replace('__SHELL_VERSION__', version.digest('hex').slice(0, 16))
  .replace('__SHELL_FILES__', JSON.stringify(shell));
writeFileSync(join(out, 'sw.js'), sw);

const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(`web app built into ${out} (${Math.round(bytes / 1024)} KiB of script and style)`);
