// Progressive enhancements for the questionnaire; every step works without them.
(function () {
  "use strict";

  // The medicine search box filters the list of medicines as the person types.
  function enableDrugSearch(root) {
    root.querySelectorAll(".drug-search").forEach(function (box) {
      box.hidden = false;
      var input = box.querySelector("[data-drug-search]");
      input.addEventListener("input", function () {
        var words = input.value.trim().toLowerCase();
        root.querySelectorAll("[data-drug-group]").forEach(function (group) {
          var shown = 0;
          group.querySelectorAll("[data-drug]").forEach(function (item) {
            var match = !words || item.textContent.toLowerCase().indexOf(words) !== -1;
            item.hidden = !match;
            if (match) shown += 1;
          });
          group.hidden = shown === 0;
        });
      });
    });
  }

  // After htmx swaps in a new step, move focus to its heading so screen readers announce it.
  document.addEventListener("htmx:afterSwap", function (event) {
    enableDrugSearch(document);
    var heading = document.getElementById("step-heading");
    if (heading && event.detail.target && event.detail.target.id === "step") heading.focus();
  });
  document.addEventListener("DOMContentLoaded", function () { enableDrugSearch(document); });
})();
