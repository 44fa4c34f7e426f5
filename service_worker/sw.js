// Astreinte service worker: each event hands off to a named function in a module.
/* global AstreinteCache */
"use strict";

self.ASTREINTE_VERSION = "__ASTREINTE_VERSION__";
importScripts("/sw/cache.js?v=" + self.ASTREINTE_VERSION);

self.addEventListener("install", function (event) {
  event.waitUntil(AstreinteCache.precacheShell());
});

self.addEventListener("activate", function (event) {
  event.waitUntil(AstreinteCache.deleteOldCaches().then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var response = AstreinteCache.route(event);
  if (response) event.respondWith(response);
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "SKIP_WAITING") self.skipWaiting();
});
