// The posts list. "Select all on this page" ticks or clears every row's box; it is shown only
// when this script runs (without it, each row is ticked by hand). It follows the rows' boxes,
// and comes back with the results after every htmx swap.
(() => {
  const sync = (form) => {
    const all = form.querySelector("[data-select-all]");
    if (!all) return;
    const boxes = [...form.querySelectorAll("input[name='post']")];
    const ticked = boxes.filter((b) => b.checked).length;
    all.checked = ticked > 0 && ticked === boxes.length;
    all.indeterminate = ticked > 0 && ticked < boxes.length;
  };
  const reveal = () => {
    for (const form of document.querySelectorAll("form[data-bulk]")) {
      const label = form.querySelector(".select-all");
      if (label) label.hidden = false;
      sync(form);
    }
  };
  document.addEventListener("change", (e) => {
    const form = e.target.closest("form[data-bulk]");
    if (!form) return;
    if (e.target.matches("[data-select-all]")) {
      for (const box of form.querySelectorAll("input[name='post']")) box.checked = e.target.checked;
    }
    sync(form);
  });
  document.addEventListener("DOMContentLoaded", reveal);
  document.addEventListener("htmx:afterSettle", reveal);
})();
