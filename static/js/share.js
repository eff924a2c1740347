// «Copy link» on article pages: with a clipboard, a click copies the address instead of
// following the link. Without JavaScript it stays a plain link to the release.
for (const link of document.querySelectorAll("a.copy-link")) {
  link.addEventListener("click", async (event) => {
    if (!navigator.clipboard) return;
    event.preventDefault();
    await navigator.clipboard.writeText(link.href);
    link.textContent = link.dataset.copied;
  });
}
