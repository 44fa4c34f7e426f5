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
  // A request stays far below the server's limit (2 MB), however long the texts typed.
  var BATCH_BYTES = 256 * 1024;
  // A request that hangs is given up, so that the outbox does not wait on it for ever.
  var FETCH_TIMEOUT_MS = 20000;
  // One replay at a time across the pages and the service worker.
  var REPLAY_LOCK = "astreinte-outbox-replay";

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

  function transact(names, mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(names, mode);
        var result = work(tx);
        tx.oncomplete = function () { db.close(); resolve(result && result.value); };
        tx.onerror = function () { db.close(); reject(tx.error); };
        tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function run(mode, work, storeName) {
    var name = storeName || STORE;
    return transact(name, mode, function (tx) { return work(tx.objectStore(name)); });
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

  // At most `limit` entries after the entry `afterSeq` (from the first when null), oldest first.
  function entriesAfter(afterSeq, limit) {
    return run("readonly", function (store) {
      var box = { value: [] };
      var range = afterSeq === null ? null : IDBKeyRange.lowerBound(afterSeq, true);
      var request = store.getAll(range, limit);
      request.onsuccess = function () { box.value = request.result; };
      return box;
    });
  }

  // The first `limit` entries and how many there are in all, read together.
  function head(limit) {
    return run("readonly", function (store) {
      var box = { value: { entries: [], total: 0 } };
      var first = store.getAll(null, limit);
      first.onsuccess = function () { box.value.entries = first.result; };
      var total = store.count();
      total.onsuccess = function () { box.value.total = total.result; };
      return box;
    });
  }

  function put(entry) {
    return run("readwrite", function (store) { store.put(entry); });
  }

  // The server's answer to a batch, in one transaction: what it has leaves the outbox, what it
  // refused is marked (unless the person removed it meanwhile), corrections are kept to tell.
  function settle(done, refused, told) {
    return transact([STORE, NOTICES], "readwrite", function (tx) {
      var store = tx.objectStore(STORE);
      done.forEach(function (seq) { store.delete(seq); });
      refused.forEach(function (entry) {
        var stored = store.get(entry.seq);
        stored.onsuccess = function () { if (stored.result) store.put(entry); };
      });
      told.forEach(function (notice) { tx.objectStore(NOTICES).put(notice); });
    });
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
    return all().then(group);
  }

  // The first records of the outbox without reading it whole (a long outbox shows a few and
  // how many more wait): `more` counts the entries not read, one record each in practice.
  function firstRecords(limit) {
    return head(limit).then(function (read) {
      return { records: group(read.entries), more: read.total - read.entries.length };
    });
  }

  function group(entries) {
    var byUuid = {};
    entries.forEach(function (entry) {
      var record = byUuid[entry.uuid] || { uuid: entry.uuid, version: 0, data: null,
        state: "waiting", reason: "", deleted: false, seqs: [] };
      record.seqs.push(entry.seq);
      record.version = Math.max(record.version, entry.op.version);
      if (entry.op.data) record.data = entry.op.data;
      if (entry.op.op === "delete") record.deleted = true;
      if (entry.state === "rejected") {
        record.state = "rejected";
        record.reason = entry.reason;
        record.field = entry.field || null;
      }
      byUuid[entry.uuid] = record;
    });
    return Object.keys(byUuid).map(function (key) { return byUuid[key]; })
      .filter(function (record) { return !(record.deleted && record.state !== "rejected"); });
  }

  var replaying = null;

  // Send what waits, oldest first, in batches; an entry leaves the outbox only when the server
  // says it has it. Any failure (offline, server down, session expired, no answer in time)
  // keeps everything. The pages and the service worker all replay (Background Sync, app open,
  // every minute): a Web Lock makes them take turns, so no batch is ever sent twice at once;
  // the one that waited then finds only what is still waiting.
  function replay() {
    if (replaying) return replaying;
    replaying = exclusively(function () { return sendFrom(null, 0); }).then(
      function (sent) { replaying = null; return sent; },
      function (error) { replaying = null; throw error; });
    return replaying;
  }

  // The network often says it is back before it carries anything (the radio still attaching,
  // a captive portal, the browser catching up with itself): a replay asked for on `online` or
  // when the app opens that fails is tried again after 1, 2, 4, 8 and 15 s, not at the next
  // minute's round. A refusal that waiting will not change (the session expired) is not.
  var RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 15000];
  var persisting = null;
  var tryNow = null;

  function replaySoon() {
    if (persisting) {
      if (tryNow) tryNow(); // asked again while it waits: the network may be back, try now
      return persisting;
    }
    var attempt = 0;
    function once() {
      return replay().catch(function (error) {
        if (attempt >= RETRY_DELAYS_MS.length || !worthRetrying(error)) throw error;
        var delay = RETRY_DELAYS_MS[attempt];
        attempt += 1;
        return new Promise(function (resolve) {
          var timer = setTimeout(resolve, delay);
          tryNow = function () { clearTimeout(timer); resolve(); };
        }).then(function () { tryNow = null; return once(); });
      });
    }
    persisting = once().then(
      function (sent) { persisting = null; return sent; },
      function (error) { persisting = null; throw error; });
    return persisting;
  }

  function worthRetrying(error) {
    var status = error && error.status;
    return !status || status >= 500 || status === 408 || status === 429;
  }

  function exclusively(work) {
    var locks = self.navigator && self.navigator.locks;
    // Without Web Locks (older browsers) each page and the worker still replay one at a time.
    return locks && locks.request ? locks.request(REPLAY_LOCK, work) : work();
  }

  // One batch read after the entry `afterSeq` (a bounded read, never the whole outbox), sent,
  // settled; then the next, until nothing is left behind it.
  function sendFrom(afterSeq, sent) {
    return entriesAfter(afterSeq, BATCH).then(function (entries) {
      if (!entries.length) return sent;
      var batch = nextBatch(entries);
      if (!batch.entries.length) return sendFrom(batch.last, sent); // only refused ones here
      return post(batch.body).then(function (reply) {
        return answered(batch.entries, reply);
      }).then(function (done) {
        announce();
        return sendFrom(batch.last, sent + done);
      });
    });
  }

  var encoder = new TextEncoder();

  // The waiting entries among `entries`, in order, within BATCH_BYTES (at least one, however
  // large); `last` is the seq of the last entry the batch covers, refused ones skipped included.
  function nextBatch(entries) {
    var batch = { entries: [], body: "", last: null };
    var parts = [];
    var bytes = 20; // {"operations":[ ]}
    for (var i = 0; i < entries.length; i++) {
      var entry = entries[i];
      if (entry.state === "waiting") {
        var json = JSON.stringify(entry.op);
        var size = encoder.encode(json).length + 1;
        if (parts.length && bytes + size > BATCH_BYTES) break;
        batch.entries.push(entry);
        parts.push(json);
        bytes += size;
      }
      batch.last = entry.seq;
    }
    batch.body = '{"operations":[' + parts.join(",") + "]}";
    return batch;
  }

  function post(body) {
    var controller = self.AbortController ? new AbortController() : null;
    var timer = controller && setTimeout(function () { controller.abort(); }, FETCH_TIMEOUT_MS);
    function stop() { if (timer) clearTimeout(timer); }
    return fetch(SYNC_URL, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: body,
      signal: controller ? controller.signal : undefined,
    }).then(function (response) {
      // The timer runs until the answer is read whole: a body can hang too.
      return response.json().catch(function () { return {}; }).then(function (answer) {
        return { status: response.status, answer: answer };
      });
    }).then(function (reply) { stop(); return reply; }, function (error) { stop(); throw error; });
  }

  // The server's answer applied to the outbox; resolves with how many entries left it.
  function answered(batch, reply) {
    if (reply.status === 413 && batch.length === 1) {
      // Too large for the server on its own: refused here, for the person to shorten or delete,
      // instead of blocking everything behind it.
      var entry = batch[0];
      entry.state = "rejected";
      entry.reason = reply.answer.detail || "";
      return settle([], [entry], []).then(function () { return 0; });
    }
    if (reply.status !== 200) {
      var failure = new Error("sync answered " + reply.status);
      failure.status = reply.status;
      throw failure;
    }
    var byOp = {};
    batch.forEach(function (item) { byOp[item.op.op_id] = item; });
    var done = [];
    var refused = [];
    var told = [];
    (reply.answer.results || []).forEach(function (result) {
      var item = byOp[result.op_id];
      if (!item) return;
      if (result.status === "rejected") {
        item.state = "rejected";
        item.reason = result.reason;
        item.field = result.field || null;
        refused.push(item);
      } else {
        done.push(item.seq);
        if (result.status === "superseded") {
          told.push({ uuid: item.uuid, reason: result.reason, at: new Date().toISOString() });
        }
      }
    });
    return settle(done, refused, told).then(function () { return done.length; });
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

  return { enqueue: enqueue, records: records, firstRecords: firstRecords, replay: replay,
    replaySoon: replaySoon, resubmit: resubmit, discard: discard, uuid: uuid, notices: notices,
    dismissNotice: dismissNotice };
})();
