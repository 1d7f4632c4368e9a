// Émargement sur tablette : un toucher enregistre la présence (ou le pouvoir) sans
// recharger la page ni perdre sa place dans la liste. Sans JavaScript, les mêmes
// formulaires fonctionnent en rechargeant la page.
"use strict";
document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.closest("ul.emargement")) return;
  event.preventDefault();
  const body = new FormData(form);
  const button = event.submitter;
  if (button && button.name) body.set(button.name, button.value);
  const y = window.scrollY;
  try {
    const response = await fetch(form.action, { method: "POST", body, credentials: "same-origin" });
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    const main = doc.querySelector("main");
    if (!main) throw new Error("page sans contenu");
    document.querySelector("main").replaceWith(main);
    window.scrollTo(0, y);
    // Keep the keyboard where it was: on the same control of the same member.
    const row = form.closest("li");
    const again = row && document.getElementById(row.id);
    const target = again && button && again.querySelector(`button[value="${button.value}"]`);
    if (target) target.focus();
  } catch (error) {
    form.submit();
  }
});
