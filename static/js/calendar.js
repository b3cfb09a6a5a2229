/* A resource page's week grid fills the booking form.
 *
 * The server renders everything (templates/catalogue/resource.html); this only adds:
 * - a click (or Enter/Space) on a free cell chooses it; a click on a later free cell of
 *   the same day stretches the choice to it; dragging over cells does the same;
 * - a suggested slot of the error summary ([data-fill-start]) or a session's link
 *   ([data-choose-session]) fills the form instead of reloading the page;
 * - the element marked [data-focus-on-load] (the error summary) takes the focus.
 * Handlers are delegated to the document: live.js swaps the grid when it changes.
 */
(function () {
  "use strict";

  var anchor = null;  // the first cell of the current choice
  var dragging = false;  // a drag chose the cells: the click that ends it does nothing more

  function field(name) {
    return document.getElementById("f-" + name);
  }

  function cellsOfDay(date) {
    return Array.prototype.slice.call(
      document.querySelectorAll('.maillage-week td[data-date="' + date + '"]'));
  }

  function describe(start, end) {
    var day = start.slice(8, 10) + "/" + start.slice(5, 7);
    return "Créneau choisi : le " + day + " de " + start.slice(11) + " à " +
      (end.slice(0, 10) === start.slice(0, 10) ? end.slice(11) : "minuit") +
      ". Vérifiez le formulaire puis réservez.";
  }

  function fill(start, end) {
    var startInput = field("start");
    var endInput = field("end");
    if (!startInput || !endInput) {
      return;
    }
    startInput.value = start;
    endInput.value = end;
    var status = document.getElementById("slot-choice");
    if (status) {
      status.textContent = describe(start, end);
    }
  }

  function mark(date, start, end) {
    document.querySelectorAll(".maillage-week .maillage-selected").forEach(function (td) {
      td.classList.remove("maillage-selected");
      var button = td.querySelector("button");
      if (button) {
        button.setAttribute("aria-pressed", "false");
      }
    });
    cellsOfDay(date).forEach(function (td) {
      if (td.dataset.start >= start && td.dataset.end <= end) {
        td.classList.add("maillage-selected");
        var button = td.querySelector("button");
        if (button) {
          button.setAttribute("aria-pressed", "true");
        }
      }
    });
  }

  // Whether every cell of the day from `start` to `end` can be booked.
  function allFree(date, start, end) {
    return cellsOfDay(date).every(function (td) {
      if (td.dataset.start < start || td.dataset.end > end) {
        return true;
      }
      return td.dataset.state === "free" || td.dataset.state === "partial";
    });
  }

  function choose(td, stretch) {
    var date = td.dataset.date;
    if (stretch && anchor && anchor.date === date && td.dataset.start > anchor.start &&
        allFree(date, anchor.start, td.dataset.end)) {
      fill(anchor.start, td.dataset.end);
      mark(date, anchor.start, td.dataset.end);
      return;
    }
    anchor = { date: date, start: td.dataset.start };
    fill(td.dataset.start, td.dataset.end);
    mark(date, td.dataset.start, td.dataset.end);
  }

  function slotCell(target) {
    var button = target && target.closest ? target.closest(".maillage-week button.maillage-slot") : null;
    return button ? button.closest("td") : null;
  }

  document.addEventListener("click", function (event) {
    var td = slotCell(event.target);
    if (td) {
      if (!dragging) {
        choose(td, true);
      }
      dragging = false;
      return;
    }
    var suggestion = event.target.closest ? event.target.closest("[data-fill-start]") : null;
    if (suggestion && field("start")) {
      event.preventDefault();
      fill(suggestion.dataset.fillStart, suggestion.dataset.fillEnd);
      field("start").focus();
      return;
    }
    var session = event.target.closest ? event.target.closest("[data-choose-session]") : null;
    if (session && field("session")) {
      event.preventDefault();
      field("session").value = session.dataset.chooseSession;
      field("session").focus();
    }
  });

  var pressed = null;  // the cell a drag started from

  document.addEventListener("pointerdown", function (event) {
    pressed = event.button === 0 ? slotCell(event.target) : null;
    dragging = false;
  });

  document.addEventListener("pointerover", function (event) {
    if (event.buttons !== 1 || !pressed) {
      return;
    }
    var td = slotCell(event.target);
    if (td && td !== pressed && td.dataset.date === pressed.dataset.date &&
        td.dataset.start > pressed.dataset.start) {
      if (!dragging) {
        choose(pressed, false);
        dragging = true;
      }
      choose(td, true);
    }
  });

  function focusOnLoad() {
    var target = document.querySelector("[data-focus-on-load]");
    if (target) {
      target.focus();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusOnLoad);
  } else {
    focusOnLoad();
  }
})();
