/* Open WRES: save a chart as PNG, sort tables, filter the organisations list.
   No inline code, no eval: works under the site's Content-Security-Policy.
   Every page works without this script: charts are SVG in the page (drawn when the site was built),
   with their data tables; tables are complete. */
(function () {
  "use strict";

  /* ---- "Chart (PNG)": the chart's own SVG, drawn on a canvas at twice its size and saved.
     Only offered when this script runs (the link is hidden in the page); made on demand, so a
     PNG costs the build nothing and the page nothing until it is asked for. */
  function savePng(link, event) {
    var figure = link.closest("figure");
    var svg = figure && figure.querySelector(".wres-chart svg");
    if (!svg) return;  /* follow the link: the SVG file */
    event.preventDefault();
    var w = svg.width.baseVal.value, h = svg.height.baseVal.value, scale = 2;
    var text = new XMLSerializer().serializeToString(svg);
    var img = new Image();
    img.onload = function () {
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(w * scale);
      canvas.height = Math.round(h * scale);
      var ctx = canvas.getContext("2d");
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
      canvas.toBlob(function (blob) {
        if (!blob) return;
        var a = document.createElement("a");
        a.href = URL.createObjectURL(blob);
        a.download = link.getAttribute("data-png");
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(function () { URL.revokeObjectURL(a.href); }, 10000);
      }, "image/png");
    };
    img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(text);
  }

  function offerPng(root) {
    root.querySelectorAll(".wres-png[hidden]").forEach(function (span) {
      var link = span.querySelector("a[data-png]");
      if (!link || !window.HTMLCanvasElement || !window.XMLSerializer) return;
      link.addEventListener("click", function (event) { savePng(link, event); });
      span.hidden = false;
    });
  }

  /* ---- sortable tables: buttons in the column headers, aria-sort on the header */
  function cellKey(row, i) {
    var cell = row.children[i];
    if (!cell) return "";
    var k = cell.getAttribute("data-sort");
    return k !== null ? k : cell.textContent.trim().toLowerCase();
  }

  function sortTable(table, col, th) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var asc = th.getAttribute("aria-sort") !== "ascending";
    var numeric = rows.every(function (r) { var k = cellKey(r, col); return k === "" || !isNaN(parseFloat(k)); });
    rows.sort(function (a, b) {
      var x = cellKey(a, col), y = cellKey(b, col);
      if (x === "" && y !== "") return 1;          /* empty last, either way */
      if (y === "" && x !== "") return -1;
      var c = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y, "en-GB");
      return asc ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    table.querySelectorAll("thead th").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
  }

  function makeSortable(root) {
    root.querySelectorAll("table.wres-sortable:not([data-sortable])").forEach(function (table) {
      table.setAttribute("data-sortable", "yes");
      table.querySelectorAll("thead th").forEach(function (th, i) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "wres-sort";
        while (th.firstChild) b.appendChild(th.firstChild);
        th.appendChild(b);
        b.addEventListener("click", function () { sortTable(table, i, th); });
      });
      var cap = table.caption;
      if (cap) {
        var hint = document.createElement("span");
        hint.className = "wres-hint";
        hint.textContent = " (select a column heading to sort)";
        cap.appendChild(hint);
      }
    });
  }

  /* ---- filter as you type */
  function makeFilters(root) {
    root.querySelectorAll("input[data-filter-table]").forEach(function (input) {
      var table = document.getElementById(input.getAttribute("data-filter-table"));
      if (!table || input.getAttribute("data-ready")) return;
      input.setAttribute("data-ready", "yes");
      var box = input.closest(".wres-filter");
      if (box) box.hidden = false;
      var count = box ? box.querySelector(".wres-count") : null;
      var rows = Array.prototype.slice.call(table.tBodies[0].rows);
      var texts = rows.map(function (r) { return r.textContent.toLowerCase().replace(/\s+/g, " "); });
      function apply() {
        var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
        var shown = 0;
        rows.forEach(function (r, i) {
          var ok = words.every(function (w) { return texts[i].indexOf(w) !== -1; });
          r.hidden = !ok;
          if (ok) shown++;
        });
        if (count) count.textContent = shown + " of " + rows.length + " organisations shown";
      }
      input.addEventListener("input", apply);
      apply();
    });
  }

  function init() {
    offerPng(document);
    makeSortable(document);
    makeFilters(document);
  }

  /* Material publishes document$ (also on instant navigation); fall back to DOMContentLoaded. */
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
