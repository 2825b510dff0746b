// Switch the interface language as soon as another one is chosen (the form also has a button without JavaScript).
document.addEventListener("DOMContentLoaded", () => {
  const select = document.getElementById("jx-language");
  if (select) {
    select.addEventListener("change", () => select.form.submit());
  }
});
