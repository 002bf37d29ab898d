/*
 * The claims ledger (claims.html): sort by a click on a column heading (tablesort,
 * vendored beside this file) and filter the rows by the words typed in the box above
 * the table. Runs offline, from file:// as over http(s).
 */
(function () {
  "use strict";

  function setUp() {
    var table = document.getElementById("ledger");
    if (!table || table.dataset.ready) return;
    table.dataset.ready = "1";
    if (window.Tablesort) new Tablesort(table);
    var input = document.getElementById("ledger-filter");
    var shown = document.getElementById("ledger-shown");
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    function filter() {
      var words = (input.value || "").toLowerCase().split(/\s+/).filter(Boolean);
      var count = 0;
      rows.forEach(function (row) {
        var text = row.textContent.toLowerCase();
        var keep = words.every(function (word) { return text.indexOf(word) !== -1; });
        row.hidden = !keep;
        if (keep) count += 1;
      });
      if (shown) shown.textContent = count + " of " + rows.length + " claims shown";
    }
    if (input) {
      input.addEventListener("input", filter);
      filter();
    }
  }

  // Material's instant loading is off (file://), but document$ is there when the theme is.
  if (window.document$ && window.document$.subscribe) {
    window.document$.subscribe(setUp);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
