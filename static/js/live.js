/* Live updates: pages follow booking changes without a reload.
 *
 * The page marks what may change:
 *   [data-live="requests"|"bookings"] with an id   refreshed on booking events;
 *   [data-live="availability"][data-resource=ID]   refreshed when that resource's
 *                                                  availability changes (watched on connect);
 *   #pending-badge                                 the header's count of pending requests;
 *   #activity-feed[data-live-feed]                 a line prepended per booking event,
 *                                                  worded with the data-status-labels
 *                                                  of an element around it.
 * A refresh fetches the current page again and swaps in the fresh copies of those
 * elements (same id), so the server stays the only one that renders HTML.
 * After a lost connection everything is refreshed: no change is missed.
 */
(function () {
  "use strict";

  if (typeof io !== "function") {
    return;
  }

  var DEBOUNCE_MS = 150;
  var MAX_FEED_LINES = 50;

  // Default transports: long-polling first, upgraded to WebSocket where the path allows.
  var socket = io();
  var wasConnected = false;
  var timer = null;
  var wanted = { all: false, bookings: false, resources: {} };
  var inFlight = false;
  var again = false;
  var pendingNews = null;  // what the next refresh tells screen readers

  // The polite live region of base.html: screen readers read what is written there.
  function announce(text) {
    var region = document.getElementById("live-announcer");
    if (!region) {
      return;
    }
    region.textContent = "";
    // A change of text after a short pause is read again even when it repeats itself.
    setTimeout(function () { region.textContent = text; }, 50);
  }

  function liveElements(selector) {
    return Array.prototype.slice.call(document.querySelectorAll(selector));
  }

  function watchResources() {
    liveElements('[data-live="availability"][data-resource]').forEach(function (el) {
      socket.emit("watch", { resource: parseInt(el.getAttribute("data-resource"), 10) });
    });
  }

  function wants(el) {
    if (wanted.all) {
      return true;
    }
    var kind = el.getAttribute("data-live");
    if (kind === "availability") {
      return Object.prototype.hasOwnProperty.call(wanted.resources, el.getAttribute("data-resource"));
    }
    return wanted.bookings;
  }

  function refresh() {
    if (inFlight) {
      again = true;  // a newer change arrived during the fetch: fetch once more after it
      return;
    }
    var targets = liveElements("[data-live][id]").filter(wants);
    var badge = wanted.all || wanted.bookings ? document.getElementById("pending-badge") : null;
    wanted = { all: false, bookings: false, resources: {} };
    if (!targets.length && !badge) {
      if (pendingNews && document.getElementById("activity-feed")) {
        announce(pendingNews);  // the feed itself changed
      }
      pendingNews = null;
      return;
    }
    inFlight = true;
    fetch(location.href, { credentials: "same-origin", headers: { "X-Requested-With": "live" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        targets.forEach(function (el) {
          var replacement = fresh.getElementById(el.id);
          if (replacement && el.parentNode) {
            var node = document.importNode(replacement, true);
            keepTyping(el, node);
            el.replaceWith(node);
          }
        });
        if (badge) {
          var freshBadge = fresh.getElementById("pending-badge");
          if (freshBadge) {
            badge.textContent = freshBadge.textContent;
            badge.setAttribute("data-count", freshBadge.getAttribute("data-count") || "");
          }
        }
        if (pendingNews) {
          announce(pendingNews);
          pendingNews = null;
        }
        document.dispatchEvent(new CustomEvent("live:refreshed"));
      })
      .catch(function () {
        // The next event or reconnection refreshes again; nothing to tell the user.
      })
      .then(function () {
        inFlight = false;
        if (again) {
          again = false;
          wanted.all = true;
          schedule();
        }
      });
  }

  // A manager may be typing a refusal reason inside a container being refreshed:
  // carry what was typed, and the focus, over to the fresh copy.
  function keepTyping(oldEl, newEl) {
    var active = document.activeElement;
    oldEl.querySelectorAll("input[id], textarea[id], select[id]").forEach(function (field) {
      if (field.type === "hidden" || field.type === "submit") {
        return;
      }
      var twin = newEl.querySelector("#" + CSS.escape(field.id));
      if (!twin) {
        return;
      }
      if (field.type === "checkbox" || field.type === "radio") {
        twin.checked = field.checked;
      } else if (field.value !== field.defaultValue) {
        twin.value = field.value;
      }
      if (field === active) {
        setTimeout(function () { twin.focus(); }, 0);
      }
    });
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(refresh, DEBOUNCE_MS);
  }

  function describe(booking) {
    // The labels come from the page (hub.rules.labels), the one table of them.
    var holder = document.querySelector("[data-status-labels]");
    var labels = holder ? JSON.parse(holder.getAttribute("data-status-labels")) : {};
    var status = labels[booking.status];
    var resource = booking.resource_name || ("ressource " + booking.resource);
    var place = booking.place_name || booking.place;
    return "Réservation n° " + booking.id + (status ? " : " + status : "") + " — " + resource + " pour " + place;
  }

  function feedLine(booking) {
    var feed = document.querySelector("#activity-feed[data-live-feed]");
    if (!feed) {
      return;
    }
    var item = document.createElement("li");
    item.className = "fr-py-1w";
    item.textContent = describe(booking);
    feed.insertBefore(item, feed.firstChild);
    while (feed.children.length > MAX_FEED_LINES) {
      feed.removeChild(feed.lastChild);
    }
  }

  function onBooking(booking) {
    feedLine(booking);
    pendingNews = "Mise à jour : " + describe(booking);
    wanted.bookings = true;
    schedule();
  }

  socket.on("connect", function () {
    watchResources();
    if (wasConnected) {
      wanted.all = true;  // events sent while we were away are lost: catch up
      schedule();
    }
    wasConnected = true;
    document.documentElement.setAttribute("data-live-connected", "true");
  });

  socket.on("disconnect", function () {
    document.documentElement.setAttribute("data-live-connected", "false");
  });

  socket.on("booking.created", onBooking);
  socket.on("booking.updated", onBooking);

  socket.on("availability.changed", function (change) {
    wanted.resources[String(change.resource)] = true;
    schedule();
  });
})();
