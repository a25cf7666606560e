// The listening page. A label correction the server refuses (422) comes back as the item with
// the reason beside its buttons: show it in place, as htmx would a success.
document.addEventListener("htmx:beforeSwap", (e) => {
  if (e.detail.xhr.status === 422 && e.detail.target.closest("[data-heard-item]")) {
    e.detail.shouldSwap = true;
    e.detail.isError = false;
  }
});
