/* Form helpers, served as a file: the Content-Security-Policy allows no inline script.

   A select with data-follows="ID" offers only the options that fit the choice made in the
   select with that id: an option fits when its data-agency is that choice's value, or "any".
   The server renders the options that do not fit as hidden already and refuses a mismatch;
   this only keeps the list right while the user changes the other select. Options without
   data-agency (the blank one) always show. */
(function () {
  "use strict";

  function follow(select, source, keepSelection) {
    var chosen = source.value;
    var lostSelection = false;
    Array.prototype.forEach.call(select.options, function (option) {
      var owner = option.getAttribute("data-agency");
      if (owner === null) {
        return;
      }
      var fits = owner === "any" || owner === chosen;
      if (!fits && option.selected) {
        if (keepSelection) {
          fits = true; // what the server sent back with its error stays visible
        } else {
          lostSelection = true;
        }
      }
      option.hidden = !fits;
    });
    if (lostSelection) {
      select.selectedIndex = 0;
    }
  }

  document.querySelectorAll("select[data-follows]").forEach(function (select) {
    var source = document.getElementById(select.getAttribute("data-follows"));
    if (!source) {
      return;
    }
    follow(select, source, true);
    source.addEventListener("change", function () {
      follow(select, source, false);
    });
  });
})();
