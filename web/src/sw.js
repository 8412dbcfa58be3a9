// The service worker: keeps the app shell (page, script, style, manifest,
// icons) so the app opens with no network. The API (/v1/) is never cached
// here: the app keeps the node's last answers itself, and its outbox sends
// signed entries when the network returns. The build fills in the version
// (a digest of the shell's files), so a new build replaces the old cache.
const VERSION = '__SHELL_VERSION__';
const CACHE = 'cohours-shell-' + VERSION;
const SHELL = __SHELL_FILES__;

self.addEventListener('install', (event) => {
  // Past the browser's HTTP cache: the node lets it keep app.js for an hour,
  // and a new shell must not be filled with the old script.
  const fresh = SHELL.map((path) => new Request(path, { cache: 'reload' }));
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(fresh)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('cohours-shell-') && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.includes('/v1/')) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    // Pages: the cached shell (the app routes by #/path itself).
    const key = request.mode === 'navigate' ? 'index.html' : request;
    const hit = await cache.match(key, { ignoreSearch: request.mode === 'navigate' });
    if (hit) return hit;
    return fetch(request);
  })());
});
