/* Open WRES: draw charts, sort tables, filter the organisations list.
   No inline code, no eval: works under the site's Content-Security-Policy.
   Every page works without this script: charts have data tables, tables are complete. */
(function () {
  "use strict";
  var here = document.currentScript && document.currentScript.src;
  var vegaUrl = here ? new URL("vega.js", here).href : null;
  var vegaLoading = null;

  function loadVega() {
    if (window.vegaEmbed) return Promise.resolve();
    if (!vegaLoading) {
      vegaLoading = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = vegaUrl;
        s.onload = resolve;
        s.onerror = reject;
        document.head.appendChild(s);
      });
    }
    return vegaLoading;
  }

  /* Each page's charts are in one file beside it, charts.json: {"<chart id>": <Vega-Lite spec>, ...}.
     Each figure's container names the file (data-charts) and its chart (data-chart); the file is
     fetched once however many charts the page has. */
  function fetchSpecs(url, memo) {
    if (!memo[url]) {
      memo[url] = fetch(url).then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      });
    }
    return memo[url];
  }

  function drawCharts(root) {
    var boxes = root.querySelectorAll(".wres-chart[data-charts][data-chart]:not([data-drawn])");
    if (!boxes.length || !vegaUrl) return;
    boxes.forEach(function (box) { box.setAttribute("data-drawn", "pending"); });
    var memo = Object.create(null);   /* charts.json address -> promise of its specs, for this page */
    loadVega().then(function () {
      boxes.forEach(function (box) {
        var id = box.getAttribute("data-chart");
        var url = new URL(box.getAttribute("data-charts"), document.baseURI).href;
        fetchSpecs(url, memo).then(function (specs) {
          if (!specs || !Object.prototype.hasOwnProperty.call(specs, id)) throw new Error("no chart " + id);
          return window.vegaEmbed(box, specs[id], {
            ast: true,            /* Vega's expression interpreter: no new Function(), so no 'unsafe-eval' */
            renderer: "svg",
            actions: { export: true, source: false, compiled: false, editor: false },
            downloadFileName: id,
            i18n: { PNG_ACTION: "Save as PNG", SVG_ACTION: "Save as SVG" }
          });
        }).then(function () {
          var menu = box.querySelector("details > summary");
          if (menu) menu.setAttribute("aria-label", "Save this chart as an image (SVG or PNG)");
          box.setAttribute("data-drawn", "yes");
        }).catch(function (err) {
          box.setAttribute("data-drawn", "failed");
          box.textContent = "The chart could not be drawn; the data table below has every figure.";
          if (window.console) console.warn("wres chart", url, id, err);
        });
      });
    }, function () {
      boxes.forEach(function (box) {
        box.setAttribute("data-drawn", "failed");
        box.textContent = "Charts need JavaScript; the data table below has every figure.";
      });
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
    drawCharts(document);
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
