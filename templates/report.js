// Sorting and filtering for the sender-domain table. The table is complete without this
// script; it only reorders and hides existing rows.
(function () {
  "use strict";
  var table = document.getElementById("domains");
  document.documentElement.classList.add("js");
  if (!table) {
    return;
  }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var filter = document.getElementById("domain-filter");
  if (filter) {
    filter.hidden = false;
    filter.addEventListener("input", function () {
      var needle = filter.value.trim().toLowerCase();
      rows.forEach(function (row) {
        row.hidden = needle !== "" && row.cells[0].textContent.toLowerCase().indexOf(needle) < 0;
      });
    });
  }
  function key(row, column, numeric) {
    var cell = row.cells[column];
    var value = cell.getAttribute("data-value");
    if (value === null) {
      value = cell.textContent.trim();
    }
    if (!numeric) {
      return value.toLowerCase();
    }
    return value === "" ? NaN : parseFloat(value);
  }
  function compare(a, b, descending) {
    var aMissing = a === "" || (typeof a === "number" && isNaN(a));
    var bMissing = b === "" || (typeof b === "number" && isNaN(b));
    if (aMissing || bMissing) {
      return aMissing === bMissing ? 0 : (aMissing ? 1 : -1);
    }
    var order = a < b ? -1 : (a > b ? 1 : 0);
    return descending ? -order : order;
  }
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  headers.forEach(function (th, column) {
    if (!th.classList.contains("sortable")) {
      return;
    }
    th.tabIndex = 0;
    function sort() {
      var descending = th.getAttribute("aria-sort") === "ascending";
      var numeric = th.classList.contains("num");
      headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      var keyed = rows.map(function (row, index) {
        return { row: row, key: key(row, column, numeric), index: index };
      });
      keyed.sort(function (a, b) {
        return compare(a.key, b.key, descending) || a.index - b.index;
      });
      keyed.forEach(function (item) { body.appendChild(item.row); });
    }
    th.addEventListener("click", sort);
    th.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        sort();
      }
    });
  });
}());
