// Astreinte page script: service worker registration and updates, CSRF for htmx, offline banner.
(function () {
  "use strict";

  function readCookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }

  // htmx writes carry the CSRF token from the cookie, so a page served from the cache still works.
  document.addEventListener("htmx:configRequest", function (event) {
    var token = readCookie("astreinte_csrf");
    if (token) event.detail.headers["x-csrftoken"] = token;
  });

  function showOffline() {
    var banner = document.getElementById("offline-banner");
    if (banner) banner.hidden = navigator.onLine;
  }
  window.addEventListener("online", showOffline);
  window.addEventListener("offline", showOffline);
  showOffline();

  // Installing: Chromium offers a prompt we can show from our own button.
  var installPrompt = null;
  window.addEventListener("beforeinstallprompt", function (event) {
    event.preventDefault();
    installPrompt = event;
    var card = document.getElementById("install-card");
    if (card) card.hidden = false;
  });

  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-action]");
    if (!target) return;
    var action = target.getAttribute("data-action");
    if (action === "install" && installPrompt) {
      installPrompt.prompt();
      installPrompt = null;
      document.getElementById("install-card").hidden = true;
    } else if (action === "reload-update") {
      applyUpdate();
    }
  });

  var waitingWorker = null;
  function offerUpdate(worker) {
    waitingWorker = worker;
    var banner = document.getElementById("update-banner");
    if (banner) banner.hidden = false;
  }
  function applyUpdate() {
    if (waitingWorker) waitingWorker.postMessage({ type: "SKIP_WAITING" });
    else window.location.reload();
  }

  if (!("serviceWorker" in navigator)) return;
  var hadController = !!navigator.serviceWorker.controller;
  navigator.serviceWorker.addEventListener("controllerchange", function () {
    // Reload once when a new version takes over (not on the very first install).
    if (hadController) window.location.reload();
    hadController = true;
  });
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function (registration) {
      if (registration.waiting && navigator.serviceWorker.controller) offerUpdate(registration.waiting);
      registration.addEventListener("updatefound", function () {
        var worker = registration.installing;
        if (!worker) return;
        worker.addEventListener("statechange", function () {
          if (worker.state === "installed" && navigator.serviceWorker.controller) offerUpdate(worker);
        });
      });
      // Check for a new version when the app comes back to the foreground.
      document.addEventListener("visibilitychange", function () {
        if (document.visibilityState === "visible") registration.update().catch(function () {});
      });
    }).catch(function () { /* no service worker (private mode, old browser): pages still work */ });
  });
})();
