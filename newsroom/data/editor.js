// The web editor's own parts, registered with Decap CMS (loaded just before this file):
// the Jalali date widget, the release preview in the site's own style, and the checks the
// build makes that a form field cannot (a photo needs its alt text). Published as
// /admin/editor.js by build.py; config.yml names the widget "jalali-date".
(function () {
  "use strict";
  const { CMS, h, createClass } = window;
  const script = document.currentScript;
  const TIMEZONE = script.dataset.timezone || "Asia/Tehran";

  const MONTHS = ["فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند"];
  const WEEKDAYS = ["شنبه", "یک‌شنبه", "دوشنبه", "سه‌شنبه", "چهارشنبه", "پنج‌شنبه", "جمعه"];
  // The 33-year rule, as the build's calendar (jdatetime) has it: the same days are valid here and there.
  const LEAP_REMAINDERS = [1, 5, 9, 13, 17, 22, 26, 30];

  const isLeap = (year) => LEAP_REMAINDERS.includes(year % 33);
  const monthLength = (year, month) => (month <= 6 ? 31 : month <= 11 ? 30 : isLeap(year) ? 30 : 29);

  // Days since 1 Farvardin of year 1.
  function dayNumber(year, month, day) {
    const cycles = Math.floor((year - 1) / 33);
    const leaps = cycles * 8 + LEAP_REMAINDERS.filter((r) => r <= (year - 1) % 33).length;
    const before = month <= 7 ? (month - 1) * 31 : 186 + (month - 7) * 30;
    return (year - 1) * 365 + leaps + before + day - 1;
  }

  function fromDayNumber(number) {
    let year = Math.floor(number / 365.2422) + 1;
    while (dayNumber(year + 1, 1, 1) <= number) year += 1;
    while (dayNumber(year, 1, 1) > number) year -= 1;
    let rest = number - dayNumber(year, 1, 1);
    let month = 1;
    while (rest >= monthLength(year, month)) {
      rest -= monthLength(year, month);
      month += 1;
    }
    return [year, month, rest + 1];
  }

  // 1 Farvardin 1403 was Wednesday 20 March 2024; weekdays count from Saturday.
  const ANCHOR = dayNumber(1403, 1, 1);
  const ANCHOR_UTC = Date.UTC(2024, 2, 20);
  const weekday = (year, month, day) => (((dayNumber(year, month, day) - ANCHOR + 4) % 7) + 7) % 7;

  const pad = (n) => String(n).padStart(2, "0");
  /** [year, month, day(, hour, minute)] → «1403-02-15 10:30», the spelling the build reads. */
  const stored = ([year, month, day, hour, minute]) =>
    `${year}-${pad(month)}-${pad(day)}` + (hour === undefined ? "" : ` ${pad(hour)}:${pad(minute)}`);
  const toPersian = (text) => String(text).replace(/[0-9]/g, (d) => "۰۱۲۳۴۵۶۷۸۹"[d]);
  const toLatin = (text) =>
    String(text)
      .replace(/[۰-۹]/g, (d) => String(d.charCodeAt(0) - 0x6f0))
      .replace(/[٠-٩]/g, (d) => String(d.charCodeAt(0) - 0x660));

  /** Now, in the site's time zone: [year, month, day, hour, minute] of the Jalali calendar. */
  function now() {
    const parts = {};
    const format = new Intl.DateTimeFormat("en-CA", {
      timeZone: TIMEZONE,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
    });
    for (const part of format.formatToParts(new Date())) parts[part.type] = Number(part.value);
    const days = Math.round((Date.UTC(parts.year, parts.month - 1, parts.day) - ANCHOR_UTC) / 86400000);
    return [...fromDayNumber(ANCHOR + days), parts.hour, parts.minute];
  }

  /** What staff typed → {value: "1403-02-15 10:30"} in the spelling the build reads, or {error}. */
  function parse(text) {
    const typed = toLatin(text || "").trim().replace(/\s+/g, " ");
    const match = /^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})(?:\s+(\d{1,2}):(\d{2}))?$/.exec(typed);
    if (!match) return { error: "تاریخ را مثل ۱۴۰۳/۰۲/۱۵ ۱۰:۳۰ بنویسید (سال/ماه/روز ساعت:دقیقه)" };
    const [year, month, day] = [1, 2, 3].map((i) => Number(match[i]));
    if (year < 1200 || year >= 1700) return { error: "سال شمسی را چهاررقمی بنویسید، مثل ۱۴۰۳" };
    if (month < 1 || month > 12) return { error: `ماه ${toPersian(month)} وجود ندارد؛ ماه بین ۱ تا ۱۲ است` };
    if (day < 1 || day > monthLength(year, month)) {
      const leap = month === 12 && day === 30 ? `؛ سال ${toPersian(year)} کبیسه نیست` : "";
      return {
        error: `${MONTHS[month - 1]} ${toPersian(year)} فقط ${toPersian(monthLength(year, month))} روز دارد${leap}`,
      };
    }
    if (match[4] === undefined) return { value: stored([year, month, day]), parts: [year, month, day] };
    const [hour, minute] = [Number(match[4]), Number(match[5])];
    if (hour > 23 || minute > 59) return { error: "ساعت بین ۰ تا ۲۳ و دقیقه بین ۰ تا ۵۹ است" };
    const parts = [year, month, day, hour, minute];
    return { value: stored(parts), parts };
  }

  /** «چهارشنبه ۱۵ اردیبهشت ۱۴۰۳، ساعت ۱۰:۳۰», as the site's pages write a release's date. */
  function longDate(parts) {
    const [year, month, day, hour, minute] = parts;
    const date = `${WEEKDAYS[weekday(year, month, day)]} ${toPersian(`${day} ${MONTHS[month - 1]} ${year}`)}`;
    return hour || minute ? `${date}، ساعت ${toPersian(`${pad(hour)}:${pad(minute)}`)}` : date;
  }

  const shown = (value) => (value ? toPersian(String(value).replace(/-/g, "/")) : "");

  const JalaliDateControl = createClass({
    getInitialState() {
      return { text: shown(this.props.value), open: false, view: null };
    },

    componentDidUpdate(previous) {
      // An entry loaded or reset from outside the field (not what is being typed in it).
      const { value } = this.props;
      if (previous.value !== value && parse(this.state.text).value !== value && value !== this.state.text) {
        this.setState({ text: shown(value) });
      }
    },

    isValid() {
      if (!this.props.value) return true; // an empty date is Decap's "required" error
      const parsed = parse(this.props.value);
      return parsed.error ? { error: { message: parsed.error } } : true;
    },

    type(event) {
      const text = event.target.value;
      const parsed = parse(text);
      this.setState({ text });
      this.props.onChange(parsed.value || text);
    },

    // A day from the calendar keeps the time typed, else takes the time now.
    pick(year, month, day) {
      const current = parse(this.props.value).parts || [];
      this.choose([year, month, day, ...(current.length > 3 ? current.slice(3) : now().slice(3))]);
    },

    setNow() {
      this.choose(now());
    },

    choose(parts) {
      const value = stored(parts);
      this.setState({ text: shown(value), open: false });
      this.props.onChange(value);
    },

    turn(step) {
      const [year, month] = this.view();
      const index = year * 12 + month - 1 + step;
      this.setState({ view: [Math.floor(index / 12), (index % 12) + 1] });
    },

    view() {
      return this.state.view || (parse(this.props.value).parts || now()).slice(0, 2);
    },

    calendar() {
      const [year, month] = this.view();
      const chosen = parse(this.props.value).parts || [];
      const id = `${this.props.forID}-calendar`;
      const cells = [];
      for (let blank = weekday(year, month, 1); blank > 0; blank -= 1) cells.push(null);
      for (let day = 1; day <= monthLength(year, month); day += 1) cells.push(day);
      const weeks = [];
      for (let start = 0; start < cells.length; start += 7) weeks.push(cells.slice(start, start + 7));
      const title = `${MONTHS[month - 1]} ${toPersian(year)}`;
      return h(
        "div",
        { className: "jalali-calendar", id, role: "group", "aria-label": `تقویم ${title}` },
        h(
          "div",
          { className: "jalali-calendar-head" },
          h("button", { type: "button", onClick: () => this.turn(-1), "aria-label": "ماه پیش" }, "‹ پیش"),
          h("strong", { "aria-live": "polite" }, title),
          h("button", { type: "button", onClick: () => this.turn(1), "aria-label": "ماه بعد" }, "بعد ›"),
        ),
        h(
          "table",
          null,
          h("thead", null, h("tr", null, WEEKDAYS.map((name) => h("th", { key: name, scope: "col", abbr: name }, name[0])))),
          h(
            "tbody",
            null,
            weeks.map((week, row) =>
              h(
                "tr",
                { key: row },
                week.map((day, column) =>
                  h(
                    "td",
                    { key: column },
                    day &&
                      h(
                        "button",
                        {
                          type: "button",
                          onClick: () => this.pick(year, month, day),
                          "aria-label": `${WEEKDAYS[column]} ${toPersian(day)} ${title}`,
                          "aria-pressed": chosen[0] === year && chosen[1] === month && chosen[2] === day,
                        },
                        toPersian(day),
                      ),
                  ),
                ),
              ),
            ),
          ),
        ),
      );
    },

    render() {
      const { forID, classNameWrapper, setActiveStyle, setInactiveStyle } = this.props;
      const parsed = parse(this.props.value);
      return h(
        "div",
        { className: `${classNameWrapper} jalali-date` },
        h(
          "div",
          { className: "jalali-date-row" },
          h("input", {
            id: forID,
            type: "text",
            inputMode: "numeric",
            dir: "ltr",
            autoComplete: "off",
            placeholder: "۱۴۰۳/۰۲/۱۵ ۱۰:۳۰",
            value: this.state.text,
            onChange: this.type,
            onFocus: setActiveStyle,
            onBlur: setInactiveStyle,
          }),
          h(
            "button",
            {
              type: "button",
              "aria-expanded": this.state.open,
              "aria-controls": `${forID}-calendar`,
              onClick: () => this.setState({ open: !this.state.open }),
            },
            "تقویم",
          ),
          h("button", { type: "button", onClick: this.setNow }, "اکنون"),
        ),
        parsed.parts && h("p", { className: "jalali-date-reading" }, longDate(parsed.parts)),
        this.state.open && this.calendar(),
      );
    },
  });

  const JalaliDatePreview = createClass({
    render() {
      const parsed = parse(this.props.value);
      return h("p", null, parsed.parts ? longDate(parsed.parts) : this.props.value || "");
    },
  });

  // Tags as the build reads them: one line, terms apart by «،» (or ","). A release written
  // by hand may hold a YAML list; it is shown joined and kept a list until it is edited.
  const termsText = (value) => (value && value.join ? value.join("، ") : value || "");

  const TermsControl = createClass({
    render() {
      const { forID, value, onChange, classNameWrapper, setActiveStyle, setInactiveStyle } = this.props;
      return h("input", {
        id: forID,
        type: "text",
        className: classNameWrapper,
        value: termsText(value),
        onChange: (event) => onChange(event.target.value),
        onFocus: setActiveStyle,
        onBlur: setInactiveStyle,
      });
    },
  });

  const TermsPreview = createClass({
    render() {
      return h("p", null, termsText(this.props.value));
    },
  });

  // A release as its page shows it: the site's stylesheet and font, right to left.
  const ReleasePreview = createClass({
    render() {
      const data = (key) => this.props.entry.getIn(["data", key]);
      const date = parse(data("date"));
      const image = data("image");
      const meta = [date.parts ? longDate(date.parts) : "", data("county") ? `شهرستان ${data("county")}` : ""];
      return h(
        "main",
        { dir: "rtl", lang: "fa" },
        h(
          "article",
          { className: "release" },
          h(
            "header",
            null,
            h("h1", null, data("title")),
            h("p", { className: "meta" }, meta.filter(Boolean).join(" · ")),
            data("source") && h("p", { className: "source" }, `منبع: ${data("source")}`),
          ),
          image &&
            h(
              "figure",
              { className: "photo" },
              h("img", { src: this.props.getAsset(image).toString(), alt: data("image_alt") || "" }),
              data("image_caption") && h("figcaption", null, data("image_caption")),
            ),
          h("div", { className: "body" }, this.props.widgetFor("body")),
        ),
      );
    },
  });

  // What the build would refuse or warn about, stopped before the commit; and keys left
  // empty are not written, so a file made here reads like one written by hand.
  function beforeSave({ entry }) {
    let data = entry.get("data");
    // Releases written before the form may have no slug (the build takes the file's name);
    // a new one is named by it.
    if (entry.get("newRecord") && !String(data.get("slug") || "").trim()) {
      throw new Error("نشانی (لاتین) خبر را بنویسید، مثل shahroud-workshop.");
    }
    if (data.get("image") && !String(data.get("image_alt") || "").trim()) {
      throw new Error("متن جایگزین عکس را بنویسید: آنچه در عکس دیده می‌شود، برای کسی که آن را نمی‌بیند.");
    }
    for (const [key, value] of data.entrySeq().toArray()) {
      const empty = value === "" || value === null || value === false || (value && value.size === 0);
      if (empty && key !== "body") data = data.delete(key);
    }
    return data;
  }

  CMS.registerWidget("jalali-date", JalaliDateControl, JalaliDatePreview);
  CMS.registerWidget("terms", TermsControl, TermsPreview);
  CMS.registerPreviewTemplate("releases", ReleasePreview);
  if (script.dataset.previewStyle) CMS.registerPreviewStyle(script.dataset.previewStyle);
  CMS.registerEventListener({ name: "preSave", handler: beforeSave });
})();
