// While a worker builds a comparison report, show its progress and swap in the report when it is done.
// Extends the pattern of poll_status.js: poll the JSON status URL, back off, and never need a manual reload.
(function () {
  "use strict";
  var box = document.getElementById("report-progress");
  if (!box) { return; }
  var bar = document.getElementById("report-progress-bar");
  var stage = document.getElementById("report-stage");
  var percent = document.getElementById("report-percent");
  var delay = 700;

  function swapIn(url) {
    // Fetch the finished page and replace just the report area, so focus and scroll stay put.
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("report-root");
        var root = document.getElementById("report-root");
        if (!fresh || !root) { window.location.assign(url); return; }
        root.replaceChildren.apply(root, Array.prototype.slice.call(fresh.childNodes).map(function (n) {
          return document.importNode(n, true);
        }));
        var target = root.querySelector("[role=alert], #report-ready-heading");
        if (target) { target.setAttribute("tabindex", "-1"); target.focus(); }
      })
      .catch(function () { window.location.assign(url); });
  }

  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (body) {
        bar.value = body.progress;
        bar.textContent = body.progress + "%";
        stage.textContent = body.stage || body.label;
        percent.textContent = body.progress;
        if (body.done) { swapIn(body.url); return; }
        delay = Math.min(delay * 1.3, 5000);
        setTimeout(poll, delay);
      })
      .catch(function () { setTimeout(poll, 10000); });
  }
  setTimeout(poll, delay);
})();
