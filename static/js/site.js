// On every page: the header folds into a "Menu" button on phones, and a field with a length limit counts its
// characters as you type. Loaded in <head> so the menu is folded before the first paint; without JavaScript the
// menu stays open and the limit is checked by the server, which keeps what was typed and says what to shorten.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var PHONE = window.matchMedia("(max-width: 575.98px)");

  function setupMenu() {
    var button = document.querySelector(".site-menu-toggle");
    var menu = document.getElementById("site-menu");
    if (!button || !menu) return;
    function show(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("is-open", open);
    }
    show(!PHONE.matches);
    button.addEventListener("click", function () {
      show(button.getAttribute("aria-expanded") !== "true");
    });
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && PHONE.matches) {
        show(false);
        button.focus();
      }
    });
    // Turning a tablet or widening the window: the menu is always open where it fits.
    PHONE.addEventListener("change", function () { show(!PHONE.matches); });
  }

  // Fields with maxlength: the browser would cut a long paste without a word. Instead the limit is shown as a
  // count, going over says by how much, and the server's own check (never a silent cut) has the last word.
  function setupCounters() {
    var body = document.body;
    var countWords = body.getAttribute("data-chars-count");
    var overWords = body.getAttribute("data-chars-over");
    if (!countWords || !overWords) return;
    var fields = document.querySelectorAll("input[maxlength]:not([type=hidden]), textarea[maxlength]");
    Array.prototype.forEach.call(fields, function (field, index) {
      var limit = parseInt(field.getAttribute("maxlength"), 10);
      if (!(limit > 0) || field.type === "search" || field.type === "email" || field.type === "password") return;
      field.removeAttribute("maxlength");
      field.setAttribute("data-max-chars", String(limit));
      var count = document.createElement("div");
      count.className = "form-text char-count";
      count.id = (field.id || "field-" + index) + "-count";
      // Read with the field on focus; a separate polite region speaks only when the field goes over or back.
      var spoken = document.createElement("div");
      spoken.className = "visually-hidden";
      spoken.setAttribute("aria-live", "polite");
      var describedBy = field.getAttribute("aria-describedby");
      field.setAttribute("aria-describedby", (describedBy ? describedBy + " " : "") + count.id);
      field.insertAdjacentElement("afterend", spoken);
      field.insertAdjacentElement("afterend", count);
      var wasOver = false;
      function update() {
        var length = field.value.length;
        var over = length > limit;
        count.textContent = over
          ? overWords.replace("{over}", String(length - limit)).replace("{limit}", String(limit))
          : countWords.replace("{count}", String(length)).replace("{limit}", String(limit));
        count.classList.toggle("is-over", over);
        // A notes box of thousands of characters shows its count only near the limit; a name field always does.
        count.hidden = !(limit <= 300 || length >= limit * 0.9);
        if (over !== wasOver) {
          spoken.textContent = over ? count.textContent : "";
          wasOver = over;
        }
      }
      field.addEventListener("input", update);
      update();
    });
  }

  // "Copy" beside each suggested rewrite: shown only where the browser can write to the clipboard.
  function setupCopyButtons() {
    if (!navigator.clipboard || !window.isSecureContext) return;
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
          var status = document.querySelector("[data-copy-status]");
          if (status) status.textContent = button.getAttribute("data-copied");
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupMenu();
    setupCounters();
    setupCopyButtons();
  });
})();
