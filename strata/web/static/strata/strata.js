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
})();
