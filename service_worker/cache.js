// App shell and page caches: versioned names, routing by path to small strategy functions.
/* exported AstreinteCache */
"use strict";

var AstreinteCache = (function () {
  var version = self.ASTREINTE_VERSION;
  var SHELL = "astreinte-shell-" + version;
  var PAGES = "astreinte-pages-" + version;
  var OFFLINE_URL = "/offline";
  // A page that takes longer than this on a bad network is served from the cache instead.
  var NETWORK_TIMEOUT_MS = 4000;
  // When a page was put in the cache, kept on the copy itself (no other store to keep in step).
  var CACHED_AT = "x-astreinte-cached-at";
  // A procedure kept for offline reading is stored gzipped (procedures.js): unzipped to serve.
  var STORED = "X-Astreinte-Stored";

  var SHELL_URLS = [
    OFFLINE_URL,
    "/manifest.webmanifest",
    "/static/app.css?v=" + version,
    "/static/app.js?v=" + version,
    "/static/vendor/htmx.min.js?v=" + version,
    "/static/icons/icon-56.png?v=" + version,
    // The intervention form's scripts: it must work offline even if never opened online.
    "/static/interventions.js?v=" + version,
    "/static/survey_qr.js?v=" + version,
    "/sw/outbox.js?v=" + version,
    "/sw/clients.js?v=" + version,
    "/static/client_picker.js?v=" + version,
    // The procedures kept for offline reading and the form's checklists read from them.
    "/sw/procedures.js?v=" + version,
    "/static/checklists.js?v=" + version,
    "/static/icons/icon-192.png?v=" + version,
  ];

  function precacheShell() {
    return caches.open(SHELL).then(function (cache) {
      // Versioned URLs never change, so what the page just loaded can come from the HTTP cache.
      return cache.addAll(SHELL_URLS);
    });
  }

  function deleteOldCaches() {
    return caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("astreinte-") === 0 && name !== SHELL && name !== PAGES;
      }).map(function (name) { return caches.delete(name); }));
    });
  }

  function clearPages() {
    return caches.delete(PAGES);
  }

  // The copy to keep of a page: the same response, stamped with the moment it was saved.
  function stamped(response) {
    var headers = new Headers(response.headers);
    headers.set(CACHED_AT, new Date().toISOString());
    return response.blob().then(function (body) {
      return new Response(body, { status: response.status, statusText: response.statusText, headers: headers });
    });
  }

  function storedText(hit) {
    if (hit.headers.get(STORED) !== "gzip") return hit.text();
    return new Response(hit.body.pipeThrough(new DecompressionStream("gzip"))).text();
  }

  // A page served from the cache says so to its script (app.js): <html data-cached-at="…">,
  // the moment it was saved, so the person sees it is a saved copy and how old it is.
  function asSavedCopy(hit) {
    var when = Date.parse(hit.headers.get(CACHED_AT) || hit.headers.get("date") || "");
    var stamp = isNaN(when) ? "" : new Date(when).toISOString();
    return storedText(hit).then(function (html) {
      var headers = new Headers(hit.headers);
      // The text changes length; it was decoded when it was fetched (or unzipped just now).
      headers.delete("content-length");
      headers.delete("content-encoding");
      headers.delete(STORED);
      var marked = html.replace(/<html\b/i, '<html data-cached-at="' + stamp + '"');
      return new Response(marked, { status: hit.status, statusText: hit.statusText, headers: headers });
    });
  }

  // Pages a person needs without a network (the form, their lists), fetched ahead of time.
  function warmPages(urls) {
    return caches.open(PAGES).then(function (cache) {
      return Promise.all(urls.map(function (url) {
        return fetch(url, { credentials: "same-origin" }).then(function (response) {
          if (response.ok && !response.redirected) {
            return stamped(response).then(function (copy) { return cache.put(url, copy); });
          }
          return null;
        }).catch(function () { return null; });
      }));
    });
  }

  function cacheFirst(request) {
    return caches.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        if (response.ok) {
          var copy = response.clone();
          caches.open(SHELL).then(function (cache) { cache.put(request, copy); });
        }
        return response;
      });
    });
  }

  function withTimeout(promise, ms) {
    return new Promise(function (resolve, reject) {
      var timer = setTimeout(function () { reject(new Error("timeout")); }, ms);
      promise.then(function (value) { clearTimeout(timer); resolve(value); },
                   function (error) { clearTimeout(timer); reject(error); });
    });
  }

  // Pages: the network first (fresh data), the last copy when the network fails or stalls.
  function networkFirstPage(event) {
    var request = event.request;
    var network = fetch(request).then(function (response) {
      if (response.ok && response.type === "basic" && !response.redirected) {
        var copy = response.clone();
        event.waitUntil(caches.open(PAGES).then(function (cache) {
          return stamped(copy).then(function (saved) { return cache.put(request, saved); });
        }));
      }
      return response;
    });
    return withTimeout(network, NETWORK_TIMEOUT_MS).catch(function () {
      // The form is the same page whatever it is asked to fix (?fix=…): any cached copy does.
      var ignoreSearch = new URL(request.url).pathname === "/interventions/new";
      return caches.match(request, { cacheName: PAGES, ignoreSearch: ignoreSearch }).then(function (hit) {
        if (hit) return asSavedCopy(hit);
        // Nothing cached for this page: wait for the slow network, else the offline page.
        return network.catch(function () { return caches.match(OFFLINE_URL); });
      });
    });
  }

  function route(event) {
    var request = event.request;
    var url = new URL(request.url);
    if (url.origin !== self.location.origin) return null;
    if (request.method === "POST" && url.pathname.indexOf("/logout") === 0) {
      // Pages of the person logging out must not stay readable on this device.
      // …nor the clients of their teams (clients.js, loaded by the worker).
      event.waitUntil(Promise.all([clearPages(), self.AstreinteClients
        ? self.AstreinteClients.forget() : null]));
      return null;
    }
    if (request.method !== "GET") return null;
    if (url.pathname.indexOf("/static/") === 0) return cacheFirst(request);
    if (url.pathname === "/manifest.webmanifest") return cacheFirst(request);
    if (request.mode === "navigate") return networkFirstPage(event);
    return null;
  }

  return {
    precacheShell: precacheShell,
    deleteOldCaches: deleteOldCaches,
    clearPages: clearPages,
    warmPages: warmPages,
    route: route,
    SHELL: SHELL,
    PAGES: PAGES,
  };
})();
