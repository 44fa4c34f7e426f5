// The intervention form's checklists (README, "Procedures offline"): the checklists of the
// procedures kept on the phone (procedures.js) that serve the alert answered, and of any other
// kept procedure the person adds, ticked as they go. interventions.js sends the ticks with the
// record through the outbox (`ticks()`) and puts a saved record's ticks back (`fill()`).
/* global AstreinteProcedures */
/* exported AstreinteChecklists */
var AstreinteChecklists = (function () {
  "use strict";

  var SAVED_KEY = "astreinte-checklists-";
  // An intervention's page hands its saved ticks to the form that changes it (this tab): the
  // record the server gives the form does not carry them.
  var saved = document.getElementById("checklist-record");
  if (saved) {
    try {
      var uuid = window.location.pathname.split("/").pop();
      sessionStorage.setItem(SAVED_KEY + uuid, saved.textContent);
    } catch (error) { /* no session storage: the form shows none */ }
  }

  var card = document.getElementById("procedure-checklists");
  var form = document.getElementById("intervention-form");
  if (!card || !form || typeof AstreinteProcedures === "undefined" || !window.caches) return null;
  var area = document.getElementById("checklists-list");
  var none = document.getElementById("checklists-none");
  var picker = document.getElementById("f-checklist-add");
  var shown = {}; // procedure id -> its block in the form
  var counter = 0;

  function text(node) { return (node.textContent || "").replace(/\s+/g, " ").trim(); }

  // A procedure's checklists, read from its kept page, as boxes the person can tick.
  function block(id, html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var lists = Array.prototype.filter.call(doc.querySelectorAll(".checklist"), function (list) {
      return !list.parentElement.closest(".checklist");
    });
    var wrapper = document.createElement("div");
    wrapper.className = "procedure-checklist";
    wrapper.dataset.procedure = String(id);
    wrapper.dataset.version = lists.length ? lists[0].getAttribute("data-version") : "";
    var heading = document.createElement("h3");
    var link = document.createElement("a");
    link.href = "/procedures/" + id;
    var title = doc.querySelector("h1");
    link.textContent = title ? text(title) : "#" + id;
    heading.appendChild(link);
    if (wrapper.dataset.version) {
      var note = document.createElement("span");
      note.className = "muted";
      note.textContent = " · " + card.dataset.version.replace("%(number)s", wrapper.dataset.version);
      heading.appendChild(note);
    }
    wrapper.appendChild(heading);
    lists.forEach(function (list) {
      var copy = document.importNode(list, true);
      Array.prototype.forEach.call(copy.querySelectorAll("input[data-item]"), function (box) {
        // Ticked now, during this intervention: the text's own [x] marks are not its ticks.
        box.disabled = false;
        box.checked = false;
        box.removeAttribute("checked");
        counter += 1;
        box.id = "checklist-" + id + "-" + box.getAttribute("data-item") + "-" + counter;
        box.setAttribute("aria-label", text(box.parentElement));
      });
      wrapper.appendChild(copy);
    });
    return wrapper;
  }

  function add(id, ticked, auto) {
    id = parseInt(id, 10);
    if (!id) return Promise.resolve(null);
    if (shown[id]) return Promise.resolve(shown[id]);
    return AstreinteProcedures.page(id).then(function (html) {
      if (!html || shown[id]) return shown[id] || null;
      var found = block(id, html);
      if (!found.querySelector("input[data-item]") && auto) return null; // nothing to tick
      (ticked || []).forEach(function (n) {
        var box = found.querySelector('input[data-item="' + n + '"]');
        if (box) box.checked = true;
      });
      if (auto) found.dataset.auto = "1";
      else found.dataset.sent = "1"; // restored or chosen: sent even with no tick
      found.addEventListener("change", function () { found.dataset.sent = "1"; });
      shown[id] = found;
      area.appendChild(found);
      card.hidden = false;
      return found;
    });
  }

  function touched(element) { return Boolean(element.querySelector("input[data-item]:checked")); }

  // The alert answered changed: its procedures come in; those brought by the previous alert and
  // left unticked go.
  function followAlert() {
    var alertId = form.elements.alert_id ? form.elements.alert_id.value : "";
    Object.keys(shown).forEach(function (id) {
      if (shown[id].dataset.auto && !touched(shown[id])) {
        area.removeChild(shown[id]);
        delete shown[id];
      }
    });
    return AstreinteProcedures.forAlert(alertId).then(function (ids) {
      none.hidden = !alertId || ids.length > 0;
      none.textContent = card.dataset.none;
      return Promise.all(ids.map(function (id) { return add(id, [], true); }));
    });
  }

  function fillPicker(index) {
    if (!index) return;
    var ids = Object.keys(index.procedures || {});
    if (!ids.length) return;
    while (picker.options.length > 1) picker.remove(1);
    ids.map(function (id) { return { id: id, title: index.procedures[id].title || "#" + id }; })
      .sort(function (a, b) { return a.title.localeCompare(b.title); })
      .forEach(function (entry) {
        var option = document.createElement("option");
        option.value = entry.id;
        option.textContent = entry.title;
        picker.appendChild(option);
      });
    card.hidden = false;
  }

  picker.addEventListener("change", function () {
    var id = picker.value;
    picker.value = "";
    add(id, [], false).then(function (found) {
      if (found) found.scrollIntoView({ block: "nearest" });
    });
  });
  if (form.elements.alert_id) form.elements.alert_id.addEventListener("change", followAlert);
  window.addEventListener("astreinte:procedures", function (event) { fillPicker(event.detail); });
  AstreinteProcedures.kept().then(function (index) { fillPicker(index); return followAlert(); });

  // What is sent with the record: the checklists restored, chosen or ticked, with the boxes
  // ticked. One the alert brought and nobody touched is not sent: a change of the record
  // replaces each list it carries, and must not empty one it only showed.
  function ticks() {
    return Object.keys(shown).filter(function (id) { return shown[id].dataset.sent; }).map(function (id) {
      var element = shown[id];
      var items = Array.prototype.map.call(element.querySelectorAll("input[data-item]:checked"),
        function (box) { return parseInt(box.getAttribute("data-item"), 10); });
      return { procedure_id: parseInt(id, 10), version: parseInt(element.dataset.version, 10) || 1, items: items };
    }).filter(function (entry) { return !isNaN(entry.procedure_id); });
  }

  // A saved record's checklists back in the form (a change, a fix), or none for a new one.
  function fill(list) {
    Object.keys(shown).forEach(function (id) { area.removeChild(shown[id]); delete shown[id]; });
    var editing = new URLSearchParams(window.location.search).get("edit");
    if ((!list || !list.length) && editing) {
      try { list = JSON.parse(sessionStorage.getItem(SAVED_KEY + editing) || "[]"); } catch (error) { list = []; }
    }
    return Promise.all((list || []).map(function (entry) {
      return add(entry.procedure_id, entry.items, false);
    })).then(followAlert);
  }

  return { ticks: ticks, fill: fill };
})();
