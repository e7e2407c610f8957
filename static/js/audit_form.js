// Save the draft as the leader types, and once more when the tab closes, so nothing is lost.
(function () {
  "use strict";
  var form = document.getElementById("audit-section-form");
  if (!form) { return; }
  var status = document.getElementById("autosave-status");
  var revision = form.querySelector("input[name=revision]");
  var timer = null;
  var dirty = false;

  // The words come from the page (data-say-* on the status line), so they are in the reader's language.
  function say(key) {
    return status.dataset["say" + key.charAt(0).toUpperCase() + key.slice(1)] || "";
  }

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
          status.textContent = say("sessionEnded");
          return null;
        }
        return response.json().then(function (body) {
          if (body.revision !== undefined && revision) { revision.value = body.revision; }
          if (body.conflict) {
            status.textContent = say("conflict");
          } else if (body.saved) {
            status.textContent = say(Object.keys(body.errors || {}).length ? "savedExcept" : "saved");
          }
        });
      })
      .catch(function () {
        dirty = true;
        status.textContent = say("offline");
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
