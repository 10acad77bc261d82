(function () {
  "use strict";
  var player = document.getElementById("player");
  function seek(t) {
    if (!player) return;
    var go = function () {
      player.currentTime = t;
      var p = player.play();
      if (p && p.catch) p.catch(function () {});
    };
    if (player.readyState >= 1) go();
    else { player.addEventListener("loadedmetadata", go, { once: true }); player.load(); }
  }
  function flash(el) {
    el.classList.remove("hit"); void el.offsetWidth; el.classList.add("hit");
    el.scrollIntoView({ block: "center", behavior: "smooth" });
  }
  document.addEventListener("click", function (e) {
    var button = e.target.closest("[data-t]");
    if (button) { e.preventDefault(); seek(parseFloat(button.getAttribute("data-t"))); return; }
    var mark = e.target.closest("mark[data-ref]");
    if (mark) {
      var row = document.getElementById(mark.getAttribute("data-ref"));
      if (row) flash(row);
    }
  });
  function key(cell) {
    var v = cell.getAttribute("data-v");
    if (v === null) v = cell.textContent.trim();
    var n = parseFloat(v);
    return isNaN(n) || !/^-?[0-9.]+$/.test(v) ? v.toLowerCase() : n;
  }
  document.querySelectorAll("th.sortable").forEach(function (th) {
    th.addEventListener("click", function () {
      var table = th.closest("table"), body = table.tBodies[0], col = th.cellIndex;
      var dir = th.getAttribute("data-dir") === "asc" ? "desc" : "asc";
      table.querySelectorAll("th.sortable").forEach(function (o) { o.removeAttribute("data-dir"); });
      th.setAttribute("data-dir", dir);
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = key(a.cells[col]), y = key(b.cells[col]);
        var c = typeof x === typeof y ? (x < y ? -1 : x > y ? 1 : 0) : (typeof x === "number" ? -1 : 1);
        return dir === "asc" ? c : -c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  var filter = document.getElementById("category-filter");
  if (filter) filter.addEventListener("change", function () {
    var want = filter.value;
    document.querySelectorAll("tr[data-cats]").forEach(function (row) {
      row.hidden = want !== "" && row.getAttribute("data-cats").split(" ").indexOf(want) < 0;
    });
  });
})();
