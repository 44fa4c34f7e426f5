// Astreinte service worker: each event hands off to a named function in a module.
/* global AstreinteCache, AstreintePush, AstreinteOutbox, AstreinteClients */
"use strict";

self.ASTREINTE_VERSION = "__ASTREINTE_VERSION__";
importScripts(
  "/sw/cache.js?v=" + self.ASTREINTE_VERSION,
  "/sw/push.js?v=" + self.ASTREINTE_VERSION,
  "/sw/outbox.js?v=" + self.ASTREINTE_VERSION,
  "/sw/clients.js?v=" + self.ASTREINTE_VERSION
);

// After a sync the network is there: the client list is brought up to date with it.
function replayThenRefresh(replaying) {
  return replaying.then(function (sent) {
    return AstreinteClients.refreshAfterSync().catch(function () {}).then(function () { return sent; });
  });
}

self.addEventListener("install", function (event) {
  event.waitUntil(AstreinteCache.precacheShell());
});

self.addEventListener("activate", function (event) {
  event.waitUntil(AstreinteCache.deleteOldCaches().then(function () { return self.clients.claim(); }));
});

// Background Sync (Chromium): the browser wakes us when the network is back, app closed or not.
self.addEventListener("sync", function (event) {
  if (event.tag === "outbox") event.waitUntil(replayThenRefresh(AstreinteOutbox.replay()));
});

self.addEventListener("fetch", function (event) {
  var response = AstreinteCache.route(event);
  if (response) event.respondWith(response);
});

self.addEventListener("push", function (event) {
  event.waitUntil(AstreintePush.show(event));
});

self.addEventListener("notificationclick", function (event) {
  event.waitUntil(AstreintePush.click(event));
});

self.addEventListener("pushsubscriptionchange", function (event) {
  event.waitUntil(AstreintePush.subscriptionChanged(event));
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "SKIP_WAITING") self.skipWaiting();
  if (data.type === "DEVICE") event.waitUntil(AstreintePush.saveDevice({ token: data.token, key: data.key }));
  if (data.type === "REPLAY") event.waitUntil(replayThenRefresh(AstreinteOutbox.replaySoon()).catch(function () {}));
  if (data.type === "WARM") event.waitUntil(AstreinteCache.warmPages(data.urls || []));
});
