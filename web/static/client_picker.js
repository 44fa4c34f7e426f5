// The intervention form's client picker: searches the phone's copy of its teams' clients
// (clients.js), online or not by the same path, and sets client_id / site_id. The list is
// refreshed when the page opens with a network, and when the network comes back.
/* global AstreinteClients */
(function () {
  "use strict";

  var form = document.getElementById("intervention-form");
  var picker = document.getElementById("client-picker");
  if (!form || !picker || !window.indexedDB || typeof AstreinteClients === "undefined") return;

  var input = document.getElementById("f-client-search");
  var results = document.getElementById("client-results");
  var chosen = document.getElementById("client-chosen");
  var clear = picker.querySelector("[data-action='client-clear']");
  var fields = form.elements;
  var SHOWN = 20;

  // The search needs this script: without it the field stays hidden and the client the page
  // was given (from an alert) is still sent.
  document.getElementById("client-search-field").hidden = false;

  function line(text, className) {
    var span = document.createElement("span");
    span.className = className || "";
    span.textContent = text;
    return span;
  }

  function showChosen(found) {
    chosen.textContent = "";
    clear.hidden = !fields.client_id.value;
    if (!fields.client_id.value) { chosen.textContent = picker.dataset.noneChosen; return; }
    if (!found) return; // not in this phone's list: the server's words stay
    chosen.appendChild(line(found.name, "client-name"));
    var where = [found.siteName, found.address].filter(Boolean).join(", ");
    if (where) { chosen.appendChild(document.createElement("br")); chosen.appendChild(line(where)); }
    if (found.instructions) {
      chosen.appendChild(document.createElement("br"));
      chosen.appendChild(line(picker.dataset.accessLabel + " " + found.instructions, "muted"));
    }
    if (found.codes) {
      chosen.appendChild(document.createElement("br"));
      chosen.appendChild(line(picker.dataset.codesLabel + " " + found.codes, "client-codes"));
    }
  }

  function number(value) { return value ? parseInt(value, 10) : null; }

  function redrawChosen() {
    var clientId = number(fields.client_id.value);
    if (!clientId) { showChosen(null); return Promise.resolve(); }
    return AstreinteClients.byId(clientId, number(fields.site_id.value)).then(function (found) {
      if (found || chosen.textContent === picker.dataset.noneChosen) showChosen(found);
      else clear.hidden = false;
    });
  }

  function choose(found) {
    fields.client_id.value = String(found.clientId);
    fields.site_id.value = found.siteId ? String(found.siteId) : "";
    results.textContent = "";
    input.value = "";
    showChosen(found);
  }

  var asked = 0;
  function search() {
    var query = input.value;
    var ticket = asked += 1;
    AstreinteClients.search(query, SHOWN).then(function (found) {
      if (ticket !== asked) return; // a later keystroke's answer wins
      results.textContent = "";
      if (!query.trim()) return;
      if (!found.length) {
        AstreinteClients.kept().then(function (list) {
          results.appendChild(line(list ? picker.dataset.noMatch : picker.dataset.noList, "muted"));
        });
        return;
      }
      found.forEach(function (item) {
        var entry = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "button wide client-choice";
        button.appendChild(line(item.name, "client-name"));
        var where = [item.siteName, item.address].filter(Boolean).join(", ");
        if (where) button.appendChild(line(where, "muted"));
        button.addEventListener("click", function () { choose(item); });
        entry.appendChild(button);
        results.appendChild(entry);
      });
    });
  }

  input.addEventListener("input", search);
  // Enter in the search picks nothing and must not save the form half-filled.
  input.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") return;
    event.preventDefault();
    var first = results.querySelector("button");
    if (first) first.click();
  });
  clear.addEventListener("click", function () {
    fields.client_id.value = "";
    fields.site_id.value = "";
    showChosen(null);
  });
  // interventions.js filled the form from a record (a fix, an edit): show its client.
  form.addEventListener("astreinte:filled", redrawChosen);

  // "Log the intervention" from an alert's page names its client and site in the address; a
  // copy of this form cached for another address knows nothing of them, so they apply here.
  var query = new URLSearchParams(window.location.search);
  if (!query.get("fix") && !query.get("edit") && /^\d+$/.test(query.get("client") || "")) {
    fields.client_id.value = query.get("client");
    fields.site_id.value = /^\d+$/.test(query.get("site") || "") ? query.get("site") : "";
  }
  redrawChosen();
  // Read and indexed now (0.2 s for 10,000 clients on a laptop's Chromium), not at the first
  // letter typed.
  AstreinteClients.kept().catch(function () {});

  function refresh() {
    if (!navigator.onLine) return;
    AstreinteClients.refresh().then(function (answer) {
      if (answer.changed) { redrawChosen(); if (input.value) search(); }
    }).catch(function () {});
  }
  refresh();
  window.addEventListener("online", refresh);
})();
