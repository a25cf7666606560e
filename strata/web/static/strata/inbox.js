// The inbox by keyboard: j/k move through the queue, Enter or o opens; in a conversation r
// answers, a assigns, e marks done, n writes a note, u goes back to the queue; ? lists the keys.
// Keys are ignored while typing in a field, and with Ctrl, Alt or Meta held.
(() => {
  "use strict";
  const typing = (el) => el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));
  const rows = () => Array.from(document.querySelectorAll("[data-inbox-list] > li"));
  let current = -1;

  function select(index, moveFocus = true) {
    const list = rows();
    if (!list.length) return;
    current = Math.max(0, Math.min(index, list.length - 1));
    list.forEach((row, i) => row.setAttribute("aria-current", i === current ? "true" : "false"));
    const link = list[current].querySelector("a");
    if (link && moveFocus) link.focus();
  }

  function help() {
    let dialog = document.getElementById("inbox-keys");
    if (!dialog) {
      dialog = document.createElement("dialog");
      dialog.id = "inbox-keys";
      dialog.className = "card keys-help";
      dialog.setAttribute("aria-labelledby", "inbox-keys-title");
      dialog.innerHTML = '<h2 id="inbox-keys-title">Keys of the inbox</h2><dl>' +
        "<dt><kbd>j</kbd> / <kbd>k</kbd></dt><dd>next / previous conversation</dd>" +
        "<dt><kbd>Enter</kbd> or <kbd>o</kbd></dt><dd>open it</dd>" +
        "<dt><kbd>r</kbd></dt><dd>answer</dd><dt><kbd>a</kbd></dt><dd>assign</dd>" +
        "<dt><kbd>e</kbd></dt><dd>mark done</dd><dt><kbd>n</kbd></dt><dd>write a note</dd>" +
        "<dt><kbd>u</kbd></dt><dd>back to the queue</dd><dt><kbd>?</kbd></dt><dd>this list</dd></dl>" +
        '<form method="dialog"><button type="submit">Close</button></form>';
      document.body.appendChild(dialog);
    }
    dialog.showModal();
  }

  function focus(selector) {
    const el = document.querySelector(selector);
    if (!el) return false;
    el.focus();
    if (el.tagName === "TEXTAREA") el.setSelectionRange(el.value.length, el.value.length);
    return true;
  }

  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.altKey || e.metaKey || typing(document.activeElement)) return;
    if (document.querySelector("dialog[open]")) return;
    const onList = rows().length > 0;
    let done = true;
    switch (e.key) {
      case "j": if (onList) select(current + 1); else done = false; break;
      case "k": if (onList) select(current - 1); else done = false; break;
      case "o": { const row = rows()[current]; if (row) row.querySelector("a").click(); else done = false; break; }
      case "r": done = focus("#reply-text"); break;
      case "a": done = focus("#assignee"); break;
      case "n": done = focus("#note-text"); break;
      case "e": {
        const form = document.querySelector("form[action$='/state/']");
        if (form) { form.querySelector("select").value = "done"; form.requestSubmit(); } else done = false;
        break;
      }
      case "u": { const back = document.querySelector(".crumbs a"); if (back) back.click(); else done = false; break; }
      case "?": help(); break;
      default: done = false;
    }
    if (done) e.preventDefault();
  });
  // Presence: the page says who else has the conversation open, and tells them when this person
  // is writing an answer (typed in the last 15 s), so that nobody answers twice.
  let lastTyped = 0;
  document.addEventListener("input", (e) => { if (e.target && e.target.id === "reply-text") lastTyped = Date.now(); });
  document.addEventListener("htmx:configRequest", (e) => {
    if (e.target && e.target.hasAttribute && e.target.hasAttribute("data-presence")) {
      e.detail.parameters.writing = Date.now() - lastTyped < 15000 ? "1" : "0";
    }
  });
  // The queue refreshes itself, except while conversations are chosen for a bulk action.
  document.addEventListener("htmx:beforeRequest", (e) => {
    if (e.target && e.target.id === "queue" && document.querySelector(".inbox-choose:checked")) e.preventDefault();
  });
  // A refreshed queue keeps the row that was chosen, and the focus only if it was in the queue.
  document.addEventListener("htmx:afterSettle", () => {
    if (current >= 0) select(current, document.activeElement === document.body);
  });
})();
