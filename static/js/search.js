// The search page: folds the query the way the build folded the index (fold() in
// newsroom/text.py; a browser test compares the two), asks Pagefind, and lists each
// release with its title, Jalali date, county and an excerpt with the matches marked.

const DISPLAY = new Map([
  ["ي", "ی"], ["ى", "ی"], ["ك", "ک"], ["ـ", ""], ["\u00ad", "\u200c"],
  ["\u200b", ""], ["\u200e", ""], ["\u200f", ""], ["\u061c", ""], ["\ufeff", ""],
]);
for (const [from, to] of [[0x00, 0x08], [0x0b, 0x0c], [0x0e, 0x1f], [0x7f, 0x7f], [0x202a, 0x202e], [0x2066, 0x2069]]) {
  for (let code = from; code <= to; code++) DISPLAY.set(String.fromCharCode(code), "");
}
const LETTERS = new Map([
  ["أ", "ا"], ["إ", "ا"], ["ٱ", "ا"], ["آ", "ا"], ["ؤ", "و"], ["ئ", "ی"], ["ة", "ه"], ["ۀ", "ه"],
  ["ك", "ک"], ["ي", "ی"], ["ى", "ی"],
]);
for (let digit = 0; digit < 10; digit++) {
  DISPLAY.set(String.fromCharCode(0x0660 + digit), String.fromCharCode(0x06f0 + digit));
  LETTERS.set(String.fromCharCode(0x06f0 + digit), String(digit));
  LETTERS.set(String.fromCharCode(0x0660 + digit), String(digit));
}
const DISPLAY_CHARS = new RegExp("[" + [...DISPLAY.keys()].join("") + "]", "gu");
const LETTER_CHARS = new RegExp("[" + [...LETTERS.keys()].join("") + "]", "gu");
const DIACRITICS = /[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]/gu;
const COMPATIBILITY = /[\ufb50-\ufdff\ufe70-\ufeff\uff00-\uffef]/u;

/** Text folded for matching, exactly as fold() in newsroom/text.py folds it. */
export function fold(text) {
  text = text.replace(DISPLAY_CHARS, (ch) => DISPLAY.get(ch));
  if (COMPATIBILITY.test(text)) text = text.normalize("NFKC");
  return text.replace(DIACRITICS, "").replace(LETTER_CHARS, (ch) => LETTERS.get(ch)).toLowerCase();
}

/** The query as Pagefind should see it: folded (which takes out the tatweel that ends every
 * indexed word), half-spaces as spaces (the index has the parts). */
export function searchTerm(query) {
  return fold(query).replace(/\u200c/g, " ").replace(/\s+/g, " ").trim();
}

/** The words of ``term`` worth a search: a word of one letter would begin words on most
 * pages of the archive, so it waits for its second letter. */
export function searchedWords(term) {
  return term.split(" ").filter((word) => [...word].length > 1).join(" ");
}

// Parts that writers join to a word, or set apart from it with a half-space or a space:
// «میشود», «می‌شود», «می شود». The index also holds each release's words with them
// joined (``joined_words`` in newsroom/search.py), so a query that sets them apart is
// searched with them joined too, for releases that wrote them joined.
const PREFIXES = ["نمی", "می"];
const SUFFIXES = ["هایی", "های", "ها", "ترین", "تر"];

/** The folded query ``term``, and with the affixes above joined to their words if it has any. */
export function searchTerms(term) {
  const words = term.split(" ").filter(Boolean);
  const joined = [];
  for (const word of words) {
    const last = joined.length - 1;
    if (last >= 0 && PREFIXES.includes(joined[last]) && !PREFIXES.includes(word)) joined[last] += word;
    else if (last >= 0 && SUFFIXES.includes(word) && !PREFIXES.includes(joined[last])) joined[last] += word;
    else joined.push(word);
  }
  return [...new Set([words.join(" "), joined.join(" ")])].filter(Boolean);
}

/** The readable words of a result: its folded words without the ends of their parts
 * and with hyphens back as half-spaces (``shown_word`` in newsroom/search.py), and the
 * words listed in ``meta.unfolded`` (``unfolded_words``); not the joined words after them. */
function readableWords(data) {
  const count = Number(data.meta.words) || undefined;
  const words = data.content.split(" ", count).map((word) => word.replaceAll("\u0640", "").replaceAll("-", "\u200c"));
  for (const [at, word] of JSON.parse(data.meta.unfolded || "[]")) words[at] = word;
  return words;
}

/** The positions of the readable words a result matched: a match on a joined word marks
 * the words it joins (``meta.joined``). */
function matchedPositions(data, count) {
  const joined = JSON.parse(data.meta.joined || "[]");
  return data.locations.flatMap((at) => {
    if (at < count) return [at];
    const [from, words] = joined[at - count] || [0, 0];
    return Array.from({ length: words }, (_, step) => from + step);
  }).sort((a, b) => a - b);
}

const PAGE_SIZE = 10;
const EXCERPT_WORDS = 30;
const persianDigits = (value) => String(value).replace(/[0-9]/g, (d) => "۰۱۲۳۴۵۶۷۸۹"[d]);

/** Words ``from``–``to`` of ``words`` joined by spaces, those at ``marked`` positions in <mark>. */
function markedWords(words, from, to, marked) {
  const fragment = document.createDocumentFragment();
  for (let at = from; at < to; at++) {
    if (at > from) fragment.append(" ");
    if (marked.has(at)) {
      const mark = document.createElement("mark");
      mark.textContent = words[at];
      fragment.append(mark);
    } else {
      fragment.append(words[at]);
    }
  }
  return fragment;
}

/** A result: the title and the text around the first match in it, matched words marked
 * (Pagefind gives their positions among the words indexed, which start with the title). */
function resultItem(data, siteRoot) {
  const words = readableWords(data);
  const titleWords = data.meta.title.split(" ").length;
  const positions = matchedPositions(data, words.length);
  const marked = new Set(positions);
  const first = positions.find((at) => at >= titleWords);
  let start = first === undefined ? titleWords : first - Math.floor(EXCERPT_WORDS / 3);
  start = Math.max(titleWords, Math.min(start, words.length - EXCERPT_WORDS));
  const end = Math.min(words.length, start + EXCERPT_WORDS);

  const item = document.createElement("li");
  const heading = document.createElement("h2");
  const link = document.createElement("a");
  link.href = new URL(data.raw_url, siteRoot).href;
  link.append(markedWords(words, 0, titleWords, marked));
  heading.append(link);
  const meta = document.createElement("p");
  meta.className = "meta";
  meta.textContent = data.meta.county ? `${data.meta.date} · ${data.meta.county}` : data.meta.date;
  const excerpt = document.createElement("p");
  excerpt.className = "excerpt";
  excerpt.append(start > titleWords ? "… " : "", markedWords(words, start, end, marked), end < words.length ? " …" : "");
  item.append(heading, meta, excerpt);
  return item;
}

/** The releases that match every word of ``term`` (or only ``filters``), best first.
 *
 * Pagefind leaves out a query word its index has never seen, and answers a query of
 * unknown words alone with every page, matching no word. Each shard is an index of its
 * own, so a shard without a word would answer for the other words alone, or with all
 * its releases. So a result must match a word at least, and one search per word,
 * unfiltered, tells which words the site knows: a release must match each of those,
 * as it must in one index of the whole site. */
async function matches(pagefind, term, filters) {
  if (!term) return (await pagefind.search(null, { filters })).results;
  const words = term.split(" ");
  const [search, ...each] = await Promise.all([
    pagefind.search(term, { filters }),
    ...(words.length > 1 ? words.map((word) => wordMatches(pagefind, word)) : []),
  ]);
  const known = each.filter((ids) => ids.size);
  return matched(search).filter((result) => known.every((ids) => ids.has(result.id)));
}

const matched = (search) => search.results.filter((result) => result.words.length);
const byWord = new Map(); // word → the releases it matches, for every later keystroke

/** The releases ``word`` matches anywhere (their ids), asked once per page load. */
function wordMatches(pagefind, word) {
  if (!byWord.has(word)) {
    byWord.set(word, pagefind.search(word).then((search) => new Set(matched(search).map((result) => result.id))));
  }
  return byWord.get(word);
}

/** The results for the query ``term`` in each of its spellings (``searchTerms``) as one
 * list, best first, each release once (with its best score). */
async function find(pagefind, term, filters) {
  const lists = await Promise.all((term ? searchTerms(term) : [null]).map((t) => matches(pagefind, t, filters)));
  if (lists.length === 1) return lists[0];
  const best = new Map();
  for (const result of lists.flat()) {
    if (!best.has(result.id) || best.get(result.id).score < result.score) best.set(result.id, result);
  }
  return [...best.values()].sort((a, b) => b.score - a.score);
}

function start(form) {
  const query = form.querySelector("#search-query");
  const selects = [...form.querySelectorAll("select")];
  const status = document.getElementById("search-status");
  const list = document.getElementById("search-results");
  const more = document.getElementById("search-more");
  const siteRoot = new URL(form.dataset.siteRoot, location.href);
  // The index is in shards (shards.json, oldest first); the oldest carries Pagefind's
  // runtime, and the others are merged into it: one search, one ranked list.
  const indexRoot = new URL(form.dataset.index, location.href);
  const ready = fetch(new URL("shards.json", indexRoot), { cache: "no-cache" })
    .then((response) => {
      if (!response.ok) throw new Error(`shards.json: ${response.status}`);
      return response.json();
    })
    .then(async ({ shards }) => {
      const pagefind = await import(new URL(`${shards[0]}/pagefind.js`, indexRoot).href);
      await pagefind.options({ excerptLength: EXCERPT_WORDS });
      await pagefind.init(); // the WebAssembly and the tables of contents, before the first key
      await Promise.all(shards.slice(1).map((shard) => pagefind.mergeIndex(new URL(`${shard}/`, indexRoot).pathname)));
      return pagefind;
    });
  let latest = 0;
  let found = [];
  let shown = 0;

  async function showMore(run) {
    const page = await Promise.all(found.slice(shown, shown + PAGE_SIZE).map((result) => result.data()));
    if (run !== latest) return;
    list.append(...page.map((data) => resultItem(data, siteRoot)));
    shown += page.length;
    more.hidden = shown >= found.length;
  }

  function finish(message) {
    status.textContent = message;
    list.setAttribute("aria-busy", "false");
  }

  async function run() {
    const run = ++latest;
    list.setAttribute("aria-busy", "true");
    const typed = searchTerm(query.value);
    const term = searchedWords(typed);
    const filters = Object.fromEntries(selects.filter((s) => s.value).map((s) => [s.name, s.value]));
    const address = new URL(location.href);
    address.search = new URLSearchParams([["q", query.value.trim()], ...Object.entries(filters)].filter(([, v]) => v));
    history.replaceState(null, "", address);
    if (!term && !Object.keys(filters).length) {
      list.replaceChildren();
      more.hidden = true;
      return finish(typed ? "دست‌کم دو حرف از واژه را بنویسید." : "");
    }
    let results;
    try {
      results = await find(await ready, term, filters);
    } catch {
      return finish("جست‌وجو اکنون در دسترس نیست؛ خبرها را در آرشیو پیدا کنید.");
    }
    if (run !== latest) return; // a newer query is on its way
    found = results;
    shown = 0;
    list.replaceChildren();
    await showMore(run);
    if (run !== latest) return;
    finish(found.length
      ? `${persianDigits(found.length)} خبر پیدا شد`
      : "خبری پیدا نشد؛ واژهٔ دیگری را بیازمایید یا محدودیت‌ها را بردارید.");
  }

  // What the address asks for, unless the reader typed or chose before this ran.
  const params = new URLSearchParams(location.search);
  if (!query.value) query.value = params.get("q") || "";
  for (const select of selects) select.value ||= params.get(select.name) || "";
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
  query.addEventListener("input", run);
  for (const select of selects) select.addEventListener("change", run);
  more.addEventListener("click", () => showMore(latest));
  run();
}

const form = document.getElementById("search-form");
if (form && !form.dataset.started) {
  form.dataset.started = "yes";
  start(form);
}
