// A "select this page" checkbox (data-select-all="<form id>") ticks every row checkbox of
// that form. Delegated from the document, so rows htmx swaps in later are covered too.
document.addEventListener("change", (event) => {
  const all = event.target.closest("[data-select-all]");
  if (!all) {
    return;
  }
  const selector = `input[type="checkbox"][name="customer_ids"][form="${all.dataset.selectAll}"]`;
  for (const box of document.querySelectorAll(selector)) {
    box.checked = all.checked;
  }
});
