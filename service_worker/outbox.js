// The outbox: interventions saved on the phone wait here until the server has them.
// Layers as in Workbox's Queue: raw IndexedDB (versioned upgrade), the store, the queue policy.
// Loaded by the service worker (Background Sync) and by the pages (no Background Sync in Safari
// and Firefox: they replay on open, on `online`, when shown again, and every minute).
/* exported AstreinteOutbox */
"use strict";

var AstreinteOutbox = (function () {
  var DB_NAME = "astreinte-outbox";
  var DB_VERSION = 2;
  var STORE = "operations";
  // What the server decided otherwise (a manager's later correction), to tell the person.
  var NOTICES = "notices";
  var SYNC_URL = "/api/v1/sync/interventions";
  var BATCH = 200;

  // Raw IndexedDB ---------------------------------------------------------------------------
  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = function (event) {
        var db = request.result;
        if (event.oldVersion < 1) {
          var store = db.createObjectStore(STORE, { keyPath: "seq", autoIncrement: true });
          store.createIndex("uuid", "uuid");
        }
        if (event.oldVersion < 2) db.createObjectStore(NOTICES, { keyPath: "uuid" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function run(mode, work, storeName) {
    var name = storeName || STORE;
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(name, mode);
        var result = work(tx.objectStore(name));
        tx.oncomplete = function () { db.close(); resolve(result && result.value); };
        tx.onerror = function () { db.close(); reject(tx.error); };
        tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  // Store -------------------------------------------------------------------------------------
  function all() {
    return run("readonly", function (store) {
      var box = { value: [] };
      store.openCursor().onsuccess = function (event) {
        var cursor = event.target.result;
        if (cursor) { box.value.push(cursor.value); cursor.continue(); }
      };
      return box;
    });
  }

  function put(entry) {
    return run("readwrite", function (store) { store.put(entry); });
  }

  function notices() {
    return run("readonly", function (store) {
      var box = { value: [] };
      store.openCursor().onsuccess = function (event) {
        var cursor = event.target.result;
        if (cursor) { box.value.push(cursor.value); cursor.continue(); }
      };
      return box;
    }, NOTICES);
  }

  function addNotice(notice) {
    return run("readwrite", function (store) { store.put(notice); }, NOTICES);
  }

  function dismissNotice(uuid) {
    return run("readwrite", function (store) { store.delete(uuid); }, NOTICES);
  }

  function removeAll(seqs) {
    return run("readwrite", function (store) {
      seqs.forEach(function (seq) { store.delete(seq); });
    });
  }

  // Queue policy ------------------------------------------------------------------------------
  function uuid() {
    if (self.crypto && self.crypto.randomUUID) return self.crypto.randomUUID();
    var bytes = self.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); });
    return [hex.slice(0, 4).join(""), hex.slice(4, 6).join(""), hex.slice(6, 8).join(""),
      hex.slice(8, 10).join(""), hex.slice(10).join("")].join("-");
  }

  function enqueue(kind, recordUuid, version, data) {
    var op = { op: kind, op_id: uuid(), uuid: recordUuid, version: version,
      changed_at: new Date().toISOString() };
    if (data) op.data = data;
    return put({ uuid: recordUuid, op: op, state: "waiting", reason: "", field: null,
      addedAt: op.changed_at }).then(function () { return op; });
  }

  // The phone's view of each record still in the outbox: its latest data and state.
  function records() {
    return all().then(function (entries) {
      var byUuid = {};
      entries.forEach(function (entry) {
        var record = byUuid[entry.uuid] || { uuid: entry.uuid, version: 0, data: null,
          state: "waiting", reason: "", deleted: false, seqs: [] };
        record.seqs.push(entry.seq);
        record.version = Math.max(record.version, entry.op.version);
        if (entry.op.data) record.data = entry.op.data;
        if (entry.op.op === "delete") record.deleted = true;
        if (entry.state === "rejected") { record.state = "rejected"; record.reason = entry.reason; }
        byUuid[entry.uuid] = record;
      });
      return Object.keys(byUuid).map(function (key) { return byUuid[key]; })
        .filter(function (record) { return !(record.deleted && record.state !== "rejected"); });
    });
  }

  function count() {
    return records().then(function (list) { return list.length; });
  }

  var replaying = null;

  // Send what waits, oldest first, in batches; an entry leaves the outbox only when the server
  // says it has it. Any failure (offline, server down, session expired) keeps everything.
  function replay() {
    if (replaying) return replaying;
    replaying = sendNext().then(function (sent) { replaying = null; return sent; },
      function (error) { replaying = null; throw error; });
    return replaying;
  }

  function sendNext() {
    return all().then(function (entries) {
      var waiting = entries.filter(function (entry) { return entry.state === "waiting"; });
      if (!waiting.length) return 0;
      var batch = waiting.slice(0, BATCH);
      return fetch(SYNC_URL, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ operations: batch.map(function (entry) { return entry.op; }) }),
      }).then(function (response) {
        if (!response.ok) throw new Error("sync answered " + response.status);
        return response.json();
      }).then(function (answer) {
        var byOp = {};
        batch.forEach(function (entry) { byOp[entry.op.op_id] = entry; });
        var done = [];
        var rejected = [];
        var told = [];
        (answer.results || []).forEach(function (result) {
          var entry = byOp[result.op_id];
          if (!entry) return;
          if (result.status === "rejected") {
            entry.state = "rejected";
            entry.reason = result.reason;
            entry.field = result.field || null;
            rejected.push(entry);
          } else {
            done.push(entry.seq);
            if (result.status === "superseded") {
              told.push({ uuid: entry.uuid, reason: result.reason, at: new Date().toISOString() });
            }
          }
        });
        return Promise.all([removeAll(done)].concat(rejected.map(put), told.map(addNotice))).then(function () {
          announce();
          // More waiting behind this batch: keep going while the network holds.
          return waiting.length > batch.length && done.length ? sendNext().then(function (n) {
            return done.length + n;
          }) : done.length;
        });
      });
    });
  }

  // A rejected record fixed by the person: its refused entries go, the fix goes in as new.
  function resubmit(record, data) {
    return removeAll(record.seqs).then(function () {
      return enqueue("create", record.uuid, record.version + 1, data);
    });
  }

  function discard(record) {
    // The server may already hold it (an answer lost on the way): tell it to delete too.
    return removeAll(record.seqs).then(function () {
      return record.state === "rejected" ? null : enqueue("delete", record.uuid, record.version + 1, null);
    });
  }

  function announce() {
    var message = { type: "OUTBOX_CHANGED" };
    if (self.clients && self.clients.matchAll) {
      self.clients.matchAll({ type: "window" }).then(function (list) {
        list.forEach(function (client) { client.postMessage(message); });
      });
    } else if (typeof window !== "undefined") {
      window.dispatchEvent(new CustomEvent("astreinte:outbox"));
    }
  }

  return { enqueue: enqueue, records: records, count: count, replay: replay,
    resubmit: resubmit, discard: discard, uuid: uuid, notices: notices,
    dismissNotice: dismissNotice };
})();
