// Alerts on the phone: show pushes as notifications, acknowledge from the notification
// without opening the app, open or focus the alert page, and renew the subscription alone.
/* exported AstreintePush */
"use strict";

var AstreintePush = (function () {
  var DB_NAME = "astreinte-push";
  var STORE = "device";
  var version = self.ASTREINTE_VERSION;

  function database() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  // The device token (to renew the subscription) and the server's public key, kept here
  // because a service worker has neither a page nor its cookies' CSRF token.
  function saveDevice(device) {
    return database().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, "readwrite");
        tx.objectStore(STORE).put(device, "device");
        tx.oncomplete = function () { resolve(); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }

  function readDevice() {
    return database().then(function (db) {
      return new Promise(function (resolve, reject) {
        var request = db.transaction(STORE).objectStore(STORE).get("device");
        request.onsuccess = function () { resolve(request.result || null); };
        request.onerror = function () { reject(request.error); };
      });
    });
  }

  function show(event) {
    var data = {};
    try { data = event.data ? event.data.json() : {}; } catch (error) {
      data = { title: "Astreinte", body: event.data ? event.data.text() : "" };
    }
    var labels = data.labels || {};
    var actions = [];
    if (data.ack_token) actions.push({ action: "ack", title: labels.ack || "Acknowledge" });
    actions.push({ action: "open", title: labels.open || "Open" });
    var urgent = data.urgency === "high";
    var options = {
      body: data.body || "",
      tag: data.tag || "astreinte",
      renotify: true,
      requireInteraction: !!data.require_interaction,
      vibrate: urgent ? [600, 200, 600, 200, 600, 200, 600] : [200],
      icon: "/static/icons/icon-192.png?v=" + version,
      badge: "/static/icons/icon-192.png?v=" + version,
      timestamp: Date.now(),
      actions: actions,
      data: {
        url: data.url || "/", ackUrl: data.ack_url, ackToken: data.ack_token, labels: labels, type: data.type,
      },
    };
    var badge = Promise.resolve();
    if (typeof data.badge === "number" && self.navigator && self.navigator.setAppBadge) {
      badge = self.navigator.setAppBadge(data.badge).catch(function () {});
    }
    return Promise.all([self.registration.showNotification(data.title || "Astreinte", options), badge]);
  }

  function openWindow(url) {
    var target = new URL(url, self.location.origin).href;
    // Only windows this worker controls: it may navigate those, not the others.
    return self.clients.matchAll({ type: "window" }).then(function (list) {
      for (var i = 0; i < list.length; i++) {
        var client = list[i];
        if (client.url.indexOf(self.location.origin) === 0 && "focus" in client) {
          return client.focus().then(function (focused) {
            return focused && focused.navigate ? focused.navigate(target) : focused;
          });
        }
      }
      return self.clients.openWindow(target);
    });
  }

  function acknowledge(notification) {
    var data = notification.data || {};
    notification.close();
    return fetch(data.ackUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token: data.ackToken }),
      credentials: "omit",
    }).then(function (response) {
      // 409 on an alert: someone already took it. On a swap it means another outcome (approved
      // by someone else, cancelled, changed): the page says which.
      var done = response.ok || (response.status === 409 && data.type !== "swap_to_approve");
      if (!done) throw new Error("acknowledge " + response.status);
      return self.registration.showNotification((data.labels || {}).acked || "Acknowledged", {
        body: notification.title, tag: notification.tag, silent: true, data: { url: data.url },
      });
    }).catch(function () {
      // Could not reach the server, or the answer needs the page: open it there.
      return openWindow(data.url || "/");
    });
  }

  function click(event) {
    var notification = event.notification;
    var data = notification.data || {};
    if (event.action === "ack" && data.ackToken) return acknowledge(notification);
    notification.close();
    return openWindow(data.url || "/");
  }

  function keyBytes(base64) {
    var padded = (base64 + "===".slice((base64.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function subscriptionChanged(event) {
    return readDevice().then(function (device) {
      if (!device) return null;
      var fresh = event.newSubscription ? Promise.resolve(event.newSubscription)
        : self.registration.pushManager.subscribe({
          userVisibleOnly: true, applicationServerKey: keyBytes(device.key),
        });
      return fresh.then(function (subscription) {
        return fetch("/api/v1/push/renew", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ device_token: device.token, subscription: subscription.toJSON() }),
          credentials: "omit",
        });
      });
    });
  }

  return { show: show, click: click, subscriptionChanged: subscriptionChanged, saveDevice: saveDevice };
})();
