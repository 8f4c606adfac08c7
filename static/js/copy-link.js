// "Copy link" beside a private link. The button is hidden in the page and shown only where the
// Clipboard API exists, so without a script (or on an insecure origin) the link is just selectable text.
(function () {
  "use strict";

  function revealCopyButtons(root) {
    if (!navigator.clipboard || !navigator.clipboard.writeText) return;
    root.querySelectorAll("[data-copy-link]").forEach(function (box) {
      box.hidden = false;
    });
  }

  function announce(status, message) {
    // Emptying first makes a second copy announce again: a live region only speaks on a change.
    status.textContent = "";
    window.setTimeout(function () { status.textContent = message; }, 50);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) return;
    var link = document.getElementById(button.getAttribute("data-copy-target"));
    var status = button.parentElement.querySelector("[data-copy-status]");
    if (!link || !status) return;
    navigator.clipboard.writeText(link.href).then(
      function () { announce(status, "Link copied"); },
      function () { announce(status, "Could not copy. Select the link above and copy it instead."); }
    );
  });

  // The step page swaps in each new step with htmx, which brings a fresh, hidden button.
  document.addEventListener("htmx:afterSwap", function () { revealCopyButtons(document); });
  document.addEventListener("DOMContentLoaded", function () { revealCopyButtons(document); });
})();
