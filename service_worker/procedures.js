// The procedures of the person's teams, kept on the phone for reading with no network (README,
// "Procedures offline"). The manifest (/api/v1/me/procedures, with its ETag: unchanged, an empty
// answer) says which, best first, within the phone's budget; the pages missing or changed come
// in bundles and go into the service worker's page cache at /procedures/{id}, so they open
// offline like any page seen before, and go with it on logout. What is kept (ids, versions,
// sizes, the recent alerts' procedures) is an entry of that same cache: the two cannot drift.
// Loaded by every page (the refresh, the size shown) and by the intervention form's checklists.
/* exported AstreinteProcedures */
"use strict";

var AstreinteProcedures = (function () {
  var scope = typeof self !== "undefined" ? self : window;
  var version = scope.ASTREINTE_VERSION && scope.ASTREINTE_VERSION.indexOf("__") !== 0
    ? scope.ASTREINTE_VERSION
    : (typeof document !== "undefined" && document.body ? document.body.dataset.version : "");
  var PAGES = "astreinte-pages-" + version; // cache.js's page cache, the same name
  var INDEX_URL = "/procedures/kept.json";
  var MANIFEST_URL = "/api/v1/me/procedures";
  var PAGES_URL = "/api/v1/me/procedures/pages?ids=";
  var BUNDLE = 100; // pages per request: on a slow network a round trip costs more than bytes
  // Bundles asked for at once: the bytes share the network anyway, and a bundle waiting for
  // another to finish costs a whole round trip more (203 pages were 100 + 100, then 3).
  var AT_ONCE = 3;
  var FETCH_TIMEOUT_MS = 30000;
  var CHECK_EVERY_MS = 60 * 1000; // a page opened within a minute of the last check asks nothing
  var CHECKED_KEY = "astreinte-procedures-checked";

  function pageUrl(id) { return "/procedures/" + id; }

  function readIndex() {
    if (typeof caches === "undefined") return Promise.resolve(null);
    return caches.open(PAGES).then(function (cache) {
      return cache.match(INDEX_URL).then(function (hit) { return hit ? hit.json() : null; });
    }).catch(function () { return null; });
  }

  function writeIndex(cache, index) {
    return cache.put(INDEX_URL, new Response(JSON.stringify(index), {
      headers: { "Content-Type": "application/json" },
    }));
  }

  function timed(url, options) {
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = controller && setTimeout(function () { controller.abort(); }, FETCH_TIMEOUT_MS);
    options.signal = controller ? controller.signal : undefined;
    options.credentials = "same-origin";
    options.cache = "no-store";
    return fetch(url, options).then(function (response) {
      if (timer) clearTimeout(timer);
      return response;
    }, function (error) {
      if (timer) clearTimeout(timer);
      throw error;
    });
  }

  // A kept page as the phone stores it: gzipped by the browser (the budget counts these bytes,
  // README "Procedures offline"), marked so that whatever serves it unzips it (cache.js's saved
  // copies, page() below), and stamped with when it was saved (cache.js shows it). A browser
  // without CompressionStream stores the page as it is, and still within the budget (room).
  var STORED = "X-Astreinte-Stored";
  function storedPage(html) {
    var headers = {
      "Content-Type": "text/html; charset=utf-8",
      "x-astreinte-cached-at": new Date().toISOString(),
    };
    var body = new Blob([html], { type: "text/html; charset=utf-8" });
    if (typeof CompressionStream !== "function") return Promise.resolve({ headers: headers, body: body });
    headers[STORED] = "gzip";
    return new Response(body.stream().pipeThrough(new CompressionStream("gzip"))).blob()
      .then(function (zipped) { return { headers: headers, body: zipped }; });
  }

  // A stored page's HTML, unzipped when it was stored gzipped.
  function storedText(hit) {
    if (hit.headers.get(STORED) !== "gzip") return hit.text();
    return new Response(hit.body.pipeThrough(new DecompressionStream("gzip"))).text();
  }

  // room.left: the bytes of the budget still free. The server counts each page as its own gzip
  // would be; the phone checks what it really stores, so it never holds more than the budget.
  function fetchBundle(cache, ids, kept, room) {
    return timed(PAGES_URL + ids.join(","), { headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("procedure pages: " + response.status);
        return response.json();
      }).then(function (bundle) {
        return Promise.all(bundle.pages.map(function (page) {
          return storedPage(page.html).then(function (stored) {
            var bytes = stored.body.size;
            if (bytes > room.left) { room.over += 1; return null; }
            room.left -= bytes;
            return cache.put(pageUrl(page.id), new Response(stored.body, { headers: stored.headers }))
              .then(function () { kept[page.id] = { version: page.version, bytes: bytes }; });
          });
        }));
      });
  }

  // The pages the manifest keeps and the phone lacks (or holds at another version), then those
  // it no longer keeps dropped, then the index written: what is listed is what is there.
  function apply(index, manifest) {
    return caches.open(PAGES).then(function (cache) {
      var had = (index && index.procedures) || {};
      var kept = {};
      var missing = [];
      var room = { left: manifest.budget, over: 0 };
      manifest.procedures.forEach(function (p) {
        var held = had[p.id];
        if (held && held.version === p.version) {
          kept[p.id] = { version: held.version, bytes: held.bytes };
          room.left -= held.bytes;
        } else {
          missing.push(p.id);
        }
      });
      // Bundles of even sizes (203 pages: 68, 68, 67), the first ones the most wanted.
      var chunks = [];
      var size = Math.ceil(missing.length / Math.ceil(missing.length / BUNDLE)) || BUNDLE;
      for (var i = 0; i < missing.length; i += size) chunks.push(missing.slice(i, i + size));
      var failed = false;
      function worker() {
        var ids = chunks.shift();
        if (!ids) return Promise.resolve();
        return fetchBundle(cache, ids, kept, room).catch(function () { failed = true; }).then(worker);
      }
      // Counted before starting: each worker takes its first bundle at once.
      var workers = [];
      var count = Math.min(AT_ONCE, chunks.length);
      for (var w = 0; w < count; w += 1) workers.push(worker());
      return Promise.all(workers).then(function () {
        var wanted = {};
        manifest.procedures.forEach(function (p) { wanted[p.id] = p; });
        return Promise.all(Object.keys(had).filter(function (id) { return !wanted[id]; })
          .map(function (id) { return cache.delete(pageUrl(id)); }));
      }).then(function () {
        var procedures = {};
        var bytes = 0;
        manifest.procedures.forEach(function (p) {
          if (!kept[p.id]) return;
          procedures[p.id] = { version: kept[p.id].version, bytes: kept[p.id].bytes, title: p.title };
          bytes += kept[p.id].bytes;
        });
        var written = {
          // A refresh cut short keeps what it got and asks for the whole manifest next time.
          version: failed ? "" : manifest.version,
          budget: manifest.budget,
          leftOut: manifest.left_out + room.over,
          alerts: manifest.alerts,
          order: manifest.procedures.map(function (p) { return p.id; }),
          procedures: procedures,
          bytes: bytes,
          checkedAt: new Date().toISOString(),
        };
        return writeIndex(cache, written).then(function () { return written; });
      });
    });
  }

  var refreshing = null;

  // Asks the server what to keep and fetches what changed. Offline or on a failure the copies
  // kept stay as they are (the promise rejects; callers may ignore it).
  function refresh() {
    if (refreshing) return refreshing;
    refreshing = readIndex().then(function (index) {
      var headers = { Accept: "application/json" };
      if (index && index.version) headers["If-None-Match"] = '"' + index.version + '"';
      return timed(MANIFEST_URL, { headers: headers }).then(function (response) {
        if (response.status === 304 && index) return index;
        if (response.status === 401) return forget().then(function () { return null; });
        if (!response.ok) throw new Error("procedures manifest: " + response.status);
        return response.json().then(function (manifest) { return apply(index, manifest); });
      });
    }).then(function (index) {
      refreshing = null;
      try { localStorage.setItem(CHECKED_KEY, String(Date.now())); } catch (error) { /* none */ }
      if (typeof window !== "undefined") {
        window.dispatchEvent(new CustomEvent("astreinte:procedures", { detail: index }));
      }
      return index;
    }, function (error) { refreshing = null; throw error; });
    return refreshing;
  }

  // On a page: at most once a minute, at once when nothing is kept yet (just logged in).
  function refreshSoon() {
    return readIndex().then(function (index) {
      var last = 0;
      try { last = parseInt(localStorage.getItem(CHECKED_KEY) || "0", 10) || 0; } catch (error) { /* none */ }
      if (index && index.version && Date.now() - last < CHECK_EVERY_MS) return index;
      return refresh();
    });
  }

  // Logging out: nothing of the person's procedures stays on the phone (the service worker
  // also drops its whole page cache; this covers a page it does not control yet).
  function forget() {
    if (typeof caches === "undefined") return Promise.resolve();
    return caches.open(PAGES).then(function (cache) {
      return cache.match(INDEX_URL).then(function (hit) { return hit ? hit.json() : null; })
        .then(function (index) {
          var ids = index ? Object.keys(index.procedures || {}) : [];
          return Promise.all(ids.map(function (id) { return cache.delete(pageUrl(id)); }));
        }).then(function () { return cache.delete(INDEX_URL); });
    }).catch(function () {});
  }

  // A kept page's HTML (the cache first: this is for the form, offline or not); null if none.
  function page(id) {
    return caches.open(PAGES).then(function (cache) { return cache.match(pageUrl(id)); })
      .then(function (hit) { return hit ? storedText(hit) : null; })
      .catch(function () { return null; });
  }

  // The kept procedures serving an alert, best first: the manifest's recent alerts, else those
  // the alert's own page linked when it was last seen (a copy in the page cache).
  function forAlert(alertId) {
    return readIndex().then(function (index) {
      if (!index || !alertId) return [];
      var kept = function (id) { return Boolean(index.procedures[id]); };
      var listed = (index.alerts || {})[String(alertId)];
      if (listed && listed.length) return listed.filter(kept);
      return linkedFrom("/alerts/" + alertId).then(function (ids) { return ids.filter(kept); });
    });
  }

  function linkedFrom(url) {
    if (typeof DOMParser === "undefined") return Promise.resolve([]);
    return caches.open(PAGES).then(function (cache) { return cache.match(url); })
      .then(function (hit) { return hit ? hit.text() : ""; })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var ids = [];
        Array.prototype.forEach.call(doc.querySelectorAll("#procedures a[href^='/procedures/']"), function (a) {
          var id = parseInt(a.getAttribute("href").split("/")[2], 10);
          if (id && ids.indexOf(id) === -1) ids.push(id);
        });
        return ids;
      }).catch(function () { return []; });
  }

  function kept() { return readIndex(); }

  return {
    refresh: refresh,
    refreshSoon: refreshSoon,
    forget: forget,
    page: page,
    forAlert: forAlert,
    kept: kept,
    INDEX_URL: INDEX_URL,
  };
})();

// On a page (not in the service worker): keep the procedures fresh, show what is kept.
if (typeof document !== "undefined" && document.body && document.body.dataset.user) {
  (function () {
    function show(index) {
      var line = document.getElementById("procedures-kept");
      if (!line) return;
      var lang = document.documentElement.lang || undefined;
      var size = function (bytes) {
        if (bytes < 1024 * 1024) {
          return line.dataset.kb.replace("%(size)s", Math.max(1, Math.round(bytes / 1024)).toLocaleString(lang));
        }
        return line.dataset.mb.replace("%(size)s",
          (bytes / 1024 / 1024).toLocaleString(lang, { maximumFractionDigits: 1 }));
      };
      var count = index ? Object.keys(index.procedures || {}).length : 0;
      var text = count === 0 ? line.dataset.none
        : line.dataset[count === 1 ? "one" : "other"].replace("%(count)s", count.toLocaleString())
          .replace("%(size)s", size(index.bytes));
      if (index && index.leftOut) {
        text += " " + line.dataset.leftOut.replace("%(count)s", index.leftOut.toLocaleString())
          .replace("%(limit)s", size(index.budget));
      }
      line.textContent = text;
      line.hidden = false;
    }
    window.addEventListener("astreinte:procedures", function (event) { show(event.detail); });
    document.addEventListener("submit", function (event) {
      var action = event.target.getAttribute("action") || "";
      if (action.indexOf("/logout") === 0) AstreinteProcedures.forget();
    });
    AstreinteProcedures.kept().then(show);
    if (navigator.onLine === false) return;
    // An alert's page (the page its notification opens): its procedures are wanted now, before
    // the basement, and the form offline finds them by the alert.
    if (/^\/alerts\/\d+$/.test(window.location.pathname)) AstreinteProcedures.refresh().catch(function () {});
    else AstreinteProcedures.refreshSoon().catch(function () {});
  })();
}
