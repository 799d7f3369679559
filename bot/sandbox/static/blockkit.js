/*
 * Block Kit and mrkdwn, drawn the way Slack draws them, for the sandbox page.
 *
 * Every piece of text in a message or a view is someone's input, so nothing here ever parses
 * HTML: elements are created one by one and text goes in through textContent.
 */
(function () {
  "use strict";

  const EMOJI = Object.freeze({
    "+1": "👍",
    thumbsup: "👍",
    "-1": "👎",
    thumbsdown: "👎",
    clap: "👏",
    chart_with_upwards_trend: "📈",
    zzz: "💤",
    tada: "🎉",
    heart: "❤️",
    rage: "😡",
    slightly_frowning_face: "🙁",
    neutral_face: "😐",
    slightly_smiling_face: "🙂",
    smile: "😄",
    "star-struck": "🤩",
    white_check_mark: "✅",
    heavy_check_mark: "✔️",
    x: "❌",
    star: "⭐",
    rotating_light: "🚨",
    no_entry_sign: "🚫",
    inbox_tray: "📥",
    hourglass_flowing_sand: "⏳",
    warning: "⚠️",
    trophy: "🏆",
    telephone_receiver: "📞",
    speech_balloon: "💬",
    sparkles: "✨",
    pray: "🙏",
    no_bell: "🔕",
    bell: "🔔",
    memo: "📝",
    leftwards_arrow_with_hook: "↩️",
    large_green_circle: "🟢",
    large_yellow_circle: "🟡",
    red_circle: "🔴",
    eyes: "👀",
    ticket: "🎫",
    raised_hands: "🙌",
    rocket: "🚀",
    wave: "👋",
    fire: "🔥",
    100: "💯",
    thinking_face: "🤔",
    bar_chart: "📊",
    zzz: "💤",
    calendar: "📅",
    grinning: "😀",
    lock: "🔒",
    alarm_clock: "⏰",
    large_orange_circle: "🟠",
    moneybag: "💰",
    computer: "💻",
    paperclip: "📎",
  });

  const LINK_SCHEMES = new Set(["http:", "https:", "mailto:"]);
  const WEB_SCHEMES = new Set(["http:", "https:"]);
  const MARKERS = { "*": "strong", _: "em", "~": "s" };
  const URL_LIKE = /^[a-z][a-z0-9+.-]*:/i;
  const SPECIAL_MENTIONS = new Set(["here", "channel", "everyone"]);
  // A skin tone after an emoji (`:+1::skin-tone-3:`) is part of it; the table has base emoji.
  const EMOJI_AT = /:([a-z0-9_+'-]+):(?::skin-tone-[2-6]:)?/y;
  const WORD_CHAR = /[\p{L}\p{N}]/u;
  const SPACE = /\s/;

  let controlCount = 0;
  const optionsOf = new WeakMap();

  function make(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function nextId(prefix) {
    controlCount += 1;
    return `${prefix}-${controlCount}`;
  }

  function safeUrl(url, schemes) {
    if (typeof url !== "string") return null;
    try {
      const parsed = new URL(url);
      return schemes.has(parsed.protocol) ? parsed.href : null;
    } catch (_error) {
      return null;
    }
  }

  // Slack escapes exactly these three; anything else that looks like an entity is literal.
  /* Slack shows <!date^…> in each reader's own time zone: ctx.timeZone (IANA), relative to
     ctx.now (the clock the reader lives by, in milliseconds) for today and yesterday. */
  const DATE_TOKEN = /\{(date_num|date_short_pretty|date_long_pretty|date_pretty|date_short|date_long|date|time_secs|time)\}/g;

  function formatSlackDate(seconds, format, ctx) {
    const zone = ctx && ctx.timeZone;
    if (!zone || !Number.isFinite(seconds) || !format) return "";
    let parts;
    let dayOf;
    try {
      const reader = (options) => {
        const formatter = new Intl.DateTimeFormat("en-GB", { timeZone: zone, ...options });
        return (date) =>
          Object.fromEntries(formatter.formatToParts(date).map((part) => [part.type, part.value]));
      };
      const words = reader({ year: "numeric", month: "long", day: "numeric", weekday: "long" });
      const numbers = reader({
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
        hourCycle: "h23",
      });
      const moment = new Date(seconds * 1000);
      parts = { ...words(moment), numeric: numbers(moment) };
      dayOf = (date) => {
        const day = numbers(date);
        return `${day.year}-${day.month}-${day.day}`;
      };
    } catch (error) {
      return "";
    }
    const now = new Date(Number.isFinite(ctx.now) ? ctx.now : Date.now());
    const numeric = parts.numeric;
    const thisDay = `${numeric.year}-${numeric.month}-${numeric.day}`;
    const relative = (fallback) => {
      if (thisDay === dayOf(now)) return "today";
      if (thisDay === dayOf(new Date(now.getTime() - 86400000))) return "yesterday";
      if (thisDay === dayOf(new Date(now.getTime() + 86400000))) return "tomorrow";
      return fallback;
    };
    const short = `${parts.day} ${parts.month.slice(0, 3)} ${parts.year}`;
    const long = `${parts.weekday} ${parts.day} ${parts.month} ${parts.year}`;
    const values = {
      date_num: thisDay,
      date: `${parts.day} ${parts.month} ${parts.year}`,
      date_short: short,
      date_long: long,
      date_pretty: relative(`${parts.day} ${parts.month} ${parts.year}`),
      date_short_pretty: relative(short),
      date_long_pretty: relative(long),
      time: `${numeric.hour}:${numeric.minute}`,
      time_secs: `${numeric.hour}:${numeric.minute}:${numeric.second}`,
    };
    return format.replace(DATE_TOKEN, (_, token) => values[token]);
  }

  function decodeEntities(text) {
    return text.replace(/&(amp|lt|gt);/g, (_match, name) => ({ amp: "&", lt: "<", gt: ">" })[name]);
  }

  function emojiAt(text, index) {
    EMOJI_AT.lastIndex = index;
    const match = EMOJI_AT.exec(text);
    if (!match || !Object.prototype.hasOwnProperty.call(EMOJI, match[1])) return null;
    return { char: EMOJI[match[1]], length: match[0].length };
  }

  function emojify(text) {
    let out = "";
    for (let i = 0; i < text.length; ) {
      const found = text[i] === ":" ? emojiAt(text, i) : null;
      if (found) {
        out += found.char;
        i += found.length;
      } else {
        out += text[i];
        i += 1;
      }
    }
    return out;
  }

  function normalizeCtx(ctx) {
    const given = ctx || {};
    return {
      people: given.people || {},
      channels: given.channels || {},
      onAction: typeof given.onAction === "function" ? given.onAction : () => undefined,
      surface: given.surface || "message",
      timeZone: typeof given.timeZone === "string" ? given.timeZone : null,
      now: Number.isFinite(given.now) ? given.now : null,
    };
  }

  function own(map, key) {
    return Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined;
  }

  /* -- text objects ------------------------------------------------------------------------ */

  function plainString(textObject) {
    if (typeof textObject === "string") return emojify(decodeEntities(textObject));
    if (!textObject || typeof textObject.text !== "string") return "";
    const decoded = decodeEntities(textObject.text);
    return textObject.emoji === false ? decoded : emojify(decoded);
  }

  function renderText(textObject, ctx) {
    if (textObject && textObject.type === "mrkdwn") {
      return renderMrkdwn(textObject.text, ctx);
    }
    return make("span", "bk-plain", plainString(textObject));
  }

  /* -- mrkdwn ------------------------------------------------------------------------------ */

  function mention(text, kind) {
    return make("span", `bk-mention bk-mention-${kind}`, text);
  }

  function renderEntity(inner, ctx) {
    const bar = inner.indexOf("|");
    const target = bar === -1 ? inner : inner.slice(0, bar);
    const label = bar === -1 ? "" : decodeEntities(inner.slice(bar + 1));

    if (target.startsWith("@")) {
      const id = target.slice(1);
      const chip = mention(`@${own(ctx.people, id) || label || id}`, "user");
      chip.dataset.userId = id;
      return chip;
    }
    if (target.startsWith("#")) {
      const id = target.slice(1);
      const chip = mention(`#${own(ctx.channels, id) || label || id}`, "channel");
      chip.dataset.channelId = id;
      return chip;
    }
    if (target.startsWith("!")) {
      const command = target.slice(1);
      if (SPECIAL_MENTIONS.has(command)) return mention(`@${command}`, "special");
      if (command.startsWith("subteam^")) {
        const name = label || command.slice("subteam^".length);
        return mention(name.startsWith("@") ? name : `@${name}`, "group");
      }
      if (command.startsWith("date^")) {
        const [, seconds, format] = command.split("^");
        const fallback = label || "";
        const shown = formatSlackDate(Number(seconds), format || "", ctx) || fallback;
        const chip = make("span", "bk-date", shown);
        if (fallback && shown !== fallback) chip.title = fallback;
        return chip;
      }
      return document.createTextNode(label || command);
    }

    const url = decodeEntities(target);
    // Angle brackets around something that is not an address are not markup at all.
    if (!URL_LIKE.test(url)) return document.createTextNode(`<${decodeEntities(inner)}>`);
    const href = safeUrl(url, LINK_SCHEMES);
    const shown = label || (url.startsWith("mailto:") ? url.slice("mailto:".length) : url);
    if (!href) return make("span", "bk-unsafe-link", shown);
    const link = make("a", "bk-link", shown);
    link.href = href;
    link.rel = "noopener noreferrer";
    link.target = "_blank";
    return link;
  }

  /*
   * A line becomes a list of items: single characters (still subject to *, _ and ~) and
   * finished nodes (links, mentions, emoji, code), which formatting treats as opaque.
   */
  function tokenize(line, ctx, inCode) {
    const items = [];
    let i = 0;
    while (i < line.length) {
      const ch = line[i];
      if (ch === "<") {
        const close = line.indexOf(">", i + 1);
        const inner = close === -1 ? "" : line.slice(i + 1, close);
        if (close !== -1 && inner.length > 0 && !inner.includes("<")) {
          items.push(renderEntity(inner, ctx));
          i = close + 1;
          continue;
        }
      } else if (ch === "&") {
        const entity = /^&(amp|lt|gt);/.exec(line.slice(i, i + 5));
        if (entity) {
          items.push(decodeEntities(entity[0]));
          i += entity[0].length;
          continue;
        }
      } else if (ch === "`" && !inCode) {
        const close = line.indexOf("`", i + 1);
        if (close > i + 1) {
          const code = make("code", "bk-code");
          appendItems(code, tokenize(line.slice(i + 1, close), ctx, true));
          items.push(code);
          i = close + 1;
          continue;
        }
      } else if (ch === ":" && !inCode) {
        const found = emojiAt(line, i);
        if (found) {
          items.push(make("span", "bk-emoji", found.char));
          i += found.length;
          continue;
        }
      }
      items.push(ch);
      i += 1;
    }
    return items;
  }

  function appendItems(parent, items) {
    let text = "";
    for (const item of items) {
      if (typeof item === "string") {
        text += item;
        continue;
      }
      if (text) parent.append(document.createTextNode(text));
      text = "";
      parent.append(item);
    }
    if (text) parent.append(document.createTextNode(text));
  }

  function isWordChar(item) {
    return typeof item === "string" && WORD_CHAR.test(item);
  }

  function isSpace(item) {
    return typeof item === "string" && SPACE.test(item);
  }

  // Slack only formats at word edges: `snake_case_name` and `2*3*4` stay as they are.
  function opensAt(items, i) {
    const before = items[i - 1];
    const after = items[i + 1];
    return (before === undefined || !isWordChar(before)) && after !== undefined && !isSpace(after);
  }

  function closesAt(items, k) {
    const before = items[k - 1];
    const after = items[k + 1];
    return before !== undefined && !isSpace(before) && (after === undefined || !isWordChar(after));
  }

  function findClose(items, open, end) {
    const marker = items[open];
    for (let k = open + 2; k < end; k += 1) {
      if (items[k] === marker && closesAt(items, k)) return k;
    }
    return -1;
  }

  function appendFormatted(parent, items, start, end) {
    let pending = [];
    let i = start;
    while (i < end) {
      const item = items[i];
      const tag = typeof item === "string" ? own(MARKERS, item) : undefined;
      const close = tag && opensAt(items, i) ? findClose(items, i, end) : -1;
      if (close === -1) {
        pending.push(item);
        i += 1;
        continue;
      }
      appendItems(parent, pending);
      pending = [];
      const span = make(tag, `bk-${tag}`);
      appendFormatted(span, items, i + 1, close);
      parent.append(span);
      i = close + 1;
    }
    appendItems(parent, pending);
  }

  function appendLine(parent, line, ctx) {
    const items = tokenize(line, ctx, false);
    appendFormatted(parent, items, 0, items.length);
  }

  function appendLines(parent, lines, ctx) {
    lines.forEach((line, index) => {
      if (index > 0) parent.append(make("br"));
      appendLine(parent, line, ctx);
    });
  }

  const QUOTE_ALL = /^(?:>>>|&gt;&gt;&gt;) ?/;
  const QUOTE_LINE = /^(?:>|&gt;) ?/;

  function appendParagraphs(root, text, ctx) {
    const lines = text.split("\n");
    let needBreak = false;
    for (let i = 0; i < lines.length; i += 1) {
      const all = QUOTE_ALL.exec(lines[i]);
      if (all) {
        const quote = make("blockquote", "bk-quote");
        appendLines(quote, [lines[i].slice(all[0].length), ...lines.slice(i + 1)], ctx);
        root.append(quote);
        return;
      }
      if (QUOTE_LINE.test(lines[i])) {
        const quoted = [];
        while (i < lines.length && QUOTE_LINE.test(lines[i]) && !QUOTE_ALL.test(lines[i])) {
          quoted.push(lines[i].replace(QUOTE_LINE, ""));
          i += 1;
        }
        i -= 1;
        const quote = make("blockquote", "bk-quote");
        appendLines(quote, quoted, ctx);
        root.append(quote);
        needBreak = false;
        continue;
      }
      if (needBreak) root.append(make("br"));
      appendLine(root, lines[i], ctx);
      needBreak = true;
    }
  }

  // ``` fences are paired in order; a fence left without a partner is just text.
  function splitPreformatted(text) {
    const parts = [];
    let position = 0;
    for (;;) {
      const open = text.indexOf("```", position);
      const close = open === -1 ? -1 : text.indexOf("```", open + 3);
      if (close === -1) break;
      parts.push({ pre: false, text: text.slice(position, open) });
      parts.push({ pre: true, text: text.slice(open + 3, close) });
      position = close + 3;
    }
    parts.push({ pre: false, text: text.slice(position) });
    return parts;
  }

  function renderMrkdwn(text, ctx) {
    const context = normalizeCtx(ctx);
    const root = make("div", "bk-mrkdwn");
    const parts = splitPreformatted(typeof text === "string" ? text : "");
    parts.forEach((part, index) => {
      if (part.pre) {
        const pre = make("pre", "bk-pre");
        const body = part.text.replace(/^\n/, "").replace(/\n$/, "");
        appendItems(pre, tokenize(body, context, true));
        root.append(pre);
        return;
      }
      let body = part.text;
      if (index > 0) body = body.replace(/^\n/, "");
      if (index < parts.length - 1) body = body.replace(/\n$/, "");
      if (body) appendParagraphs(root, body, context);
    });
    return root;
  }

  /* -- elements ---------------------------------------------------------------------------- */

  function optionPayload(option, forceType) {
    const textObject = option.text || {};
    return {
      text: {
        type: forceType || textObject.type || "plain_text",
        text: String(textObject.text ?? ""),
      },
      value: option.value,
    };
  }

  function markState(node, type, ids) {
    node.dataset.bkState = type;
    node.dataset.blockId = ids.blockId;
    node.dataset.actionId = ids.actionId;
  }

  function markAction(node, type, ids) {
    node.dataset.elementType = type;
    node.dataset.blockId = ids.blockId;
    node.dataset.actionId = ids.actionId;
  }

  function optionList(element) {
    return Array.isArray(element.options) ? element.options.filter((o) => o && o.text) : [];
  }

  function placeholderOption(element, fallback) {
    const option = make("option", "bk-placeholder", plainString(element.placeholder) || fallback);
    option.value = "";
    option.disabled = true;
    option.selected = true;
    return option;
  }

  function renderButton(element, ctx, ids, interactive) {
    const style = element.style === "primary" || element.style === "danger" ? element.style : "";
    const className = `bk-el bk-button${style ? ` bk-button-${style}` : ""}`;
    const label = renderText(element.text || { type: "plain_text", text: "" }, ctx);
    if (element.url !== undefined) {
      const href = safeUrl(element.url, WEB_SCHEMES);
      if (!href) {
        const refused = make("button", className);
        refused.type = "button";
        refused.disabled = true;
        refused.title = "This link's address is not allowed";
        refused.append(label);
        return refused;
      }
      const link = make("a", className);
      link.href = href;
      link.rel = "noopener noreferrer";
      link.target = "_blank";
      link.append(label);
      markAction(link, "button", ids);
      return link;
    }
    const button = make("button", className);
    button.type = "button";
    button.append(label);
    markAction(button, "button", ids);
    if (interactive) {
      button.addEventListener("click", () => {
        button.disabled = true;
        const action = { type: "button", action_id: ids.actionId, block_id: ids.blockId };
        if (element.value !== undefined) action.value = element.value;
        if (element.text !== undefined) action.text = element.text;
        Promise.resolve()
          .then(() => ctx.onAction(action))
          .finally(() => {
            button.disabled = false;
          });
      });
    }
    return button;
  }

  function renderStaticSelect(element, ctx, ids, interactive) {
    const select = make("select", "bk-el bk-select bk-static_select");
    select.id = nextId("bk-control");
    select.append(placeholderOption(element, "Select an item"));
    const flat = [];
    const initial = element.initial_option && element.initial_option.value;
    const addOption = (parent, option) => {
      const node = make("option", "", plainString(option.text));
      node.value = String(flat.length);
      if (initial !== undefined && option.value === initial) node.selected = true;
      flat.push(option);
      parent.append(node);
    };
    if (Array.isArray(element.option_groups)) {
      for (const group of element.option_groups) {
        const optgroup = make("optgroup");
        optgroup.label = plainString(group && group.label);
        optionList(group || {}).forEach((option) => addOption(optgroup, option));
        select.append(optgroup);
      }
    } else {
      optionList(element).forEach((option) => addOption(select, option));
    }
    optionsOf.set(select, flat);
    markState(select, "static_select", ids);
    if (interactive) {
      select.addEventListener("change", () => {
        const chosen = selectedOption(select);
        if (!chosen) return;
        ctx.onAction({
          type: "static_select",
          action_id: ids.actionId,
          block_id: ids.blockId,
          selected_option: chosen,
        });
      });
    }
    return select;
  }

  function selectedOption(select) {
    if (select.value === "") return null;
    const option = optionsOf.get(select)[Number(select.value)];
    return option ? optionPayload(option, "plain_text") : null;
  }

  function renderUsersSelect(element, ctx, ids, interactive) {
    const select = make("select", "bk-el bk-select bk-users_select");
    select.id = nextId("bk-control");
    select.append(placeholderOption(element, "Select a person"));
    const people = Object.keys(ctx.people);
    if (element.initial_user && !people.includes(element.initial_user)) {
      people.push(element.initial_user);
    }
    for (const id of people) {
      const option = make("option", "", own(ctx.people, id) || id);
      option.value = id;
      if (id === element.initial_user) option.selected = true;
      select.append(option);
    }
    markState(select, "users_select", ids);
    if (interactive) {
      select.addEventListener("change", () => {
        if (!select.value) return;
        ctx.onAction({
          type: "users_select",
          action_id: ids.actionId,
          block_id: ids.blockId,
          selected_user: select.value,
        });
      });
    }
    return select;
  }

  function renderOverflow(element, ctx, ids) {
    const wrap = make("div", "bk-el bk-overflow");
    const toggle = make("button", "bk-overflow-button", "⋯");
    toggle.type = "button";
    toggle.setAttribute("aria-label", "More actions");
    toggle.setAttribute("aria-haspopup", "menu");
    toggle.setAttribute("aria-expanded", "false");
    markAction(toggle, "overflow", ids);
    const menu = make("div", "bk-overflow-menu");
    menu.setAttribute("role", "menu");
    menu.hidden = true;
    const setOpen = (open) => {
      menu.hidden = !open;
      toggle.setAttribute("aria-expanded", String(open));
    };
    for (const option of optionList(element)) {
      const href = option.url === undefined ? null : safeUrl(option.url, WEB_SCHEMES);
      const item = make(href ? "a" : "button", "bk-overflow-option", plainString(option.text));
      item.setAttribute("role", "menuitem");
      if (href) {
        item.href = href;
        item.rel = "noopener noreferrer";
        item.target = "_blank";
        item.addEventListener("click", () => setOpen(false));
      } else {
        item.type = "button";
        item.addEventListener("click", () => {
          setOpen(false);
          ctx.onAction({
            type: "overflow",
            action_id: ids.actionId,
            block_id: ids.blockId,
            selected_option: optionPayload(option, "plain_text"),
          });
        });
      }
      menu.append(item);
    }
    toggle.addEventListener("click", () => setOpen(menu.hidden));
    wrap.append(toggle, menu);
    return wrap;
  }

  function renderChoices(element, ctx, ids, interactive, kind) {
    const multiple = kind === "checkboxes";
    const group = make("div", `bk-el bk-choices bk-${kind}`);
    group.setAttribute("role", multiple ? "group" : "radiogroup");
    const name = nextId("bk-choice");
    const options = optionList(element);
    const initial = multiple
      ? (Array.isArray(element.initial_options) ? element.initial_options : []).map(
          (option) => option && option.value
        )
      : [element.initial_option && element.initial_option.value];
    options.forEach((option, index) => {
      const row = make("label", "bk-choice");
      const input = make("input");
      input.type = multiple ? "checkbox" : "radio";
      input.name = name;
      input.value = String(index);
      input.checked = option.value !== undefined && initial.includes(option.value);
      const body = make("span", "bk-choice-text");
      body.append(renderText(option.text, ctx));
      if (option.description) {
        const description = make("span", "bk-choice-description");
        description.append(renderText(option.description, ctx));
        body.append(description);
      }
      row.append(input, body);
      group.append(row);
    });
    optionsOf.set(group, options);
    markState(group, kind, ids);
    if (interactive) {
      group.addEventListener("change", () => {
        const action = { type: kind, action_id: ids.actionId, block_id: ids.blockId };
        if (multiple) action.selected_options = checkedOptions(group);
        else action.selected_option = checkedOptions(group)[0] || null;
        ctx.onAction(action);
      });
    }
    return group;
  }

  function checkedOptions(group) {
    const options = optionsOf.get(group);
    return Array.from(group.querySelectorAll("input:checked")).map((input) =>
      optionPayload(options[Number(input.value)])
    );
  }

  function renderDatepicker(element, ctx, ids, interactive) {
    const input = make("input", "bk-el bk-datepicker");
    input.type = "date";
    input.id = nextId("bk-control");
    if (typeof element.initial_date === "string") input.value = element.initial_date;
    markState(input, "datepicker", ids);
    if (interactive) {
      input.addEventListener("change", () => {
        ctx.onAction({
          type: "datepicker",
          action_id: ids.actionId,
          block_id: ids.blockId,
          selected_date: input.value || null,
        });
      });
    }
    return input;
  }

  function renderTextInput(element, ctx, ids) {
    const input = make(element.multiline ? "textarea" : "input", "bk-el bk-plain_text_input");
    if (element.multiline) input.rows = 4;
    else input.type = "text";
    input.id = nextId("bk-control");
    if (typeof element.initial_value === "string") input.value = element.initial_value;
    if (element.placeholder) input.placeholder = plainString(element.placeholder);
    if (Number.isInteger(element.max_length) && element.max_length > 0) {
      input.maxLength = element.max_length;
    }
    markState(input, "plain_text_input", ids);
    return input;
  }

  function renderNumberInput(element, ctx, ids) {
    const input = make("input", "bk-el bk-number_input");
    input.type = "number";
    input.id = nextId("bk-control");
    input.step = element.is_decimal_allowed === true ? "any" : "1";
    for (const [key, attribute] of [
      ["min_value", "min"],
      ["max_value", "max"],
    ]) {
      if (typeof element[key] === "string" && element[key] !== "") input[attribute] = element[key];
    }
    if (typeof element.initial_value === "string") input.value = element.initial_value;
    if (element.placeholder) input.placeholder = plainString(element.placeholder);
    markState(input, "number_input", ids);
    return input;
  }

  function renderImageElement(element) {
    return image(imageSource(element), element.alt_text, "bk-el bk-image-element");
  }

  // A Slack file is shown from the sandbox itself, which keeps what the bot uploaded.
  function fileUrl(fileId) {
    return new URL(`/sandbox/files/${encodeURIComponent(String(fileId))}`, location.href).href;
  }

  function imageSource(element) {
    const file = element.slack_file;
    if (file && typeof file === "object" && file.id) return fileUrl(file.id);
    return element.image_url;
  }

  function image(url, altText, className) {
    const img = make("img", className);
    img.alt = typeof altText === "string" ? altText : "";
    const src = safeUrl(url, WEB_SCHEMES);
    if (src) img.src = src;
    img.loading = "lazy";
    return img;
  }

  function placeholder(message) {
    return make("div", "bk-unknown", message);
  }

  function unknown(kind, type) {
    return placeholder(`Unsupported ${kind}: ${String(type)}`);
  }

  const ELEMENTS = {
    button: renderButton,
    static_select: renderStaticSelect,
    users_select: renderUsersSelect,
    overflow: renderOverflow,
    radio_buttons: (element, ctx, ids, interactive) =>
      renderChoices(element, ctx, ids, interactive, "radio_buttons"),
    checkboxes: (element, ctx, ids, interactive) =>
      renderChoices(element, ctx, ids, interactive, "checkboxes"),
    datepicker: renderDatepicker,
    plain_text_input: renderTextInput,
    number_input: renderNumberInput,
    image: renderImageElement,
  };

  function renderElement(element, ctx, blockId, position, interactive) {
    const type = element && element.type;
    const renderer = typeof type === "string" ? own(ELEMENTS, type) : undefined;
    if (!renderer) return unknown("element", type);
    const given = element.action_id;
    const actionId = typeof given === "string" && given ? given : `auto-action-${position}`;
    return renderer(element, ctx, { blockId, actionId }, interactive);
  }

  /* -- blocks ------------------------------------------------------------------------------ */

  function renderHeader(block, ctx) {
    const node = make("div");
    node.setAttribute("role", "heading");
    node.setAttribute("aria-level", "2");
    node.append(renderText(block.text, ctx));
    return node;
  }

  function renderSection(block, ctx, blockId) {
    const node = make("div");
    const body = make("div", "bk-section-body");
    if (block.text) body.append(renderText(block.text, ctx));
    if (Array.isArray(block.fields)) {
      const grid = make("div", "bk-fields");
      for (const field of block.fields) {
        const cell = make("div", "bk-field");
        cell.append(renderText(field, ctx));
        grid.append(cell);
      }
      body.append(grid);
    }
    node.append(body);
    if (block.accessory) {
      const accessory = make("div", "bk-accessory");
      accessory.append(renderElement(block.accessory, ctx, blockId, 0, true));
      node.append(accessory);
    }
    return node;
  }

  function renderContext(block, ctx) {
    const node = make("div");
    for (const element of Array.isArray(block.elements) ? block.elements : []) {
      const type = element && element.type;
      if (type === "image") {
        node.append(image(imageSource(element), element.alt_text, "bk-context-image"));
      } else if (type === "mrkdwn" || type === "plain_text") {
        const cell = make("span", "bk-context-text");
        cell.append(renderText(element, ctx));
        node.append(cell);
      } else {
        node.append(unknown("element", type));
      }
    }
    return node;
  }

  function renderDivider() {
    return make("hr");
  }

  function renderImageBlock(block, ctx) {
    const node = make("figure");
    if (block.title) {
      const title = make("figcaption", "bk-image-title");
      title.append(renderText(block.title, ctx));
      node.append(title);
    }
    node.append(image(imageSource(block), block.alt_text, "bk-image-picture"));
    return node;
  }

  function renderActions(block, ctx, blockId) {
    const node = make("div");
    const elements = Array.isArray(block.elements) ? block.elements : [];
    elements.forEach((element, index) => {
      node.append(renderElement(element, ctx, blockId, index, true));
    });
    return node;
  }

  function renderInput(block, ctx, blockId) {
    const node = make("div");
    const label = make("label", "bk-input-label");
    label.append(renderText(block.label, ctx));
    if (block.optional) label.append(make("span", "bk-optional", " (optional)"));
    const holder = make("div", "bk-input-element");
    // An input sends its changes to the app only when it asks to (dispatch_action).
    const control = renderElement(block.element, ctx, blockId, 0, block.dispatch_action === true);
    holder.append(control);
    if (control.id) label.htmlFor = control.id;
    node.append(label, holder);
    if (block.hint) {
      const hint = make("div", "bk-hint");
      hint.append(renderText(block.hint, ctx));
      node.append(hint);
    }
    return node;
  }

  function richTextOf(element, ctx) {
    if (!element || typeof element !== "object") return "";
    switch (element.type) {
      case "text":
        return String(element.text ?? "");
      case "link":
        return String(element.text || element.url || "");
      case "emoji":
        return own(EMOJI, element.name) || `:${element.name}:`;
      case "user":
        return `@${own(ctx.people, element.user_id) || element.user_id}`;
      case "channel":
        return `#${own(ctx.channels, element.channel_id) || element.channel_id}`;
      case "broadcast":
        return `@${element.range}`;
      case "usergroup":
        return `@${element.usergroup_id}`;
      case "date":
        return String(element.fallback || "");
      case "rich_text_list":
        return (element.elements || []).map((item) => `• ${richTextOf(item, ctx)}`).join("\n");
      default:
        return Array.isArray(element.elements)
          ? element.elements.map((child) => richTextOf(child, ctx)).join("")
          : "";
    }
  }

  function renderRichText(block, ctx) {
    const node = make("div");
    const parts = (Array.isArray(block.elements) ? block.elements : []).map((part) =>
      richTextOf(part, ctx)
    );
    node.textContent = parts.join("\n");
    return node;
  }

  const BLOCKS = {
    header: renderHeader,
    section: renderSection,
    context: renderContext,
    divider: renderDivider,
    image: renderImageBlock,
    actions: renderActions,
    input: renderInput,
    rich_text: renderRichText,
  };

  function renderBlock(block, ctx, index) {
    const type = block && typeof block === "object" ? block.type : undefined;
    const renderer = typeof type === "string" ? own(BLOCKS, type) : undefined;
    if (!renderer) return unknown("block", type);
    // Slack gives a block without an id one of its own; its position keeps it the same here.
    const blockId =
      typeof block.block_id === "string" && block.block_id ? block.block_id : `auto-block-${index}`;
    let node;
    try {
      node = renderer(block, ctx, blockId);
    } catch (_error) {
      node = placeholder(`Malformed ${type} block`);
    }
    node.classList.add("bk-block", `bk-${type}`);
    node.dataset.blockId = blockId;
    return node;
  }

  function renderBlocks(blocks, ctx) {
    const context = normalizeCtx(ctx);
    const surface = ["modal", "home"].includes(context.surface) ? context.surface : "message";
    const root = make("div", `bk-blocks bk-surface-${surface}`);
    (Array.isArray(blocks) ? blocks : []).forEach((block, index) => {
      root.append(renderBlock(block, context, index));
    });
    return root;
  }

  /* -- forms ------------------------------------------------------------------------------- */

  function stateOf(node) {
    switch (node.dataset.bkState) {
      case "plain_text_input":
        return { type: "plain_text_input", value: node.value === "" ? null : node.value };
      case "number_input":
        return { type: "number_input", value: node.value === "" ? null : node.value };
      case "static_select":
        return { type: "static_select", selected_option: selectedOption(node) };
      case "users_select":
        return { type: "users_select", selected_user: node.value || null };
      case "radio_buttons":
        return { type: "radio_buttons", selected_option: checkedOptions(node)[0] || null };
      case "checkboxes":
        return { type: "checkboxes", selected_options: checkedOptions(node) };
      case "datepicker":
        return { type: "datepicker", selected_date: node.value || null };
      default:
        return { type: node.dataset.bkState };
    }
  }

  function collectValues(root) {
    const values = {};
    for (const node of root.querySelectorAll("[data-bk-state]")) {
      const blockId = node.dataset.blockId;
      if (!Object.prototype.hasOwnProperty.call(values, blockId)) values[blockId] = {};
      values[blockId][node.dataset.actionId] = stateOf(node);
    }
    return values;
  }

  /*
   * Puts back what a person entered (collectValues) into a view drawn again, into each input of
   * the same block and action id, as Slack does when an app updates an open view.
   */
  function restoreValues(root, values) {
    for (const node of root.querySelectorAll("[data-bk-state]")) {
      const byAction = own(values || {}, node.dataset.blockId);
      const state = byAction ? own(byAction, node.dataset.actionId) : undefined;
      if (!state || state.type !== node.dataset.bkState) continue;
      switch (state.type) {
        case "plain_text_input":
        case "number_input":
          node.value = state.value ?? "";
          break;
        case "datepicker":
          node.value = state.selected_date || "";
          break;
        case "users_select":
          node.value = state.selected_user || "";
          break;
        case "static_select": {
          const wanted = state.selected_option && state.selected_option.value;
          const index = optionsOf.get(node).findIndex((option) => option.value === wanted);
          node.value = index === -1 ? "" : String(index);
          break;
        }
        case "radio_buttons":
        case "checkboxes": {
          const chosen = (state.selected_options || [state.selected_option])
            .filter(Boolean)
            .map((option) => option.value);
          const options = optionsOf.get(node);
          for (const input of node.querySelectorAll("input")) {
            input.checked = chosen.includes(options[Number(input.value)].value);
          }
          break;
        }
        default:
          break;
      }
    }
  }

  /*
   * Shows each error under its block and returns the ones whose block is not on screen, so
   * that the caller can still show them somewhere.
   */
  function showErrors(root, errors) {
    for (const old of root.querySelectorAll(".bk-input-error")) old.remove();
    for (const marked of root.querySelectorAll(".bk-has-error")) {
      marked.classList.remove("bk-has-error");
    }
    const unplaced = {};
    const blocks = Array.from(root.querySelectorAll(".bk-block"));
    for (const [blockId, message] of Object.entries(errors || {})) {
      const block = blocks.find((node) => node.dataset.blockId === blockId);
      if (!block) {
        unplaced[blockId] = String(message);
        continue;
      }
      const error = make("div", "bk-input-error", String(message));
      error.setAttribute("role", "alert");
      const holder = block.querySelector(":scope > .bk-input-element");
      if (holder) holder.after(error);
      else block.append(error);
      block.classList.add("bk-has-error");
    }
    return unplaced;
  }

  function closeMenusOutside(target) {
    for (const menu of document.querySelectorAll(".bk-overflow-menu:not([hidden])")) {
      const wrap = menu.parentElement;
      if (!wrap.contains(target)) {
        menu.hidden = true;
        const toggle = wrap.querySelector(".bk-overflow-button");
        if (toggle) toggle.setAttribute("aria-expanded", "false");
      }
    }
  }

  document.addEventListener("click", (event) => closeMenusOutside(event.target));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") closeMenusOutside(null);
  });

  function renderFiles(files) {
    const node = make("div", "bk-files");
    for (const file of files) {
      const figure = make("figure", "bk-file");
      if (String(file.mimetype || "").startsWith("image/")) {
        figure.append(image(fileUrl(file.id), file.alt_txt || file.title || "", "bk-image-picture"));
      }
      figure.append(make("figcaption", "bk-image-title", String(file.title || file.name || "")));
      node.append(figure);
    }
    return node;
  }

  window.BlockKit = Object.freeze({
    EMOJI,
    renderFiles,
    renderBlocks,
    renderMrkdwn,
    renderText,
    plainString,
    collectValues,
    restoreValues,
    showErrors,
  });
})();
