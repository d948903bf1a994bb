// A little JavaScript: ask for new urgent tickets every few seconds and show them on top of
// whatever page is open; ask before a destructive form goes.
(function () {
  "use strict";
  var poll = parseInt(document.body.getAttribute("data-poll") || "0", 10);
  var latest = 0;
  function check() {
    fetch("/console/poll?after=" + latest, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        if (latest && data.urgent.length) { show(data.urgent); }
        latest = Math.max(latest, data.latest);
      })
      .catch(function () {});
  }
  function show(items) {
    var box = document.getElementById("alarm");
    if (!box) { return; }
    box.hidden = false;
    box.textContent = "新紧急工单：";
    items.forEach(function (t) {
      var a = document.createElement("a");
      a.href = t.href;
      a.textContent = t.code + " " + t.category + " " + t.text;
      box.appendChild(a);
    });
  }
  if (poll > 0) {
    check();
    setInterval(check, poll * 1000);
  }
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (!window.confirm(f.getAttribute("data-confirm"))) { e.preventDefault(); }
    });
  });
})();
