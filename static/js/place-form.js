/* The place form's commune picker and pin (no inline script: the CSP forbids it).
 *
 * Typing in the commune field asks GET /communes?q= (the fieldset's data-communes-url) and
 * lists the communes found; picking one fills the INSEE code, the département, the postal
 * code when the commune has a single one, and the coordinates, unless the user has moved
 * the pin (or typed coordinates) since. Without this script the form still works: the
 * server derives the commune, its département and its position from the INSEE code.
 */
(function () {
  "use strict";
  var box = document.getElementById("place-commune");
  if (!box) return;
  var url = box.getAttribute("data-communes-url");
  var input = document.getElementById("f-commune");
  var list = document.getElementById("commune-options");
  var status = document.getElementById("commune-status");
  var field = function (name) { return document.getElementById("f-" + name); };
  var items = [];
  var active = -1;
  var timer = null;
  var lastQuery = "";
  var moved = false;  // the pin or the coordinates were set by hand: a picked commune keeps them

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function render() {
    list.textContent = "";
    items.forEach(function (c, i) {
      var li = document.createElement("li");
      li.id = "commune-option-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", i === active ? "true" : "false");
      li.className = "commune-option";
      li.textContent = c.name + " (" + c.postal_codes.slice(0, 3).join(", ") +
        (c.postal_codes.length > 3 ? "…" : "") + ") — " + c.departement_name;
      li.addEventListener("mousedown", function (event) { event.preventDefault(); pick(i); });
      list.appendChild(li);
    });
    list.hidden = items.length === 0;
    input.setAttribute("aria-expanded", items.length ? "true" : "false");
    if (active >= 0) input.setAttribute("aria-activedescendant", "commune-option-" + active);
    status.textContent = items.length ? items.length + " communes proposées" : "Aucune commune trouvée";
  }

  function search() {
    var q = input.value.trim();
    if (q.length < 2 || q === lastQuery) { if (q.length < 2) close(); return; }
    lastQuery = q;
    fetch(url + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { items: [] }; })
      .then(function (body) {
        if (input.value.trim() !== q) return;  // an answer to an older query
        items = body.items || [];
        active = -1;
        render();
      })
      .catch(function () { close(); });
  }

  function pick(i) {
    var c = items[i];
    input.value = c.name;
    lastQuery = c.name;
    field("insee").value = c.insee;
    var dep = field("departement");
    if (dep) dep.value = c.departement;
    var postal = field("postal_code");
    if (c.postal_codes.length === 1) postal.value = c.postal_codes[0];
    else if (c.postal_codes.indexOf(postal.value) < 0) postal.value = "";
    if (!moved) setPosition(c.lat, c.lon, 12);
    status.textContent = c.name + " choisie (code INSEE " + c.insee + ")";
    close();
  }

  input.addEventListener("input", function () {
    field("insee").value = "";  // a commune typed by hand is not the one picked before
    clearTimeout(timer);
    timer = setTimeout(search, 150);
  });
  input.addEventListener("keydown", function (event) {
    if (list.hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : -1;
      active = (active + step + items.length) % items.length;
      render();
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      pick(active);
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", close);

  // --- the pin ---------------------------------------------------------------------------
  var lat = field("lat");
  var lon = field("lon");
  var mapEl = document.getElementById("place-map");
  var map = null;
  var marker = null;

  function setPosition(la, lo, zoom) {
    lat.value = la;
    lon.value = lo;
    if (!map) return;
    marker.setLatLng([la, lo]);
    map.setView([la, lo], zoom || map.getZoom());
  }

  [lat, lon].forEach(function (el) { el.addEventListener("input", function () { moved = true; }); });

  if (mapEl && window.L) {
    mapEl.hidden = false;
    document.getElementById("place-map-hint").hidden = false;
    var start = [parseFloat(lat.value), parseFloat(lon.value)];
    var known = isFinite(start[0]) && isFinite(start[1]);
    map = L.map(mapEl).setView(known ? start : [46.6, 2.4], known ? 13 : 5);
    var tiles = mapEl.getAttribute("data-tile-url");
    if (tiles) L.tileLayer(tiles, { maxZoom: 19, attribution: "© contributeurs OpenStreetMap" }).addTo(map);
    marker = L.marker(known ? start : [46.6, 2.4], { draggable: true, keyboard: true, title: "Position du lieu" }).addTo(map);
    marker.on("dragend", function () {
      var p = marker.getLatLng();
      moved = true;
      lat.value = p.lat.toFixed(5);
      lon.value = p.lng.toFixed(5);
    });
  }
})();
