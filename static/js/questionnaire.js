// Progressive enhancements for the questionnaire; every step works without them.
(function () {
  "use strict";

  function plural(count, one, many) {
    return count + " " + (count === 1 ? one : many);
  }

  function wordStarts(text, words) {
    var plain = function (value) { return " " + value.toLowerCase().replace(/[^a-z0-9]+/g, " ").trim(); };
    var needle = plain(words);
    return needle.length > 1 && plain(text).indexOf(needle) !== -1;
  }

  // The medicine picker: each kind of medicine is a closed <details>. Ticking keeps the counts and
  // the "Ticked so far" line true; the search box opens every kind with a match and hides the rest.
  function enableMedicinePicker(root) {
    root.querySelectorAll("[data-medicine-picker]").forEach(function (picker) {
      // htmx:afterSwap fires for every swap; a picker already set up must not get a second set of listeners.
      if (picker.hasAttribute("data-enhanced")) return;
      picker.setAttribute("data-enhanced", "");
      var groups = Array.prototype.slice.call(picker.querySelectorAll("[data-drug-group]"));
      var chosenLine = picker.querySelector("[data-drug-chosen]");
      var box = picker.querySelector(".drug-search");
      var input = picker.querySelector("[data-drug-search]");
      var status = picker.querySelector("[data-drug-search-status]");
      var openBeforeSearch = null;
      var statusTimer = null;

      function ticked(group) {
        return group.querySelectorAll("input[name=agents]:checked");
      }

      function updateTicked() {
        var names = [];
        groups.forEach(function (group) {
          var boxes = ticked(group);
          group.querySelector("[data-drug-count]").textContent = boxes.length ? " (" + boxes.length + " ticked)" : "";
          boxes.forEach(function (checkbox) {
            var text = picker.querySelector("label[for='" + checkbox.id + "']").textContent.trim();
            if (names.indexOf(text) === -1) names.push(text);
          });
        });
        chosenLine.textContent = names.length ? "Ticked so far: " + names.join(", ") + "." : "None ticked yet.";
      }

      function search() {
        var words = input.value.trim().toLowerCase();
        if (words && openBeforeSearch === null) {
          openBeforeSearch = groups.map(function (group) { return group.open; });
        }
        var matches = 0;
        groups.forEach(function (group, index) {
          // Typing a kind ("CDK4/6", "hormone") shows all of its medicines. Only the start of a word
          // counts, or "ib" would match every "inhibitor".
          var wholeGroup = !words || wordStarts(group.querySelector("[data-drug-group-name]").textContent, words);
          var shown = 0;
          group.querySelectorAll("[data-drug]").forEach(function (item) {
            var match = wholeGroup || item.textContent.toLowerCase().indexOf(words) !== -1;
            item.hidden = !match;
            if (match) shown += 1;
          });
          matches += words ? shown : 0;
          group.hidden = shown === 0;
          if (words) {
            group.open = shown > 0;
          } else if (openBeforeSearch !== null) {
            // Back to how she left it, but a kind where she has just ticked something stays open.
            group.open = openBeforeSearch[index] || ticked(group).length > 0;
          }
        });
        if (!words) openBeforeSearch = null;
        // Announce once typing pauses, not at every letter.
        window.clearTimeout(statusTimer);
        statusTimer = window.setTimeout(function () {
          if (!words) status.textContent = "";
          else if (matches) status.textContent = plural(matches, "medicine matches", "medicines match") + ".";
          else status.textContent = "No medicine matches that name. You can write it under \u201cOther medicines\u201d below.";
        }, 400);
      }

      picker.addEventListener("change", function (event) {
        if (event.target.name === "agents") updateTicked();
      });
      box.hidden = false;
      input.addEventListener("input", search);
      // Enter in the search box would otherwise submit the whole step.
      input.addEventListener("keydown", function (event) {
        if (event.key === "Enter") event.preventDefault();
      });
    });
  }

  // After htmx swaps in a new step, move focus to its heading so screen readers announce it.
  document.addEventListener("htmx:afterSwap", function (event) {
    enableMedicinePicker(document);
    var heading = document.getElementById("step-heading");
    if (heading && event.detail.target && event.detail.target.id === "step") heading.focus();
  });
  document.addEventListener("DOMContentLoaded", function () { enableMedicinePicker(document); });
})();
