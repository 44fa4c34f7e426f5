// The survey as a QR code on the technician's phone, offline if need be (README, "The survey as
// a QR code"). While online the phone keeps a small pool of codes the server issued (each with
// its QR drawn as SVG); the form shows one for the intervention being logged, takes it out of the
// pool for good, and sends its id with the intervention (survey_token_id), which binds them on
// the server. The client's answer may reach the server before or after that: it is joined once.
(function () {
  "use strict";

  var POOL_KEY = "astreinte-survey-qr";
  var POOL_URL = "/api/v1/surveys/qr-pool";
  var user = document.body.dataset.user || "";

  // The pool is its person's: another person logged in on this phone never shows it.
  function readPool() {
    try {
      var kept = JSON.parse(localStorage.getItem(POOL_KEY) || "null");
      if (!kept || kept.user !== user) return [];
      var now = Date.now();
      return kept.tokens.filter(function (t) { return Date.parse(t.use_by) > now; });
    } catch (error) { return []; }
  }
  function savePool(tokens) {
    localStorage.setItem(POOL_KEY, JSON.stringify({ user: user, tokens: tokens }));
  }

  // Online: the server says which held codes may still be shown and sends new ones.
  var refilling = null;
  function refill() {
    if (!user || !navigator.onLine || refilling) return refilling;
    var held = readPool();
    refilling = fetch(POOL_URL, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ held: held.map(function (t) { return t.id; }) }),
    }).then(function (response) {
      if (!response.ok) return null;
      return response.json().then(function (answer) {
        var now = readPool();  // a code taken meanwhile stays taken
        var kept = now.filter(function (t) { return answer.kept.indexOf(t.id) >= 0; });
        savePool(kept.concat(answer.tokens));
        return null;
      });
    }).catch(function () { return null; }).then(function () { refilling = null; });
    return refilling;
  }

  var card = document.getElementById("survey-qr");
  var form = document.getElementById("intervention-form");
  if (user) refill();
  window.addEventListener("online", refill);
  if (!card || !form) return;

  var button = document.getElementById("survey-qr-show");
  var shown = document.getElementById("survey-qr-code");
  var empty = document.getElementById("survey-qr-empty");
  var field = form.elements.survey_token_id;
  // The code shown for this form, kept while it is open (shown again, never a second one).
  var current = null;

  // Offered once the form names a client who accepts surveys (the phone's client list says
  // `no_surveys` of those who refused).
  function clientAccepts() {
    var chosen = form.elements.client_id && form.elements.client_id.value;
    if (!chosen) return Promise.resolve(false);
    if (typeof AstreinteClients === "undefined" || !AstreinteClients.byId) return Promise.resolve(true);
    return AstreinteClients.byId(parseInt(chosen, 10), null).then(function (found) {
      return !(found && (found.noSurveys || (found.client && found.client.no_surveys)));
    }).catch(function () { return true; });
  }
  var lastClient = null;
  function follow() {
    var chosen = form.elements.client_id ? form.elements.client_id.value : "";
    if (chosen === lastClient) return;
    lastClient = chosen;
    clientAccepts().then(function (yes) {
      card.hidden = !yes;
      if (!yes) { shown.hidden = true; empty.hidden = true; }
    });
  }
  follow();
  // The client picker sets a hidden field, which fires no event: look at it now and then.
  window.setInterval(follow, 400);
  form.addEventListener("astreinte:filled", follow);

  button.addEventListener("click", function () {
    if (!current) {
      var pool = readPool();
      current = pool.shift() || null;
      if (current) savePool(pool);
    }
    if (!current) { empty.hidden = false; shown.hidden = true; return; }
    field.value = String(current.id);
    shown.querySelector(".qr").innerHTML = current.svg;  // drawn by our server (segno)
    shown.dataset.url = current.url;
    shown.hidden = false;
    empty.hidden = true;
    shown.scrollIntoView({ block: "center" });
  });
  document.getElementById("survey-qr-hide").addEventListener("click", function () {
    shown.hidden = true;
  });
})();
