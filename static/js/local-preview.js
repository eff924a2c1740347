// Only for a site opened straight from disk (file://): folder links get their
// index.html so navigation works without a web server. Served sites are untouched.
if (location.protocol === "file:") {
  for (const link of document.querySelectorAll("a[href$='/']")) {
    link.href = link.href + "index.html";
  }
  for (const form of document.querySelectorAll("form[action$='/']")) {
    form.action = form.action + "index.html";
  }
  // Browsers load no search index from disk.
  const status = document.getElementById("search-status");
  if (status) {
    status.textContent = "جست‌وجو فقط وقتی کار می‌کند که سایت از یک نشانی وب باز شود، نه از روی دیسک.";
  }
}
