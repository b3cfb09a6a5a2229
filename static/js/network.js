// The ANCT dashboard: sortable tables, the map (Leaflet), charts (Chart.js), a région's graph (Cytoscape).
(function () {
  "use strict";

  // The page hands its data over in data-* attributes (a strict CSP allows no inline script).
  function readData(el, attribute) {
    var raw = el ? el.getAttribute(attribute) : null;
    return raw ? JSON.parse(raw) : null;
  }

  // Names come from users: never give them to a library as HTML (Leaflet renders a string
  // tooltip or popup as markup). Each line becomes a text node; the first may be bold.
  function textBlock(lines, boldFirst) {
    var box = document.createElement("div");
    lines.forEach(function (line, i) {
      if (i > 0) box.appendChild(document.createElement("br"));
      var node = i === 0 && boldFirst ? document.createElement("strong") : document.createElement("span");
      node.textContent = line;
      box.appendChild(node);
    });
    return box;
  }

  // Built when opened, not for every line and marker up front.
  function lazyText(lines, boldFirst) {
    return function () { return textBlock(lines, boldFirst); };
  }

  var fr = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 2 });

  // ---- sortable tables: click a column header; numbers sort as numbers, empty cells last.
  function sortTable(table, column, th) {
    var tbody = table.tBodies[0];
    var rows = Array.prototype.slice.call(tbody.rows);
    if (rows.length < 2) return;
    var descending = th.getAttribute("aria-sort") !== "descending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (cell) { cell.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", descending ? "descending" : "ascending");
    function key(row) {
      var raw = row.cells[column].getAttribute("data-sort");
      if (raw === null || raw === "") return null;
      var n = Number(raw);
      return isNaN(n) ? raw.toLowerCase() : n;
    }
    rows.sort(function (a, b) {
      var x = key(a), y = key(b);
      if (x === null) return y === null ? 0 : 1;
      if (y === null) return -1;
      var order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), "fr");
      return descending ? -order : order;
    });
    rows.forEach(function (row) { tbody.appendChild(row); });
  }

  document.querySelectorAll("table[data-sortable]").forEach(function (table) {
    table.querySelectorAll("button.network-sort").forEach(function (button) {
      button.addEventListener("click", function () {
        sortTable(table, Number(button.getAttribute("data-column")), button.parentElement);
      });
    });
  });

  // ---- the map: works without tiles (plain background, départements' centres as landmarks).
  var mapEl = document.getElementById("network-map");
  var mapData = readData(mapEl, "data-map");
  if (mapEl && mapData && window.L) {
    // Leaflet's own controls speak English: they get French titles here.
    var map = L.map(mapEl, { preferCanvas: true, zoomControl: false }).setView([46.6, 2.4], 6);
    L.control.zoom({ zoomInTitle: "Zoom avant", zoomOutTitle: "Zoom arrière" }).addTo(map);
    map.attributionControl.setPrefix('<a href="https://leafletjs.com" hreflang="en">Leaflet</a>');
    var tiles = mapEl.getAttribute("data-tile-url");
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 18, attribution: "© contributeurs OpenStreetMap" }).addTo(map);
    }
    mapData.departements.forEach(function (d) {
      L.circleMarker([d.lat, d.lon], { radius: 2, color: "#929292", weight: 1, fillOpacity: 0.6 })
        .bindTooltip(lazyText([d.code + " " + d.name])).addTo(map);
    });
    var maxBen = Math.max.apply(null, [1].concat(mapData.flows.map(function (f) { return f.beneficiaries; })));
    mapData.flows.forEach(function (f) {
      L.polyline([f.from, f.to], { color: "#e1000f", weight: 0.5 + 3 * f.beneficiaries / maxBen, opacity: 0.35 })
        .bindTooltip(lazyText([f.host + " → " + f.place + " : " + fr.format(f.beneficiaries) + " bénéficiaires"])).addTo(map);
    });
    var maxM = Math.max.apply(null, [1].concat(mapData.hubs.map(function (h) { return h.multiplier; })));
    mapData.hubs.forEach(function (h) {
      L.circleMarker([h.lat, h.lon], {
        radius: 3 + 14 * Math.sqrt(h.multiplier / maxM),
        color: "#000091", weight: 1, fillColor: h.multiplier > 0 ? "#6a6af4" : "#cecece", fillOpacity: 0.7
      }).bindPopup(lazyText([h.name, "M = " + fr.format(h.multiplier),
        h.places_served + " lieux servis, " + fr.format(h.beneficiaries) + " bénéficiaires"], true)).addTo(map);
    });
  }

  // ---- charts
  var chartData = readData(document.getElementById("network-charts"), "data-charts");
  var colors = { qpv: "#e1000f", rural: "#18753c", urbain: "#000091" };
  var labels = { qpv: "QPV", rural: "Rural", urbain: "Urbain" };
  if (chartData && window.Chart) {
    var monthly = chartData.monthly;
    var datasets = [];
    Object.keys(monthly.territories).forEach(function (t) {
      datasets.push({ label: "Bénéficiaires — " + labels[t], data: monthly.territories[t].beneficiaries,
        borderColor: colors[t], backgroundColor: colors[t], yAxisID: "y", tension: 0.2 });
      datasets.push({ label: "Réservations — " + labels[t], data: monthly.territories[t].bookings,
        borderColor: colors[t], backgroundColor: colors[t], borderDash: [4, 4], yAxisID: "y", tension: 0.2 });
    });
    // Each chart in a box of its own height (.network-chart): with the canvas's default
    // aspect ratio, a phone's legend left the plot a sliver 40 px tall.
    ["chart-monthly", "chart-territories"].forEach(function (id) {
      var canvas = document.getElementById(id);
      var box = document.createElement("div");
      box.className = "network-chart";
      canvas.parentNode.insertBefore(box, canvas);
      box.appendChild(canvas);
    });
    new Chart(document.getElementById("chart-monthly"), {
      type: "line", data: { labels: chartData.month_labels || monthly.months, datasets: datasets },
      options: { animation: false, maintainAspectRatio: false, interaction: { mode: "index", intersect: false } }
    });
    var terr = Object.keys(chartData.territories);
    new Chart(document.getElementById("chart-territories"), {
      type: "doughnut",
      data: { labels: terr.map(function (t) { return labels[t] || t; }),
        datasets: [{ data: terr.map(function (t) { return chartData.territories[t].beneficiaries; }),
          backgroundColor: terr.map(function (t) { return colors[t] || "#999"; }) }] },
      options: { animation: false, maintainAspectRatio: false }
    });
  }

  // ---- a région's graph
  var graphEl = document.getElementById("network-graph");
  var elements = readData(graphEl, "data-graph");
  if (graphEl && elements && window.cytoscape) {
    var maxW = Math.max.apply(null, [1].concat(elements.edges.map(function (e) { return e.data.beneficiaries; })));
    var maxMult = Math.max.apply(null, [1].concat(elements.nodes.map(function (n) { return n.data.multiplier; })));
    var cy = cytoscape({
      container: graphEl,
      elements: elements.nodes.concat(elements.edges),
      layout: { name: "preset", fit: true, padding: 20 },
      wheelSensitivity: 0.3,
      style: [
        { selector: "node", style: { width: 18, height: 18, "background-color": "#18753c", label: "" } },
        { selector: "node[kind != 'tiers_lieu']", style: {
          shape: "round-rectangle", "background-color": "#000091",
          width: function (n) { return 24 + 90 * Math.sqrt(n.data("multiplier") / maxMult); },
          height: function (n) { return 24 + 90 * Math.sqrt(n.data("multiplier") / maxMult); },
          label: "data(label)", "font-size": 30, color: "#161616", "min-zoomed-font-size": 8 } },
        { selector: "node[?outside]", style: { "background-color": "#cecece", opacity: 0.6 } },
        { selector: "edge", style: {
          width: function (e) { return 1.5 + 12 * e.data("beneficiaries") / maxW; },
          "line-color": "#e1000f", opacity: 0.4, "curve-style": "straight",
          "target-arrow-shape": "triangle", "target-arrow-color": "#e1000f", "arrow-scale": 1.5 } },
        { selector: "node:selected", style: { label: "data(label)", "border-width": 6, "border-color": "#000" } }
      ]
    });
    // Frame the région itself; the places it exchanges with elsewhere stay reachable by panning.
    var inside = cy.nodes("[!outside]");
    if (inside.length) cy.fit(inside, 20);
  }
})();
