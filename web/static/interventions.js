// Interventions on the phone: a timer that survives reloads, the form saved to the outbox
// (online or not), and the list of what still waits to sync, with fixes for refused items.
/* global AstreinteOutbox */
(function () {
  "use strict";

  var TIMER_KEY = "astreinte-timer-start";

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function localInput(date) {
    return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) + "T"
      + pad(date.getHours()) + ":" + pad(date.getMinutes());
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
      if (form) form.elements.started_at.value = localInput(now);
      tick();
    } else if (action === "timer-finish") {
      var start = localStorage.getItem(TIMER_KEY);
      if (form && start) {
        form.elements.started_at.value = localInput(new Date(start));
        form.elements.ended_at.value = localInput(new Date());
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
  function markRefusedField(name) {
    var input = name && form.elements[name];
    if (!input || !input.closest) return;
    var wrapper = input.closest(".field");
    if (wrapper) wrapper.classList.add("invalid");
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

  // The form: always through the outbox, so it works the same with or without a network -----
  var fixing = null;
  if (form) {
    var fixUuid = new URLSearchParams(window.location.search).get("fix");
    if (fixUuid) {
      AstreinteOutbox.records().then(function (records) {
        fixing = records.filter(function (r) { return r.uuid === fixUuid; })[0] || null;
        if (!fixing || !fixing.data) return;
        var data = fixing.data;
        form.elements.started_at.value = localInput(new Date(data.started_at));
        form.elements.ended_at.value = localInput(new Date(data.ended_at));
        ["mode", "place", "travel_minutes", "found", "done", "outcome"].forEach(function (name) {
          if (data[name] !== undefined && data[name] !== null) form.elements[name].value = data[name];
        });
        if (data.alert_id) form.elements.alert_id.value = String(data.alert_id);
        if (fixing.reason) {
          var status = document.getElementById("form-status");
          status.textContent = fixing.reason;
          status.classList.add("error");
          status.hidden = false;
        }
        markRefusedField(fixing.field);
      });
    }

    // "Log the intervention" on an alert's page opens the form with ?alert=<id>. Offline this
    // page may be a copy cached for another address, so the link is applied here as well.
    var linkedAlert = new URLSearchParams(window.location.search).get("alert");
    if (!fixUuid && linkedAlert && /^\d+$/.test(linkedAlert)) {
      var choice = form.elements.alert_id;
      var known = Array.prototype.some.call(choice.options, function (o) { return o.value === linkedAlert; });
      if (!known) {
        var option = document.createElement("option");
        option.value = linkedAlert;
        option.textContent = form.dataset.alertLabel.replace("%(id)s", linkedAlert);
        choice.appendChild(option);
      }
      choice.value = linkedAlert;
    }

    // Once the person edits a field it is judged afresh (a custom error would otherwise stay).
    form.addEventListener("input", function (event) {
      if (event.target.setCustomValidity) event.target.setCustomValidity("");
    });

    form.addEventListener("submit", function (event) {
      if (!window.indexedDB) return; // no outbox here: the plain POST still works
      event.preventDefault();
      var f = form.elements;
      if (!f.started_at.value || !f.ended_at.value) { form.reportValidity(); return; }
      if (!withinLimits(form)) return;
      var data = {
        started_at: new Date(f.started_at.value).toISOString(),
        ended_at: new Date(f.ended_at.value).toISOString(),
        mode: f.mode.value,
        place: f.place.value.trim(),
        travel_minutes: parseInt(f.travel_minutes.value || "0", 10) || 0,
        alert_id: f.alert_id.value ? parseInt(f.alert_id.value, 10) : null,
        found: f.found.value.trim(),
        done: f.done.value.trim(),
        outcome: f.outcome.value,
      };
      if (f.latitude.value && f.longitude.value) {
        data.latitude = parseFloat(f.latitude.value);
        data.longitude = parseFloat(f.longitude.value);
      }
      var saved = fixing ? AstreinteOutbox.resubmit(fixing, data)
        // A new UUID on every save: this page may come from the cache, shown many times offline.
        : AstreinteOutbox.enqueue("create", AstreinteOutbox.uuid(), 1, data);
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
      var records = read.records;
      var waiting = records.length + read.more;
      // The service worker synced: what it sent shows in the server's list, fetched once the
      // outbox is empty.
      if (waiting === 0 && synced) { window.location.reload(); return; }
      var list = document.getElementById("outbox-list");
      document.getElementById("outbox-count").textContent = String(waiting);
      box.hidden = waiting === 0;
      list.textContent = "";
      records.slice(0, SHOWN).forEach(function (record) {
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
        list.appendChild(item);
      });
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
})();
