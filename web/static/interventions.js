// Interventions on the phone: a timer that survives reloads, the form saved to the outbox
// (online or not), the list of what still waits to sync, with fixes for refused items, and the
// person's own change of a synced intervention (its page, then the form with ?edit=<uuid>).
/* global AstreinteOutbox */
(function () {
  "use strict";

  // Shared with app.js, which shows a running timer on every page.
  var TIMER_KEY = "astreinte-timer-start";
  var SHORTEST_MS = 60000;

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function localInput(date) {
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) + "T"
      + pad(date.getHours()) + ":" + pad(date.getMinutes());
  }

  // The instant each time field was filled from (the timer, a record), kept while the field
  // still shows it: on the night the clocks go back, a wall-clock time such as 02:36 happens
  // twice and the field cannot say which, so read back alone it could lose an hour.
  var exactTimes = {};

  // The field shows the minute; the instant itself is kept to the second, so that a call timed
  // for 20 seconds (start and end in the same minute) still ends after it starts.
  function setTime(target, name, date) {
    target.elements[name].value = localInput(date);
    exactTimes[name] = { value: target.elements[name].value, iso: date.toISOString() };
  }

  function timeOf(target, name) {
    var value = target.elements[name].value;
    var kept = exactTimes[name];
    return kept && kept.value === value ? kept.iso : new Date(value).toISOString();
  }

  function askForSync() {
    if (!("serviceWorker" in navigator)) return AstreinteOutbox.replay().catch(function () {});
    return navigator.serviceWorker.ready.then(function (registration) {
      if (registration.sync) return registration.sync.register("outbox").catch(function () {});
      if (registration.active) registration.active.postMessage({ type: "REPLAY" });
      return null;
    });
  }

  // The timer -------------------------------------------------------------------------------
  var display = document.getElementById("timer-display");
  var form = document.getElementById("intervention-form");
  function tick() {
    var start = localStorage.getItem(TIMER_KEY);
    var startButton = document.querySelector("[data-action='timer-start']");
    var finishButton = document.querySelector("[data-action='timer-finish']");
    if (!display) return;
    if (!start) {
      display.textContent = "00:00:00";
      if (startButton) startButton.disabled = false;
      if (finishButton) finishButton.disabled = true;
      return;
    }
    var seconds = Math.max(0, Math.floor((Date.now() - Date.parse(start)) / 1000));
    display.textContent = pad(Math.floor(seconds / 3600)) + ":" + pad(Math.floor(seconds / 60) % 60)
      + ":" + pad(seconds % 60);
    if (startButton) startButton.disabled = true;
    if (finishButton) finishButton.disabled = false;
  }
  if (display) { tick(); window.setInterval(tick, 1000); }

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-action]");
    if (!target) return;
    var action = target.getAttribute("data-action");
    if (action === "timer-start") {
      var now = new Date();
      localStorage.setItem(TIMER_KEY, now.toISOString());
      if (form) setTime(form, "started_at", now);
      tick();
    } else if (action === "timer-finish") {
      var start = localStorage.getItem(TIMER_KEY);
      if (!start) { tick(); return; } // nothing started: nothing to finish
      if (form) {
        var began = new Date(start);
        // A call shorter than a minute still counts as one: what the form shows then reads
        // as a minute's work rather than "17:00–17:00", and the server takes it.
        var ended = new Date(Math.max(Date.now(), began.getTime() + SHORTEST_MS));
        setTime(form, "started_at", began);
        setTime(form, "ended_at", ended);
      }
      localStorage.removeItem(TIMER_KEY);
      tick();
    } else if (action === "locate" && navigator.geolocation) {
      navigator.geolocation.getCurrentPosition(function (position) {
        form.elements.latitude.value = position.coords.latitude.toFixed(6);
        form.elements.longitude.value = position.coords.longitude.toFixed(6);
        document.getElementById("position").textContent = form.elements.latitude.value + ", "
          + form.elements.longitude.value;
      }, function () {
        document.getElementById("position").textContent = target.dataset.failed;
      }, { enableHighAccuracy: true, timeout: 15000 });
    }
  });

  // The field the server named when it refused the record: shown invalid, focused to fix.
  // The reason is written under the field too: the status line near "Save" is off-screen on
  // a phone while the person looks at the field.
  function markRefusedField(name, reason) {
    var input = name && form.elements[name];
    if (!input || !input.closest) return;
    var wrapper = input.closest(".field");
    if (wrapper) {
      wrapper.classList.add("invalid");
      if (reason) {
        var note = wrapper.querySelector(".field-error") || document.createElement("p");
        note.className = "field-error";
        note.id = "e-" + name;
        note.textContent = reason;
        wrapper.appendChild(note);
        input.setAttribute("aria-describedby", note.id);
      }
    }
    input.setAttribute("aria-invalid", "true");
    input.focus();
  }

  // A browser checks maxlength only on what the person types, not on a refused record's text
  // put back in the form: check it here too, or the outbox would keep what the server refuses.
  function withinLimits(target) {
    var fields = target.querySelectorAll("input[maxlength], textarea[maxlength]");
    for (var i = 0; i < fields.length; i += 1) {
      var input = fields[i];
      input.setCustomValidity(input.value.length > input.maxLength
        ? target.dataset.tooLong.replace("%(count)s", String(input.maxLength)) : "");
    }
    return target.reportValidity();
  }

  // The alert answered, offered even when this copy of the form does not list it.
  function chooseAlert(id) {
    var choice = form.elements.alert_id;
    var known = Array.prototype.some.call(choice.options, function (o) { return o.value === id; });
    if (id && !known) {
      var option = document.createElement("option");
      option.value = id;
      option.textContent = form.dataset.alertLabel.replace("%(id)s", id);
      choice.appendChild(option);
    }
    choice.value = id;
  }

  // The form filled with a record's data, as an operation carries it (or emptied, with none).
  function fillForm(data) {
    var f = form.elements;
    data = data || {};
    ["started_at", "ended_at"].forEach(function (name) {
      if (data[name]) setTime(form, name, new Date(data[name]));
      else f[name].value = "";
    });
    var blank = { mode: "on_site", place: "", travel_minutes: 0, found: "", done: "", outcome: "resolved",
      latitude: "", longitude: "", client_id: "", site_id: "" };
    Object.keys(blank).forEach(function (name) {
      f[name].value = data[name] !== undefined && data[name] !== null ? data[name] : blank[name];
    });
    chooseAlert(data.alert_id ? String(data.alert_id) : "");
    var position = document.getElementById("position");
    if (position) position.textContent = f.latitude.value ? f.latitude.value + ", " + f.longitude.value : "";
    // The client picker (client_picker.js) shows the record's client.
    form.dispatchEvent(new CustomEvent("astreinte:filled"));
    // The procedures' checklists ticked with it (checklists.js).
    if (window.AstreinteChecklists) window.AstreinteChecklists.fill(data.checklist || []);
  }

  function say(message) {
    var status = document.getElementById("form-status");
    status.textContent = message;
    status.classList.add("error");
    status.hidden = false;
  }

  // The person's own synced interventions: the last version this phone sent of each, for as
  // long as it may still change them. A page saved before that change (offline, a copy from
  // the cache) would otherwise give the form an older version, which the server would ignore.
  var SENT_KEY = "astreinte-own-edits";
  function sentEdits() {
    var now = Date.now();
    var kept = {};
    try {
      var all = JSON.parse(localStorage.getItem(SENT_KEY) || "{}");
      Object.keys(all).forEach(function (uuid) {
        if (Date.parse(all[uuid].editable_until) >= now) kept[uuid] = all[uuid];
      });
    } catch (error) { /* unreadable: forgotten */ }
    return kept;
  }
  function rememberSent(record) {
    var all = sentEdits();
    all[record.uuid] = record;
    localStorage.setItem(SENT_KEY, JSON.stringify(all));
  }
  function pageRecord() {
    var block = document.getElementById("intervention-record");
    try { return block ? JSON.parse(block.textContent) : null; } catch (error) { return null; }
  }
  function keptRecord(uuid) {
    try { return JSON.parse(sessionStorage.getItem("astreinte-edit-" + uuid) || "null"); } catch (error) { return null; }
  }

  // What the form edits: the newest of the record this page was given, the one its page left
  // in this tab (a cached form is the same page for every address), the last this phone sent,
  // and a change still waiting in the outbox. The edit is sent as that version plus one.
  function recordToEdit(uuid) {
    var given = pageRecord();
    var found = [given && given.uuid === uuid ? given : null, keptRecord(uuid), sentEdits()[uuid] || null];
    return AstreinteOutbox.records().then(function (records) {
      var waiting = records.filter(function (r) { return r.uuid === uuid; })[0] || null;
      var best = null;
      found.forEach(function (record) {
        if (record && record.data && (!best || record.version > best.version)) best = record;
      });
      if (waiting && waiting.data && best && waiting.version > best.version) {
        best = { uuid: uuid, version: waiting.version, data: waiting.data, editable_until: best.editable_until };
      }
      return { record: best, waiting: waiting };
    });
  }

  // The form: always through the outbox, so it works the same with or without a network -----
  var fixing = null;
  var editing = null;
  if (form) {
    var query = new URLSearchParams(window.location.search);
    var fixUuid = query.get("fix");
    var editUuid = fixUuid ? null : query.get("edit");
    var title = document.getElementById("form-title");
    // Offline this page may be a copy the cache kept for another address (the form is one
    // page whatever it is asked): what it shows follows this address, not the copy.
    if ((form.dataset.editUuid || "") !== (editUuid || "")) {
      fillForm(null);
      if (form.elements.edit) form.elements.edit.value = "";
    }
    if (title && form.dataset.titleEdit) {
      title.textContent = editUuid ? form.dataset.titleEdit : form.dataset.titleNew;
    }
    var timer = document.getElementById("timer");
    if (timer) timer.hidden = Boolean(editUuid);
    if (fixUuid) {
      AstreinteOutbox.records().then(function (records) {
        fixing = records.filter(function (r) { return r.uuid === fixUuid; })[0] || null;
        if (!fixing || !fixing.data) return;
        fillForm(fixing.data);
        if (fixing.reason) say(fixing.reason);
        markRefusedField(fixing.field, fixing.reason);
      });
    }
    if (editUuid) {
      recordToEdit(editUuid).then(function (found) {
        if (!found.record) { say(form.dataset.notHere); return; }
        editing = found.record;
        // A change refused by the server is fixed in its place rather than queued behind it.
        if (found.waiting && found.waiting.state === "rejected") fixing = found.waiting;
        fillForm(editing.data);
        if (fixing && fixing.reason) {
          // The form opened to correct a refused change says why it was refused.
          say(fixing.reason);
          markRefusedField(fixing.field, fixing.reason);
        }
        if (Date.parse(editing.editable_until) < Date.now()) say(form.dataset.tooLate);
      });
    }

    // "Log the intervention" on an alert's page opens the form with ?alert=<id>. Offline this
    // page may be a copy cached for another address, so the link is applied here as well.
    var linkedAlert = query.get("alert");
    if (!fixUuid && !editUuid && linkedAlert && /^\d+$/.test(linkedAlert)) chooseAlert(linkedAlert);

    // Once the person edits a field it is judged afresh (a custom error would otherwise stay).
    form.addEventListener("input", function (event) {
      if (event.target.setCustomValidity) event.target.setCustomValidity("");
    });

    form.addEventListener("submit", function (event) {
      if (!window.indexedDB) return; // no outbox here: the plain POST still works
      event.preventDefault();
      var f = form.elements;
      f.ended_at.setCustomValidity(""); // judged afresh below, whichever time was changed
      if (!f.started_at.value || !f.ended_at.value) { form.reportValidity(); return; }
      if (!withinLimits(form)) return;
      var startedAt = timeOf(form, "started_at");
      var endedAt = timeOf(form, "ended_at");
      // Refused here rather than saved and then refused by the server.
      if (Date.parse(endedAt) <= Date.parse(startedAt)) {
        f.ended_at.setCustomValidity(form.dataset.endBeforeStart);
        f.ended_at.reportValidity();
        return;
      }
      var data = {
        started_at: startedAt,
        ended_at: endedAt,
        mode: f.mode.value,
        place: f.place.value.trim(),
        travel_minutes: parseInt(f.travel_minutes.value || "0", 10) || 0,
        alert_id: f.alert_id.value ? parseInt(f.alert_id.value, 10) : null,
        found: f.found.value.trim(),
        done: f.done.value.trim(),
        outcome: f.outcome.value,
        client_id: f.client_id.value ? parseInt(f.client_id.value, 10) : null,
        site_id: f.site_id.value ? parseInt(f.site_id.value, 10) : null,
      };
      // The survey QR code shown for it (survey_qr.js): bound to it on the server.
      if (f.survey_token_id && f.survey_token_id.value) {
        data.survey_token_id = parseInt(f.survey_token_id.value, 10);
      }
      // The procedures' checklists shown, with the boxes ticked (checklists.js).
      var checklist = window.AstreinteChecklists ? window.AstreinteChecklists.ticks() : [];
      if (checklist.length) data.checklist = checklist;
      if (f.latitude.value && f.longitude.value) {
        data.latitude = parseFloat(f.latitude.value);
        data.longitude = parseFloat(f.longitude.value);
      }
      var saved;
      if (editUuid && !editing) { say(form.dataset.notHere); return; }
      if (editing && Date.parse(editing.editable_until) < Date.now()) { say(form.dataset.tooLate); return; }
      if (fixing) {
        saved = AstreinteOutbox.resubmit(fixing, data);
      } else if (editing) {
        // The whole record again, one version above the newest this phone knows of.
        saved = AstreinteOutbox.enqueue("update", editing.uuid, editing.version + 1, data);
      } else {
        // A new UUID on every save: this page may come from the cache, shown many times offline.
        saved = AstreinteOutbox.enqueue("create", AstreinteOutbox.uuid(), 1, data);
      }
      if (editing) {
        saved = saved.then(function (op) {
          rememberSent({ uuid: editing.uuid, version: op.version, data: data,
            editable_until: editing.editable_until, refresh: true });
          return op;
        });
      }
      saved.then(function () {
        localStorage.removeItem(TIMER_KEY);
        // Online: send it now, so the list that opens next already shows it. Offline (or a
        // slow network): the outbox keeps it and Background Sync or the next chance sends it.
        var now = navigator.onLine ? AstreinteOutbox.replay().catch(function () {}) : null;
        var patience = new Promise(function (resolve) { window.setTimeout(resolve, 4000); });
        return Promise.race([Promise.all([now, askForSync()]), patience]);
      }).then(function () {
        window.location.assign("/interventions");
      });
    });
  }

  // The outbox list on /interventions ----------------------------------------------------------
  var box = document.getElementById("outbox");
  // A long outbox (thousands saved offline) shows its first records and how many more wait:
  // the page reads a bounded slice of it, never the whole, while a replay drains it.
  var READ_ENTRIES = 200;
  var SHOWN = 50;
  // Redraws asked for while one is under way (a replay announces every batch) make one more.
  var REDRAW_DELAY_MS = 150;

  function renderNotices() {
    var area = document.getElementById("outbox-notices");
    if (!area) return;
    AstreinteOutbox.notices().then(function (list) {
      area.textContent = "";
      list.forEach(function (notice) {
        var line = document.createElement("p");
        line.className = "notice warn";
        line.setAttribute("role", "status");
        line.textContent = notice.reason + " ";
        var ok = document.createElement("button");
        ok.type = "button";
        ok.className = "button small";
        ok.textContent = area.dataset.labelOk;
        ok.addEventListener("click", function () {
          AstreinteOutbox.dismissNotice(notice.uuid).then(renderNotices);
        });
        line.appendChild(ok);
        area.appendChild(line);
      });
    });
  }

  var drawing = null;
  var again = false;
  var reloadWhenEmpty = false;

  // Coalesced: at most one redraw under way and one waiting behind it, whatever the number of
  // calls (the first draw of the page is immediate).
  function render() {
    if (!box) return;
    if (drawing) { again = true; return; }
    drawing = draw().catch(function () {}).then(function () {
      return new Promise(function (resolve) { window.setTimeout(resolve, REDRAW_DELAY_MS); });
    }).then(function () {
      drawing = null;
      if (again) { again = false; render(); }
    });
  }

  function draw() {
    var synced = reloadWhenEmpty;
    reloadWhenEmpty = false;
    renderNotices();
    return AstreinteOutbox.firstRecords(READ_ENTRIES).then(function (read) {
      // A refused record is not waiting to be sent: it waits for the person, in its own list,
      // so that no record reads "waiting to sync" and "refused" at once.
      var refused = read.records.filter(function (r) { return r.state === "rejected"; });
      var records = read.records.filter(function (r) { return r.state !== "rejected"; });
      var waiting = records.length + read.more;
      // The service worker synced: what it sent shows in the server's list, fetched once the
      // outbox is empty.
      if (waiting + refused.length === 0 && synced) { window.location.reload(); return; }
      var list = document.getElementById("outbox-list");
      document.getElementById("outbox-count").textContent = String(waiting);
      box.hidden = waiting === 0;
      list.textContent = "";
      var refusedBox = document.getElementById("refused");
      var refusedList = document.getElementById("refused-list");
      if (refusedBox) {
        document.getElementById("refused-count").textContent = String(refused.length);
        refusedBox.hidden = refused.length === 0;
        refusedList.textContent = "";
      }
      records.slice(0, SHOWN).concat(refused.slice(0, SHOWN)).forEach(function (record) {
        var item = document.createElement("li");
        var text = document.createElement("span");
        var when = record.data ? new Date(record.data.started_at).toLocaleString() : record.uuid;
        text.textContent = when + (record.data && record.data.place ? " · " + record.data.place : "");
        var tag = document.createElement("span");
        tag.className = "tag" + (record.state === "rejected" ? " warn" : "");
        tag.textContent = record.state === "rejected" ? box.dataset.labelRejected : box.dataset.labelWaiting;
        item.appendChild(text);
        item.appendChild(tag);
        if (record.state === "rejected") {
          var reason = document.createElement("span");
          reason.className = "reason";
          reason.textContent = record.reason;
          item.appendChild(reason);
        }
        if (record.data) {
          // Waiting or refused, it is still the person's to change before it reaches the server.
          var fix = document.createElement("a");
          fix.className = "button small";
          fix.href = "/interventions/new?fix=" + encodeURIComponent(record.uuid);
          fix.textContent = box.dataset.labelFix;
          item.appendChild(fix);
        }
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "button small danger";
        remove.textContent = box.dataset.labelDelete;
        remove.addEventListener("click", function () {
          AstreinteOutbox.discard(record).then(function () { askForSync(); render(); });
        });
        item.appendChild(remove);
        (record.state === "rejected" && refusedList ? refusedList : list).appendChild(item);
      });
      if (waiting + refused.length === 0) warmOwnPages();
      var hidden = waiting - Math.min(records.length, SHOWN);
      if (hidden > 0) {
        var more = document.createElement("li");
        more.className = "muted";
        more.textContent = box.dataset[hidden === 1 ? "labelMoreOne" : "labelMoreOther"]
          .replace("{count}", hidden.toLocaleString(document.documentElement.lang || undefined));
        list.appendChild(more);
      }
    });
  }
  // The person's synced interventions they may still change, fetched ahead by the service
  // worker so that their pages open with no network: those it has no copy of, and those this
  // phone changed since (once the outbox is empty, the server has the change).
  var warmed = false;
  function warmOwnPages() {
    if (warmed || !navigator.onLine || !window.caches || !("serviceWorker" in navigator)) return;
    warmed = true;
    var sent = sentEdits();
    var links = Array.prototype.slice.call(document.querySelectorAll("a[data-warm]"), 0, 20);
    Promise.all(links.map(function (link) {
      var url = link.getAttribute("href");
      var uuid = url.split("/").pop();
      return caches.match(url).then(function (hit) {
        return !hit || (sent[uuid] && sent[uuid].refresh) ? url : null;
      });
    })).then(function (found) {
      var urls = found.filter(Boolean);
      Object.keys(sent).forEach(function (uuid) { sent[uuid].refresh = false; });
      localStorage.setItem(SENT_KEY, JSON.stringify(sent));
      if (!urls.length) return null;
      return navigator.serviceWorker.ready.then(function (registration) {
        if (registration.active) registration.active.postMessage({ type: "WARM", urls: urls });
      });
    }).catch(function () {});
  }

  if (box) {
    render();
    window.addEventListener("astreinte:outbox", render);
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.addEventListener("message", function (event) {
        if (event.data && event.data.type === "OUTBOX_CHANGED") {
          reloadWhenEmpty = true;
          render();
        }
      });
    }
  }

  // An intervention's own page: its record left in this tab for the form (offline the form
  // is a cached copy that knows nothing of it), the button hidden once a saved copy outlives
  // the window, and a change of it still waiting in the outbox said.
  var own = document.getElementById("own-edit");
  if (own && !form) {
    var record = pageRecord();
    if (record) {
      sessionStorage.setItem("astreinte-edit-" + record.uuid, JSON.stringify(record));
      if (Date.parse(record.editable_until) < Date.now()) {
        document.getElementById("own-edit-actions").hidden = true;
        document.getElementById("own-edit-until").hidden = true;
        document.getElementById("own-edit-closed").hidden = false;
      }
    }
    var shownUuid = window.location.pathname.split("/").pop();
    AstreinteOutbox.records().then(function (records) {
      var waiting = records.some(function (r) { return r.uuid === shownUuid; });
      document.getElementById("own-edit-pending").hidden = !waiting;
    }).catch(function () {});
  }
})();
