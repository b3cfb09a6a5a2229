// The catalogue's list / map switch and results map, and a place page's small map (Leaflet).
// Data comes in data-* attributes: a strict CSP allows no inline script.
(function () {
  "use strict";

  function readData(el) {
    var raw = el ? el.getAttribute("data-map") : null;
    return raw ? JSON.parse(raw) : null;
  }

  // Names come from users: Leaflet renders a string popup as HTML, so hand it nodes.
  function popup(place) {
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = place.name + (place.commune ? " — " + place.commune : "");
    box.appendChild(title);
    if (place.resources && place.resources.length) {
      var list = document.createElement("ul");
      place.resources.forEach(function (r) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = r.url;
        link.textContent = r.name;
        item.appendChild(link);
        list.appendChild(item);
      });
      box.appendChild(list);
    }
    return box;
  }

  function frenchMap(el, options) {
    // Leaflet's controls speak English unless told otherwise.
    var map = L.map(el, Object.assign({ zoomControl: false, attributionControl: false }, options || {}));
    L.control.zoom({ zoomInTitle: "Zoomer", zoomOutTitle: "Dézoomer" }).addTo(map);
    var tiles = el.getAttribute("data-tile-url");
    if (tiles) {
      L.control.attribution({ prefix: false }).addTo(map);
      L.tileLayer(tiles, { maxZoom: 18, attribution: "© contributeurs OpenStreetMap" }).addTo(map);
    }
    return map;
  }

  // ---- the results map: built the first time it is shown (Leaflet measures its box).
  var mapEl = document.getElementById("catalogue-map");
  var map = null;
  function showMap() {
    var data = readData(mapEl);
    if (!mapEl || !data || !window.L) return;
    if (map) { map.invalidateSize(); return; }
    map = frenchMap(mapEl);
    var points = [];
    data.places.forEach(function (p) {
      L.circleMarker([p.lat, p.lon], { radius: 8, color: "#000091", weight: 2, fillColor: "#6a6af4", fillOpacity: 0.8 })
        .bindPopup(function () { return popup(p); }).addTo(map);
      points.push([p.lat, p.lon]);
    });
    if (data.origin) {
      L.circleMarker([data.origin.lat, data.origin.lon], { radius: 7, color: "#e1000f", weight: 2, fillOpacity: 0.9 })
        .bindPopup(function () { return popup({ name: "Votre lieu : " + data.origin.name }); }).addTo(map);
      points.push([data.origin.lat, data.origin.lon]);
    }
    if (points.length > 1) map.fitBounds(points, { padding: [30, 30], maxZoom: 11 });
    else if (points.length) map.setView(points[0], 10);
    else map.setView([46.6, 2.4], 6);
  }

  // ---- list / map: the choice shows one, remembers itself in the address and the search form.
  var list = document.getElementById("catalogue-results");
  var section = document.getElementById("catalogue-map-section");
  var hiddenView = document.getElementById("f-vue");
  function choose(view) {
    if (!list || !section) return;
    list.hidden = view === "carte";
    section.hidden = view !== "carte";
    if (hiddenView) hiddenView.value = view;
    var url = new URL(window.location.href);
    if (view === "carte") url.searchParams.set("vue", "carte"); else url.searchParams.delete("vue");
    window.history.replaceState(null, "", url);
    document.querySelectorAll(".fr-pagination a[href]").forEach(function (a) {
      var link = new URL(a.href, window.location.href);
      if (view === "carte") link.searchParams.set("vue", "carte"); else link.searchParams.delete("vue");
      a.href = link.pathname + link.search;
    });
    if (view === "carte") showMap();
  }
  document.querySelectorAll("#catalogue-view input[name=vue-choix]").forEach(function (input) {
    input.addEventListener("change", function () { if (input.checked) choose(input.value); });
  });
  if (section && !section.hidden) showMap();

  // ---- a place page's small map
  document.querySelectorAll(".place-map").forEach(function (el) {
    var p = readData(el);
    if (!p || !window.L) return;
    var small = frenchMap(el, { scrollWheelZoom: false }).setView([p.lat, p.lon], 12);
    L.circleMarker([p.lat, p.lon], { radius: 8, color: "#000091", weight: 2, fillColor: "#6a6af4", fillOpacity: 0.8 })
      .bindPopup(function () { return popup(p); }).addTo(small);
  });
})();
