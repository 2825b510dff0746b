// File controls in the page's language (templates/performance/_file_input.html): show the chosen file's name.
document.addEventListener("change", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || !input.classList.contains("jx-file-input")) {
    return;
  }
  const shown = document.querySelector(`[data-file-name-for="${CSS.escape(input.id)}"]`);
  if (shown) {
    const names = Array.from(input.files, (file) => file.name);
    shown.textContent = names.length ? names.join("、") : shown.dataset.empty;
  }
});
