// Small behaviours of every page, here rather than in inline handlers: the
// Content-Security-Policy runs only Strata's own script files.
(() => {
  // <select data-autosubmit>: choosing an option submits its form (the workspace switcher).
  document.addEventListener("change", (e) => {
    const select = e.target.closest("select[data-autosubmit]");
    if (select && select.form) select.form.submit();
  });
  // <form data-confirm="Question?">: ask before submitting (removing an element).
  document.addEventListener("submit", (e) => {
    const form = e.target.closest("form[data-confirm]");
    if (form && !confirm(form.dataset.confirm)) e.preventDefault();
  });
  // [data-error-summary]: a form that failed to save lists its problems at the top; focus goes
  // there on load, and each problem's link focuses its field (or a group's first input).
  const summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
  document.addEventListener("click", (e) => {
    const link = e.target.closest("[data-error-summary] a[href^='#']");
    const target = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!target) return;
    e.preventDefault();
    const field = target.matches("input, select, textarea") ? target : target.querySelector("input, select, textarea") || target;
    field.focus();
    (document.querySelector(`label[for="${CSS.escape(field.id)}"]`) || field).scrollIntoView({ block: "center" });
  });
})();

// The menu button of small screens (strata.css hides the navigation behind it only when this
// script runs, so without JavaScript every link stays in view).
(() => {
  document.documentElement.classList.add("js");
  document.addEventListener("click", (e) => {
    const button = e.target.closest(".menu-button");
    if (!button) return;
    const open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    button.textContent = open ? "Close menu" : "Menu";
  });
  document.addEventListener("keydown", (e) => {
    const button = document.querySelector(".menu-button[aria-expanded='true']");
    if (e.key === "Escape" && button) {
      button.click();
      button.focus();
    }
  });
})();

// A table or map wider than its box scrolls sideways: it can then be reached and scrolled with
// the keyboard, and the hint just before it (.scroll-hint) says so. Checked again on resize.
(() => {
  const mark = () => {
    for (const box of document.querySelectorAll(".table-wrap, .map-wrap")) {
      const scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", (box.dataset.scrollLabel || "Table") + ", scrolls sideways");
      } else if (box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
      const hint = box.previousElementSibling;
      if (hint && hint.classList.contains("scroll-hint")) hint.hidden = !scrolls;
    }
  };
  document.addEventListener("DOMContentLoaded", mark);
  document.addEventListener("htmx:afterSettle", mark);
  window.addEventListener("resize", mark);
})();
