// Linli service worker {{ version }}: network-first pages with a cached fallback, cache-first versioned static files.
const VERSION = "{{ version }}";
const STATIC_CACHE = "linli-static-" + VERSION;
const PAGE_CACHE = "linli-pages";
const PRECACHE = {{ precache|tojson }};
const NEVER = ["/live/", "/healthz", "/sw.js", "/signout", "/lang/"];
// The offline outbox (issue 23): the same IndexedDB and sender as the pages (js/outbox.js), for Background Sync.
const OUTBOX_JS = PRECACHE.find((url) => url.startsWith("/static/js/outbox.js"));
if (OUTBOX_JS) importScripts(OUTBOX_JS);
const OUTBOX = "/me/outbox";  // its page, kept at install as a visitor sees it (no one's name): it opens offline

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(STATIC_CACHE).then((cache) => cache.addAll(PRECACHE)
    .then(() => cache.add(new Request(OUTBOX, { credentials: "omit" })).catch(() => {})))
    .then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("linli-static-") && k !== STATIC_CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  // A form of the outbox posted as a page (not htmx): sent with an idempotency key, queued if the network fails.
  if (self.linliOutbox && request.method === "POST" && request.mode === "navigate" && url.origin === self.location.origin
      && !NEVER.some((prefix) => url.pathname.startsWith(prefix))) {
    event.respondWith(self.linliOutbox.navigate(request));
    return;
  }
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (NEVER.some((prefix) => url.pathname.startsWith(prefix))) return;
  if (url.pathname.startsWith("/static/") || url.pathname.startsWith("/uploads/")) {
    event.respondWith(
      caches.match(request).then((hit) => hit || fetch(request).then((response) => {
        if (response.status === 200) {
          const copy = response.clone();
          caches.open(STATIC_CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      }))
    );
    return;
  }
  const accept = request.headers.get("accept") || "";
  if (request.mode === "navigate" || accept.includes("text/html")) {
    if (request.headers.get("hx-request")) return;
    event.respondWith(
      fetch(request).then((response) => {
        if (response.status === 200) {
          const copy = response.clone();
          caches.open(PAGE_CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      // Offline: the copy seen last (the pages' cache) before the one kept at install (the static cache), so that
      // a page precached at install (the proof verifier, with the keys it trusts) is as fresh as the last visit.
      }).catch(() => caches.open(PAGE_CACHE).then((pages) => pages.match(request))
        .then((hit) => hit || caches.match(request)).then((hit) => hit || caches.match("/offline")))
    );
  }
});

// Background Sync: the outbox is sent when the phone is online again, even with Linli closed (a failed send rejects,
// so the browser tries again later).
self.addEventListener("sync", (event) => {
  if (event.tag === "linli-outbox" && self.linliOutbox) event.waitUntil(self.linliOutbox.flush());
});

// Web Push: a reminder or a booking change, shown even when Linli is closed; a tap opens the page it links to.
self.addEventListener("push", (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = { body: event.data ? event.data.text() : "" }; }
  event.waitUntil(self.registration.showNotification(data.title || "邻里", {
    body: data.body || "", tag: data.tag, data: { url: data.url || "/inbox" }, icon: "/static/icons/icon-192.png",
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || "/inbox";
  event.waitUntil(self.clients.matchAll({ type: "window" }).then((windows) => {
    for (const w of windows) { if (new URL(w.url).pathname === url && "focus" in w) return w.focus(); }
    return self.clients.openWindow(url);
  }));
});
