/* A DSFR-styled confirmation modal before a destructive action (the `confirm` macro of
 * templates/_forms.html).
 *
 * Without JavaScript, a link marked [data-confirm] leads to its confirmation page. With it,
 * a click opens a <dialog> that asks the same question and sends the same POST (the action
 * of data-confirm, the page's CSRF token, data-confirm-next); a form marked
 * [data-confirm-title] is submitted once confirmed. The dialog is modal (the page behind is
 * inert), Tab cycles inside it, Échap closes it, and the focus goes back where it was.
 * Handlers are delegated to the document: live.js may swap the links.
 */
(function () {
  "use strict";

  if (typeof HTMLDialogElement !== "function") {
    return;  // the confirmation pages do the work
  }

  var dialog = null;
  var opener = null;
  var source = null;  // the form to submit once confirmed, if the action is a form's

  function build() {
    dialog = document.createElement("dialog");
    dialog.className = "maillage-confirm";
    dialog.id = "confirm-modal";
    dialog.setAttribute("aria-labelledby", "confirm-modal-title");
    dialog.setAttribute("aria-describedby", "confirm-modal-text");
    dialog.innerHTML =
      '<div class="fr-container fr-container--fluid fr-container-md">' +
      '<div class="fr-grid-row fr-grid-row--center"><div class="fr-col-12 fr-col-md-8 fr-col-lg-6">' +
      '<div class="fr-modal__body">' +
      '<div class="fr-modal__header">' +
      '<button class="fr-btn--close fr-btn" type="button" data-confirm-close title="Fermer la fenêtre">Fermer</button>' +
      "</div>" +
      '<div class="fr-modal__content">' +
      '<h1 class="fr-modal__title" id="confirm-modal-title"></h1>' +
      '<p id="confirm-modal-text"></p>' +
      '<form method="post" id="confirm-modal-form">' +
      '<input type="hidden" name="csrf_token">' +
      '<div class="fr-input-group" data-confirm-reason-group hidden>' +
      '<label class="fr-label" for="confirm-modal-reason">Motif du refus' +
      '<span class="fr-hint-text">Le lieu demandeur le verra.</span></label>' +
      '<textarea class="fr-input" id="confirm-modal-reason" name="reason" rows="3" maxlength="2000"></textarea>' +
      "</div>" +
      "</form>" +
      "</div>" +
      '<div class="fr-modal__footer">' +
      '<ul class="fr-btns-group fr-btns-group--right fr-btns-group--inline-reverse fr-btns-group--inline-lg">' +
      '<li><button class="fr-btn" type="submit" form="confirm-modal-form" id="confirm-modal-submit"></button></li>' +
      '<li><button class="fr-btn fr-btn--secondary" type="button" data-confirm-close>Annuler</button></li>' +
      "</ul></div>" +
      "</div></div></div></div>";
    document.body.appendChild(dialog);

    dialog.addEventListener("click", function (event) {
      // A click on a close button, or on the backdrop around the box.
      if (event.target.closest("[data-confirm-close]") || event.target === dialog) {
        dialog.close();
      }
    });
    dialog.addEventListener("keydown", trapTab);
    dialog.addEventListener("close", function () {
      if (opener && document.contains(opener)) {
        opener.focus();
      }
      opener = null;
      source = null;
    });
    dialog.querySelector("form").addEventListener("submit", function (event) {
      document.getElementById("confirm-modal-submit").disabled = true;
      if (source) {
        event.preventDefault();
        var form = source;
        source = null;
        form.submit();  // submit() fires no submit event: this handler does not run again
      }
    });
  }

  function focusables() {
    return Array.prototype.filter.call(
      dialog.querySelectorAll("button, textarea, [href], input:not([type=hidden])"),
      function (el) { return !el.disabled && !el.closest("[hidden]"); });
  }

  function trapTab(event) {
    if (event.key !== "Tab") {
      return;
    }
    var items = focusables();
    var first = items[0];
    var last = items[items.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }

  function open(trigger, form) {
    if (!dialog) {
      build();
    }
    var data = trigger.dataset;
    var modalForm = dialog.querySelector("form");
    opener = document.activeElement && document.activeElement !== document.body ? document.activeElement : trigger;
    source = form;
    dialog.querySelector("#confirm-modal-title").textContent = data.confirmTitle;
    dialog.querySelector("#confirm-modal-text").textContent = data.confirmText;
    var submit = dialog.querySelector("#confirm-modal-submit");
    submit.textContent = data.confirmButton;
    submit.disabled = false;
    modalForm.action = form ? form.action : data.confirm;
    var meta = document.querySelector('meta[name="csrf-token"]');
    modalForm.elements.csrf_token.value = meta ? meta.content : "";
    var next = modalForm.elements.next;
    if (data.confirmNext !== undefined) {
      if (!next) {
        next = document.createElement("input");
        next.type = "hidden";
        next.name = "next";
        modalForm.appendChild(next);
      }
      next.value = data.confirmNext;
    } else if (next) {
      next.remove();
    }
    var reason = dialog.querySelector("[data-confirm-reason-group]");
    var withReason = data.confirmReason !== undefined && !form;
    reason.hidden = !withReason;
    reason.querySelector("textarea").disabled = !withReason;
    reason.querySelector("textarea").value = "";
    dialog.showModal();
    // The focus starts on what asks for input, else on the way out that changes nothing.
    (withReason ? reason.querySelector("textarea") : dialog.querySelector(".fr-btn--secondary")).focus();
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-confirm]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) {
      return;  // a new tab still gets the confirmation page
    }
    event.preventDefault();
    open(link, null);
  });

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm-title]");
    if (!form) {
      return;
    }
    event.preventDefault();
    open(form, form);
  });
}());
