/* The resource form's opening hours (templates/manage/resource_form.html): rows of day,
 * from, to. The server renders the stored rows plus empty ones, which is enough without
 * JavaScript; this shows "Ajouter une plage" and each row's "Retirer", and keeps the
 * screen-reader numbers of the rows ("plage 2") in order.
 */
(function () {
  "use strict";

  var list = document.getElementById("hour-rows");
  var template = document.getElementById("hour-row-template");
  var add = document.getElementById("add-hour-row");
  if (!list || !template || !add) {
    return;
  }

  // Field numbers only need to be unique: the server reads the rows in their order.
  var next = 0;
  list.querySelectorAll("[name]").forEach(function (field) {
    var match = /^hours-(\d+)-/.exec(field.name);
    if (match) {
      next = Math.max(next, Number(match[1]) + 1);
    }
  });

  function renumber() {
    list.querySelectorAll("[data-hour-row]").forEach(function (row, i) {
      row.querySelectorAll("[data-row-number]").forEach(function (span) {
        span.textContent = span.textContent.replace(/(plage )(\S+)/, "$1" + (i + 1));
      });
    });
  }

  function arm(row) {
    var remove = row.querySelector("[data-remove-row]");
    remove.hidden = false;
  }

  list.querySelectorAll("[data-hour-row]").forEach(arm);
  add.hidden = false;

  add.addEventListener("click", function () {
    var html = template.innerHTML.replace(/__i__/g, String(next)).replace(/__n__/g, "0");
    next += 1;
    list.insertAdjacentHTML("beforeend", html);
    var row = list.lastElementChild;
    arm(row);
    renumber();
    row.querySelector("select").focus();
  });

  list.addEventListener("click", function (event) {
    var remove = event.target.closest("[data-remove-row]");
    if (!remove) {
      return;
    }
    var row = remove.closest("[data-hour-row]");
    // The focus goes where the row was: the next row's day, or the add button.
    var after = row.nextElementSibling || row.previousElementSibling;
    row.remove();
    renumber();
    (after ? after.querySelector("select") : add).focus();
  });
}());
