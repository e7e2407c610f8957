// Save the draft as the leader types, and once more when the tab closes, so nothing is lost.
(function () {
  "use strict";
  var form = document.getElementById("audit-section-form");
  if (!form) { return; }
  var status = document.getElementById("autosave-status");
  var revision = form.querySelector("input[name=revision]");
  var timer = null;
  var dirty = false;

  function payload() {
    var data = new FormData(form);
    data.set("autosave", "1");
    return data;
  }

  function save() {
    timer = null;
    if (!dirty) { return; }
    dirty = false;
    fetch(form.dataset.autosaveUrl, { method: "POST", body: payload(), credentials: "same-origin" })
      .then(function (response) {
        if (response.redirected || response.headers.get("content-type").indexOf("json") === -1) {
          status.textContent = "Your session ended. Sign in again; the answers on this page stay here until you save.";
          return null;
        }
        return response.json().then(function (body) {
          if (body.revision !== undefined && revision) { revision.value = body.revision; }
          if (body.conflict) {
            status.textContent = "This draft changed elsewhere. Press Save and continue to compare both versions.";
          } else if (body.saved) {
            status.textContent = Object.keys(body.errors || {}).length
              ? "Draft saved, except answers that need a look."
              : "Draft saved.";
          }
        });
      })
      .catch(function () {
        dirty = true;
        status.textContent = "Could not reach AssetLens just now; your answers are still on this page.";
      });
  }

  function changed() {
    dirty = true;
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, 800);
  }

  form.addEventListener("change", changed);
  form.addEventListener("input", changed);
  form.addEventListener("submit", function () { dirty = false; if (timer) { clearTimeout(timer); } });
  window.addEventListener("pagehide", function () {
    if (dirty && navigator.sendBeacon) { navigator.sendBeacon(form.dataset.autosaveUrl, payload()); }
  });
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
