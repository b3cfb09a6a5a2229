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

  // The grid is one tab stop: the arrow keys move between its free cells (a roving
  // tabindex), so that the form is not a hundred Tab presses away.
  function slotButtons() {
    return Array.prototype.slice.call(document.querySelectorAll(".maillage-week button.maillage-slot"));
  }

  function rove(current) {
    slotButtons().forEach(function (button) {
      button.tabIndex = button === current ? 0 : -1;
    });
  }

  function setUpGrid() {
    var buttons = slotButtons();
    if (buttons.length && !buttons.some(function (b) { return b.tabIndex === 0 && b.hasAttribute("data-roving"); })) {
      buttons.forEach(function (b) { b.setAttribute("data-roving", ""); });
      rove(buttons[0]);
    }
  }

  var MOVES = { ArrowUp: [0, -1], ArrowDown: [0, 1], ArrowLeft: [-1, 0], ArrowRight: [1, 0] };

  document.addEventListener("keydown", function (event) {
    var move = MOVES[event.key];
    var td = move ? slotCell(event.target) : null;
    if (!td) {
      return;
    }
    var row = td.parentElement;
    var rows = Array.prototype.slice.call(row.parentElement.children);
    var column = Array.prototype.indexOf.call(row.children, td);
    var r = rows.indexOf(row);
    // Walk in the key's direction to the next cell that holds a button.
    for (var step = 1; step < 200; step++) {
      var nr = r + move[1] * step;
      var nc = column + move[0] * step;
      if (nr < 0 || nr >= rows.length || nc < 1 || nc >= rows[0].children.length) {
        break;
      }
      var button = rows[nr].children[nc].querySelector("button.maillage-slot");
      if (button) {
        event.preventDefault();
        rove(button);
        button.focus();
        return;
      }
    }
  });

  // live.js swaps the grid for a fresh copy: give it its tab stop again.
  new MutationObserver(setUpGrid).observe(document.body, { childList: true, subtree: true });
  setUpGrid();

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
