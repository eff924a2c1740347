// Only for a site opened straight from disk (file://): folder links get their
// index.html so navigation works without a web server. Served sites are untouched.
if (location.protocol === "file:") {
  for (const link of document.querySelectorAll("a[href$='/']")) {
    link.href = link.href + "index.html";
  }
}
