// The phone's copy of its teams' clients: the intervention form searches it with no network.
// Layers as the outbox's: raw IndexedDB (one record, the whole list), the refresh (the server's
// ETag: a list unchanged costs an empty answer), the search (accent-insensitive, on the name,
// the contact, the numbers and the sites' names and addresses). Loaded by the form and by the
// service worker (which refreshes it after a sync and forgets it on logout).
/* exported AstreinteClients */
"use strict";

var AstreinteClients = (function () {
  var DB_NAME = "astreinte-clients";
  var DB_VERSION = 1;
  var STORE = "lists";
  var KEY = "mine";
  var LIST_URL = "/api/v1/me/clients";
  var FETCH_TIMEOUT_MS = 20000;

  // Raw IndexedDB ---------------------------------------------------------------------------
  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = function (event) {
        if (event.oldVersion < 1) request.result.createObjectStore(STORE);
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function run(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var box = work(tx.objectStore(STORE)) || {};
        tx.oncomplete = function () { db.close(); resolve(box.value); };
        tx.onerror = function () { db.close(); reject(tx.error); };
        tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function read() {
    return run("readonly", function (store) {
      var box = { value: null };
      var request = store.get(KEY);
      request.onsuccess = function () { box.value = request.result || null; };
      return box;
    });
  }

  function write(list) {
    return run("readwrite", function (store) { store.put(list, KEY); });
  }

  // Logging out: the clients of this person's teams must not stay on the device.
  function forget() {
    loaded = null;
    return new Promise(function (resolve) {
      var request = indexedDB.deleteDatabase(DB_NAME);
      request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
    });
  }

  // Refresh ---------------------------------------------------------------------------------
  var refreshing = null;

  // Asks the server for the list, sending the version kept: {changed, list}. Offline or on any
  // failure the copy kept stays as it is (the promise rejects; callers may ignore it).
  function refresh() {
    if (refreshing) return refreshing;
    refreshing = read().catch(function () { return null; }).then(function (kept) {
      var headers = { Accept: "application/json" };
      if (kept && kept.version) headers["If-None-Match"] = '"' + kept.version + '"';
      var controller = typeof AbortController === "function" ? new AbortController() : null;
      var timer = controller && setTimeout(function () { controller.abort(); }, FETCH_TIMEOUT_MS);
      return fetch(LIST_URL, {
        credentials: "same-origin", cache: "no-store", headers: headers,
        signal: controller ? controller.signal : undefined,
      }).then(function (response) {
        if (timer) clearTimeout(timer);
        if (response.status === 304 && kept) return { changed: false, list: kept };
        if (response.status === 401) return forget().then(function () { return { changed: true, list: null }; });
        if (!response.ok) throw new Error("client list: " + response.status);
        return response.json().then(function (list) {
          list.fetchedAt = new Date().toISOString();
          return write(list).then(function () {
            loaded = null;
            return { changed: true, list: list };
          });
        });
      });
    }).then(function (result) { refreshing = null; return result; },
            function (error) { refreshing = null; throw error; });
    return refreshing;
  }

  // After a sync (the pages ask for one on every open, on `online` and every minute): at most
  // every few minutes, the form itself asks each time it opens.
  var AFTER_SYNC_EVERY_MS = 5 * 60 * 1000;
  var lastAfterSync = 0;
  function refreshAfterSync() {
    if (Date.now() - lastAfterSync < AFTER_SYNC_EVERY_MS) return Promise.resolve(null);
    lastAfterSync = Date.now();
    return refresh();
  }

  // Search ----------------------------------------------------------------------------------
  // "Élodie" and "elodie", "Bâtiment" and "batiment" are the same to a person typing.
  function fold(text) {
    return String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function digits(text) { return String(text || "").replace(/\D/g, ""); }

  // A number as people type it: "+33612345678" is also "0612345678" in France.
  function numberForms(e164) {
    var all = digits(e164);
    return e164.indexOf("+33") === 0 ? all + " 0" + all.slice(2) : all;
  }

  // One entry per (client, site), or per client with no site: a hit picks both at once.
  function entriesOf(list) {
    var entries = [];
    (list.clients || []).forEach(function (client) {
      var who = fold(client.name + " " + (client.contact || ""));
      var numbers = (client.phones || []).map(numberForms).join(" ");
      var sites = client.sites && client.sites.length ? client.sites : [null];
      sites.forEach(function (site) {
        var where = site ? fold((site.name || "") + " " + (site.address || "")) : "";
        entries.push({ client: client, site: site, text: who + " " + where, numbers: numbers });
      });
    });
    return entries;
  }

  var loaded = null;
  function load() {
    if (!loaded) {
      loaded = read().catch(function () { return null; }).then(function (list) {
        return { list: list, entries: list ? entriesOf(list) : [] };
      });
    }
    return loaded;
  }

  // The team's access codes while the person is on call (the list says until when): a copy
  // kept past the end of the duty no longer shows them, network or not.
  function codesShown(list, teamId) {
    var team = (list.teams || []).filter(function (t) { return t.id === teamId; })[0];
    return Boolean(team && team.codes_until && Date.parse(team.codes_until) > Date.now());
  }

  function describe(list, client, site) {
    return {
      clientId: client.id,
      siteId: site ? site.id : null,
      name: client.name,
      contact: client.contact || "",
      siteName: site ? site.name || "" : "",
      address: site ? site.address || "" : "",
      instructions: site ? site.instructions || "" : "",
      codes: site && codesShown(list, client.team_id) ? site.codes || "" : "",
      // The client said "do not ask me again": the form offers no survey QR code.
      noSurveys: Boolean(client.no_surveys),
    };
  }

  function find(index, query, limit) {
    var text = String(query || "").trim();
    var words = fold(text).split(/\s+/).filter(Boolean);
    if (!words.length || !index.list) return [];
    var number = digits(text);
    // Typed as a number ("06 12 34", "+33 6 12"): matched on the numbers, spaces aside.
    var asNumber = number.length >= 3 && /^[\d\s.()+-]+$/.test(text);
    var found = [];
    var entries = index.entries;
    for (var i = 0; i < entries.length && found.length < limit; i += 1) {
      var entry = entries[i];
      var hit = asNumber ? entry.numbers.indexOf(number) !== -1 : words.every(function (word) {
        return entry.text.indexOf(word) !== -1;
      });
      if (hit) found.push(describe(index.list, entry.client, entry.site));
    }
    return found;
  }

  // The first `limit` (client, site) pairs whose words contain every word typed, by name.
  function search(query, limit) {
    return load().then(function (index) { return find(index, query, limit || 20); });
  }

  // A client (and site) by id, as the form shows the one chosen; null if not in the list.
  function byId(clientId, siteId) {
    return load().then(function (index) {
      if (!index.list) return null;
      var client = index.list.clients.filter(function (c) { return c.id === clientId; })[0];
      if (!client) return null;
      var site = (client.sites || []).filter(function (s) { return s.id === siteId; })[0] || null;
      return describe(index.list, client, site);
    });
  }

  function kept() {
    return load().then(function (index) { return index.list; });
  }

  return {
    refresh: refresh,
    refreshAfterSync: refreshAfterSync,
    search: search,
    byId: byId,
    kept: kept,
    forget: forget,
    fold: fold,
  };
})();
