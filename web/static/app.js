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

  // Logging out leaves nothing of the person on the phone: the survey codes they held
  // (survey_qr.js) go with their pages and client list (the service worker's part).
  document.addEventListener("submit", function (event) {
    var action = event.target.getAttribute("action") || "";
    if (action.indexOf("/logout") !== 0) return;
    try { localStorage.removeItem("astreinte-survey-qr"); } catch (error) { /* none kept */ }
  });

  // A page the service worker served from its cache carries the moment it was saved
  // (cache.js: <html data-cached-at>): say it is a saved copy, and from when, in the page's
  // language and the phone's clock.
  var savedAt = document.documentElement.getAttribute("data-cached-at");
  function showSavedCopy() {
    var banner = document.getElementById("cached-banner");
    var when = new Date(savedAt || "");
    if (!banner || isNaN(when.getTime())) return false;
    var lang = document.documentElement.lang || undefined;
    var time = when.toLocaleTimeString(lang, { timeStyle: "short" });
    var today = when.toDateString() === new Date().toDateString();
    var text = today ? banner.dataset.today : banner.dataset.earlier.replace("%(day)s",
      when.toLocaleDateString(lang, { weekday: "short", day: "numeric", month: "short" }));
    banner.textContent = text.replace("%(time)s", time);
    banner.hidden = false;
    return true;
  }
  var savedCopy = savedAt !== null && showSavedCopy();

  function showOffline() {
    var banner = document.getElementById("offline-banner");
    // A saved copy's banner already says the page is offline; a copy of unknown age says this.
    if (banner) banner.hidden = savedCopy || (navigator.onLine && savedAt === null);
  }
  window.addEventListener("online", showOffline);
  window.addEventListener("offline", showOffline);
  showOffline();

  // A running intervention timer (interventions.js keeps its start in localStorage) shows on
  // every page, offline too, so that it is not forgotten at 3 a.m. The form's own timer card
  // says it already, so the banner stays hidden there.
  var TIMER_KEY = "astreinte-timer-start";
  function two(n) { return (n < 10 ? "0" : "") + n; }
  function showTimer() {
    var banner = document.getElementById("timer-banner");
    if (!banner) return;
    var start = NaN;
    try { start = Date.parse(localStorage.getItem(TIMER_KEY) || ""); } catch (error) { /* none */ }
    var card = document.getElementById("timer");
    banner.hidden = isNaN(start) || Boolean(card && !card.hidden);
    if (banner.hidden) return;
    var seconds = Math.max(0, Math.floor((Date.now() - start) / 1000));
    var shown = two(Math.floor(seconds / 3600)) + ":" + two(Math.floor(seconds / 60) % 60) + ":"
      + two(seconds % 60);
    document.getElementById("timer-banner-text").textContent =
      banner.dataset.label.replace("%(time)s", shown);
  }
  showTimer();
  window.setInterval(showTimer, 1000);
  window.addEventListener("storage", showTimer);

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
    } else if (action === "enable-push") {
      enablePush(target);
    } else if (action === "copy-link") {
      copyLink(target);
    } else if (action === "share-link") {
      shareLink(target);
    }
  });

  // Copy and Share for a link shown in full (the invitation page). Without JavaScript the
  // buttons stay hidden and the link is copied by hand; Share shows only where the browser
  // has the Web Share API (phones, mostly).
  function linkOf(button) {
    var source = document.getElementById(button.dataset.source);
    return source ? source.textContent.trim() : "";
  }
  function copyStatus(kind) {
    var status = document.getElementById("copy-status");
    if (status) status.textContent = status.dataset[kind] || "";
  }
  function selectLink(button) {
    var source = document.getElementById(button.dataset.source);
    if (!source) return;
    var range = document.createRange();
    range.selectNodeContents(source);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    copyStatus("selected");
  }
  function copyLink(button) {
    var link = linkOf(button);
    if (!navigator.clipboard || !navigator.clipboard.writeText) {
      selectLink(button);
      return;
    }
    navigator.clipboard.writeText(link).then(function () {
      copyStatus("copied");
    }, function () { selectLink(button); });
  }
  function shareLink(button) {
    navigator.share({ title: button.dataset.title, text: button.dataset.text, url: linkOf(button) })
      .catch(function () { /* dismissed: nothing to say */ });
  }
  var replaceUrl = document.querySelector("[data-replace-url]");
  if (replaceUrl && window.history.replaceState) {
    window.history.replaceState(null, "", replaceUrl.getAttribute("data-replace-url"));
  }
  document.querySelectorAll("[data-action=copy-link]").forEach(function (button) {
    button.hidden = false;
  });
  if (navigator.share) {
    document.querySelectorAll("[data-action=share-link]").forEach(function (button) {
      button.hidden = false;
    });
  }

  // Alerts on this device ------------------------------------------------------------------
  function isIosBrowser() {
    var ios = /iPad|iPhone|iPod/.test(navigator.userAgent);
    var standalone = navigator.standalone || window.matchMedia("(display-mode: standalone)").matches;
    return ios && !standalone;
  }

  function keyBytes(base64) {
    var padded = (base64 + "===".slice((base64.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function say(message) {
    var state = document.getElementById("push-state");
    if (state) state.textContent = message;
  }

  // The endpoint a key renewal is replacing, kept until the server has the new subscription.
  var REPLACING = "astreinte-push-replaces";

  // Made with another server key than the page's? (Unknown, so no, when the browser won't say.)
  function isStale(subscription, key) {
    var raw = subscription && subscription.options && subscription.options.applicationServerKey;
    if (!raw) return false;
    var made = btoa(String.fromCharCode.apply(null, new Uint8Array(raw)));
    return made.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "") !== key;
  }

  // A subscription made with another server key (after `astreinte vapid --rotate`) is refused
  // by the push service (403), and the browser will not subscribe with a new key while it
  // exists: drop it and subscribe again. Resolves to [subscription, endpoint it replaces].
  function subscribeWith(registration, key) {
    return registration.pushManager.getSubscription().then(function (existing) {
      var stale = isStale(existing, key);
      if (existing && !stale) return [existing, null];
      return (stale ? existing.unsubscribe() : Promise.resolve()).then(function () {
        return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) });
      }).then(function (subscription) { return [subscription, stale ? existing.endpoint : null]; });
    });
  }

  // Tell the server (with `replaces`, so it stays one device, not a second one) and the service
  // worker, which keeps the device token and key to renew the subscription by itself later.
  function registerDevice(registration, key, subscription, replaces) {
    var body = subscription.toJSON();
    if (replaces) body.replaces = replaces;
    return fetch("/push/subscriptions", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "x-csrftoken": readCookie("astreinte_csrf") },
      body: JSON.stringify(body),
    }).then(function (response) {
      if (!response.ok) throw new Error("subscribe " + response.status);
      return response.json();
    }).then(function (device) {
      registration.active.postMessage({ type: "DEVICE", token: device.device_token, key: key });
      localStorage.removeItem(REPLACING);
      return device;
    });
  }

  function enablePush(button) {
    var state = document.getElementById("push-state");
    if (!("serviceWorker" in navigator) || !("PushManager" in window)) {
      say(state ? state.dataset.unsupported : "");
      return;
    }
    var key = document.body.dataset.vapid;
    button.disabled = true;
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") {
        say(state ? state.dataset.denied : "");
        button.disabled = false;
        return null;
      }
      return navigator.serviceWorker.ready.then(function (registration) {
        return subscribeWith(registration, key).then(function (made) {
          return registerDevice(registration, key, made[0], made[1] || localStorage.getItem(REPLACING));
        }).then(function () {
          window.location.assign("/settings?done=device-added#devices");
        });
      });
    }).catch(function () {
      say(state ? state.dataset.failed : "");
      button.disabled = false;
    });
    // A browser whose push service cannot be reached never answers: say so instead of waiting.
    window.setTimeout(function () {
      if (button.disabled) { say(state ? state.dataset.failed : ""); button.disabled = false; }
    }, 20000);
  }

  // After the server's key changed, this phone's alerts fail until it subscribes again: do it
  // when the app opens, silently. The old endpoint is remembered until the server has the new
  // subscription, so a try cut short (offline between unsubscribe and subscribe) is finished
  // at the next opening rather than leaving a phone that thinks alerts are on.
  function renewPushKey() {
    var key = document.body.dataset.vapid;
    if (!key || !("serviceWorker" in navigator) || !("PushManager" in window)) return Promise.resolve();
    if (Notification.permission !== "granted") return Promise.resolve();
    return navigator.serviceWorker.ready.then(function (registration) {
      return registration.pushManager.getSubscription().then(function (existing) {
        var pending = localStorage.getItem(REPLACING);
        if (!isStale(existing, key) && !pending) return null;
        if (!pending) localStorage.setItem(REPLACING, existing.endpoint);
        return subscribeWith(registration, key).then(function (made) {
          return registerDevice(registration, key, made[0], localStorage.getItem(REPLACING));
        });
      });
    }).catch(function () {});
  }
  var pushKeyRenewed = renewPushKey();

  function showPushOffer() {
    var card = document.getElementById("push-card");
    var hint = document.getElementById("ios-hint");
    if (hint && isIosBrowser()) hint.hidden = false;
    if (!card || !("serviceWorker" in navigator) || !("PushManager" in window)) {
      if (card && isIosBrowser()) card.hidden = false;
      return;
    }
    // Once renewPushKey is done: it may be replacing the subscription.
    pushKeyRenewed.then(function () { return navigator.serviceWorker.ready; }).then(function (registration) {
      return registration.pushManager.getSubscription();
    }).then(function (subscription) {
      var off = !subscription || isStale(subscription, document.body.dataset.vapid);
      if (off || Notification.permission !== "granted") card.hidden = false;
    }).catch(function () {});
  }
  showPushOffer();

  // The outbox: ask the service worker to send what waits, whenever there is a chance.
  function replayOutbox() {
    if (!document.body.dataset.user || !navigator.onLine) return;
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active) registration.active.postMessage({ type: "REPLAY" });
    }).catch(function () {});
  }
  window.addEventListener("online", replayOutbox);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") replayOutbox();
  });
  window.setInterval(replayOutbox, 60000);
  window.addEventListener("load", replayOutbox);

  // The outbox changed (something synced): parts of the page that count it, like the rest
  // clock, listen for this event on the body and refresh themselves.
  function outboxChanged() {
    document.body.dispatchEvent(new CustomEvent("astreinte:outbox-changed"));
  }
  window.addEventListener("astreinte:outbox", outboxChanged);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "OUTBOX_CHANGED") outboxChanged();
    });
  }

  // Keep the pages needed in the field ready for when there is no network.
  function warmPages() {
    if (!document.body.dataset.user || !navigator.onLine) return;
    var last = parseInt(localStorage.getItem("astreinte-warmed") || "0", 10);
    if (Date.now() - last < 10 * 60 * 1000) return;
    navigator.serviceWorker.ready.then(function (registration) {
      if (!registration.active) return;
      registration.active.postMessage({ type: "WARM", urls: [
        "/", "/interventions", "/interventions/new", "/alerts", "/schedule/mine"] });
      localStorage.setItem("astreinte-warmed", String(Date.now()));
    }).catch(function () {});
  }
  window.addEventListener("load", warmPages);

  // The app's icon shows how many alerts wait for me (where the browser allows it).
  var openAlerts = document.body.dataset.alerts;
  if (openAlerts !== undefined && navigator.setAppBadge) {
    var count = parseInt(openAlerts, 10) || 0;
    (count ? navigator.setAppBadge(count) : navigator.clearAppBadge()).catch(function () {});
  }

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
