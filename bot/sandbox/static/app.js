/*
 * The sandbox page: one person at a time, in the sandbox's workspace, talking to the bot.
 *
 * The server is the only source of truth. The page fetches what it shows, and fetches it again
 * when the server says over /sandbox/events that it changed; it keeps no copy of its own.
 */
(function () {
  "use strict";

  const BlockKit = window.BlockKit;

  // The bot DM's channel id depends on who you are, so the page remembers "the DM" instead.
  const DM = "dm";
  const STORAGE_KEYS = {
    me: "pulsedesk-sandbox.me",
    conversation: "pulsedesk-sandbox.conversation",
    tab: "pulsedesk-sandbox.tab",
  };
  const AVATAR_COLORS = ["#e8912d", "#2bac76", "#1264a3", "#9c27b0", "#e01e5a", "#4a8cc7"];
  // How close to the bottom counts as "reading the latest", which keeps the view pinned there.
  const PINNED_TO_BOTTOM_PX = 80;

  const byId = (id) => document.getElementById(id);
  const dom = {
    workspace: byId("workspace-name"),
    channelList: byId("channel-list"),
    dmList: byId("dm-list"),
    youAre: byId("you-are"),
    clock: byId("clock"),
    clockButtons: {
      hour: byId("clock-hour"),
      day: byId("clock-day"),
      monday: byId("clock-monday"),
    },
    reset: byId("reset"),
    title: byId("conversation-title"),
    tabs: byId("tabs"),
    tabHome: byId("tab-home"),
    tabMessages: byId("tab-messages"),
    banner: byId("status-banner"),
    homePane: byId("home-pane"),
    messageList: byId("message-list"),
    composerForm: byId("composer-form"),
    replyingTo: byId("replying-to"),
    replyingCancel: byId("replying-cancel"),
    composer: byId("composer"),
    composerError: byId("composer-error"),
    overlay: byId("modal-overlay"),
    modalTitle: byId("modal-title"),
    modalBody: byId("modal-body"),
    modalError: byId("modal-error"),
    modalClose: byId("modal-close"),
    modalSubmit: byId("modal-submit"),
  };

  const page = {
    me: null,
    state: null,
    people: Object.create(null),
    channels: Object.create(null),
    conversation: DM,
    tab: "messages",
    unread: new Set(),
    collapsedThreads: new Set(),
    // What each pane last drew, so that a refresh that changes nothing leaves the pane (and
    // whatever the person has open or half-typed in it) alone.
    drawn: { messages: null, home: null, modal: null },
    modal: null,
    sending: false,
  };

  /* -- storage and the server ------------------------------------------------------------- */

  function remember(key, value) {
    try {
      window.localStorage.setItem(STORAGE_KEYS[key], value);
    } catch (_error) {
      // A browser that refuses storage only loses the choice across reloads.
    }
  }

  function recall(key) {
    try {
      return window.localStorage.getItem(STORAGE_KEYS[key]);
    } catch (_error) {
      return null;
    }
  }

  async function request(url, options) {
    const response = await fetch(url, options);
    let body = null;
    try {
      body = await response.json();
    } catch (_error) {
      body = null;
    }
    if (!response.ok && !(body && body.error)) {
      throw new Error(`${url.split("?")[0]} answered HTTP ${response.status}`);
    }
    return body || {};
  }

  function get(path, params) {
    const query = new URLSearchParams(params || {}).toString();
    return request(query ? `${path}?${query}` : path, { headers: { Accept: "application/json" } });
  }

  function post(path, payload) {
    return request(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(payload || {}),
    });
  }

  function showBanner(message) {
    dom.banner.textContent = message || "";
    dom.banner.hidden = !message;
  }

  function reportFailure(error) {
    showBanner(`The sandbox did not answer: ${error && error.message ? error.message : error}`);
  }

  function reportResult(result) {
    if (result && result.ok === false) showBanner(result.error || "The sandbox refused that.");
    return result;
  }

  // Runs `task` one at a time; calls that arrive meanwhile fold into one more run, so a burst
  // of changes costs two fetches and an older answer never lands after a newer one.
  function serialized(task) {
    let running = false;
    let again = false;
    return async function run() {
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        do {
          again = false;
          try {
            await task();
          } catch (error) {
            reportFailure(error);
          }
        } while (again);
      } finally {
        running = false;
      }
    };
  }

  /* -- small view helpers ----------------------------------------------------------------- */

  function make(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function appBadge() {
    return make("span", "app-badge", "APP");
  }

  function botName() {
    return (page.state && page.state.bot && page.state.bot.name) || "app";
  }

  function botId() {
    return page.state && page.state.bot ? page.state.bot.id : null;
  }

  function emojiFor(name) {
    const base = String(name).split("::")[0];
    return BlockKit.EMOJI[base] || `:${name}:`;
  }

  // Times and days show in the time zone of the person being played, as Slack shows them.
  function readerZone() {
    const people = (page.state && page.state.people) || [];
    const me = people.find((person) => person.id === page.me);
    return (me && me.tz) || "UTC";
  }

  function inReaderZone(ts, options) {
    const moment = new Date(Number(ts) * 1000);
    try {
      return new Intl.DateTimeFormat("en-GB", { ...options, timeZone: readerZone() }).format(moment);
    } catch (error) {
      return new Intl.DateTimeFormat("en-GB", { ...options, timeZone: "UTC" }).format(moment);
    }
  }

  function timeOf(ts) {
    return inReaderZone(ts, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  }

  function dayOf(ts) {
    return inReaderZone(ts, { weekday: "long", day: "numeric", month: "long" });
  }

  function initials(name) {
    const words = String(name).split(/\s+/).filter(Boolean);
    return words
      .slice(0, 2)
      .map((word) => word[0].toUpperCase())
      .join("");
  }

  function colorFor(id) {
    let hash = 0;
    for (const ch of String(id)) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
    return AVATAR_COLORS[hash % AVATAR_COLORS.length];
  }

  function currentChannel() {
    if (!page.state) return null;
    return page.conversation === DM ? page.state.dm : page.conversation;
  }

  function showingHome() {
    return page.conversation === DM && page.tab === "home";
  }

  // `valuesOf`, for a view: what its inputs hold, which Slack sends with every action in it.
  function blockContext(surface, container, valuesOf) {
    const state = page.state || {};
    const me = (state.people || []).find((person) => person.id === page.me);
    const clock = state.clock ? Date.parse(state.clock.now) : NaN;
    return {
      people: page.people,
      channels: page.channels,
      // Dates show in the time zone of the person being played, on the bot's clock.
      timeZone: me ? me.tz : null,
      now: Number.isFinite(clock) ? clock : null,
      surface,
      onAction: (action) => sendAction(container(), action, valuesOf && valuesOf()),
    };
  }

  /* -- state: people, channels, clock ----------------------------------------------------- */

  async function loadState() {
    const stored = page.me;
    let state = await get("/sandbox/api/state", stored ? { user: stored } : {});
    const people = Array.isArray(state.people) ? state.people : [];
    const known = people.some((person) => person.id === stored);
    const me = known ? stored : (people[0] && people[0].id) || state.me;
    if (me && me !== state.me) state = await get("/sandbox/api/state", { user: me });
    page.me = me;
    remember("me", me);
    applyState(state);
  }

  function applyState(state) {
    page.state = state;
    page.people = Object.create(null);
    for (const person of state.people || []) page.people[person.id] = person.name;
    if (state.bot) page.people[state.bot.id] = state.bot.name;
    page.channels = Object.create(null);
    for (const channel of state.channels || []) page.channels[channel.id] = channel.name;
    if (page.conversation !== DM && !(page.conversation in page.channels)) {
      page.conversation = DM;
      remember("conversation", DM);
    }
    dom.workspace.textContent = state.workspace || "Slack sandbox";
    document.title = state.workspace || "Slack sandbox";
    renderPeople(state.people || []);
    renderClock(state.clock);
    renderSidebar();
    renderHeader();
  }

  function renderPeople(people) {
    const options = people.map((person) => {
      const option = make("option", "", `${person.name} (${person.role}, ${person.tz})`);
      option.value = person.id;
      return option;
    });
    dom.youAre.replaceChildren(...options);
    dom.youAre.value = page.me || "";
  }

  function renderClock(clock) {
    dom.clock.textContent = clock ? clock.label || clock.now || "" : "";
    if (clock && clock.now) dom.clock.title = clock.now;
  }

  function sidebarItem(channelId, active, children) {
    const item = make("li");
    const button = make("button", "sidebar-item");
    button.type = "button";
    button.dataset.channel = channelId;
    if (active) {
      button.classList.add("active");
      button.setAttribute("aria-current", "page");
    }
    if (page.unread.has(channelId) && !active) button.classList.add("unread");
    button.append(...children);
    item.append(button);
    return { item, button };
  }

  function renderSidebar() {
    const state = page.state;
    const channelItems = (state.channels || []).map((channel) => {
      const { item, button } = sidebarItem(channel.id, page.conversation === channel.id, [
        make("span", "sidebar-hash", "#"),
        make("span", "sidebar-name", channel.name),
      ]);
      button.addEventListener("click", () => openConversation(channel.id));
      return item;
    });
    dom.channelList.replaceChildren(...channelItems);

    const dm = sidebarItem(state.dm, page.conversation === DM, [
      make("span", "presence"),
      make("span", "sidebar-name", botName()),
      appBadge(),
    ]);
    dm.button.dataset.dm = "bot";
    dm.button.addEventListener("click", () => openConversation(DM));
    dom.dmList.replaceChildren(dm.item);
  }

  function renderHeader() {
    const isDm = page.conversation === DM;
    if (isDm) {
      dom.title.replaceChildren(make("span", "", botName()), appBadge());
    } else {
      dom.title.replaceChildren(make("span", "", `# ${page.channels[page.conversation]}`));
    }
    dom.tabs.hidden = !isDm;
    const home = showingHome();
    dom.tabHome.setAttribute("aria-selected", String(home));
    dom.tabMessages.setAttribute("aria-selected", String(!home));
    dom.homePane.hidden = !home;
    dom.messageList.hidden = home;
    dom.composerForm.hidden = home;
    const where = isDm ? botName() : `#${page.channels[page.conversation]}`;
    const commands = (page.state.commands || []).join(", ");
    dom.composer.placeholder = commands ? `Message ${where} — try ${commands}` : `Message ${where}`;
  }

  /* -- conversations ---------------------------------------------------------------------- */

  function openConversation(conversation) {
    if (conversation === page.conversation) return showConversation();
    page.conversation = conversation;
    remember("conversation", conversation);
    page.drawn.messages = null;
    dom.messageList.replaceChildren();
    hideComposerError();
    replyInThread(null, null);
    return showConversation();
  }

  function openTab(tab) {
    page.tab = tab;
    remember("tab", tab);
    return showConversation();
  }

  async function showConversation() {
    const channel = currentChannel();
    page.unread.delete(channel);
    renderSidebar();
    renderHeader();
    if (showingHome()) {
      await Promise.all([refreshHome(), announceHomeOpened()]);
    } else {
      dom.tabMessages.classList.remove("unread");
      await refreshMessages();
    }
  }

  async function announceHomeOpened() {
    try {
      reportResult(await post("/sandbox/api/home-opened", { user: page.me }));
    } catch (error) {
      reportFailure(error);
    }
  }

  const refreshMessages = serialized(async () => {
    if (!page.state || showingHome()) return;
    const channel = currentChannel();
    const me = page.me;
    const answer = await get("/sandbox/api/messages", { channel, user: me });
    if (channel !== currentChannel() || me !== page.me || showingHome()) return;
    const messages = Array.isArray(answer.messages) ? answer.messages : [];
    const drawn = JSON.stringify([channel, me, messages]);
    if (drawn === page.drawn.messages) return;
    page.drawn.messages = drawn;
    renderMessages(channel, messages);
  });

  // Replies arrive either nested under their parent or as messages of their own with a
  // thread_ts; both end up under the parent.
  function threaded(messages) {
    const byTs = new Map();
    for (const message of messages) {
      const replies = Array.isArray(message.replies) ? [...message.replies] : [];
      byTs.set(message.ts, { ...message, replies });
    }
    const top = [];
    for (const message of messages) {
      const node = byTs.get(message.ts);
      const parent =
        message.thread_ts && message.thread_ts !== message.ts ? byTs.get(message.thread_ts) : null;
      if (!parent) {
        top.push(node);
      } else if (!parent.replies.some((reply) => reply.ts === message.ts)) {
        parent.replies.push(node);
      }
    }
    for (const message of top) message.replies.sort((a, b) => Number(a.ts) - Number(b.ts));
    return top;
  }

  function renderMessages(channel, messages) {
    const list = dom.messageList;
    const firstDraw = list.dataset.showing !== channel;
    const pinned = list.scrollHeight - list.scrollTop - list.clientHeight < PINNED_TO_BOTTOM_PX;
    const keptScroll = list.scrollTop;
    const rows = [];
    if (messages.length === 0) {
      const where = page.conversation === DM ? botName() : `#${page.channels[channel]}`;
      rows.push(make("div", "empty-note", `No messages in ${where} yet.`));
    }
    let lastDay = null;
    for (const message of threaded(messages)) {
      const day = dayOf(message.ts);
      if (day !== lastDay) rows.push(make("div", "day-divider", day));
      lastDay = day;
      rows.push(renderMessage(message, channel, false));
    }
    list.replaceChildren(...rows);
    list.dataset.showing = channel;
    list.scrollTop = firstDraw || pinned ? list.scrollHeight : keptScroll;
  }

  function authorOf(message) {
    if (message.is_bot || message.user === botId()) return botName();
    return page.people[message.user] || message.user || "unknown";
  }

  function renderMessage(message, channel, isReply) {
    const row = make("div", "message");
    row.dataset.ts = message.ts;
    if (message.user) row.dataset.user = message.user;
    if (message.ephemeral) row.classList.add("ephemeral");
    if (isReply) row.classList.add("reply");

    const isBot = Boolean(message.is_bot) || message.user === botId();
    const author = authorOf(message);
    const avatar = make("div", `avatar${isBot ? " bot" : ""}`, initials(author));
    avatar.setAttribute("aria-hidden", "true");
    if (!isBot) avatar.style.background = colorFor(message.user);

    const body = make("div", "message-body");
    const meta = make("div", "message-meta");
    meta.append(make("span", "author", author));
    if (isBot) meta.append(appBadge());
    meta.append(make("span", "time", timeOf(message.ts)));
    if (message.ephemeral) meta.append(make("span", "ephemeral-note", "Only visible to you"));
    body.append(meta);

    const container = () => ({ type: "message", channel, ts: message.ts });
    const context = blockContext("message", container);
    const content = make("div", "message-content");
    const hasBlocks = Array.isArray(message.blocks) && message.blocks.length > 0;
    content.append(
      hasBlocks
        ? BlockKit.renderBlocks(message.blocks, context)
        : BlockKit.renderMrkdwn(message.text || "", context)
    );
    body.append(content);
    if (Array.isArray(message.files) && message.files.length) {
      body.append(BlockKit.renderFiles(message.files));
    }

    const reactions = Array.isArray(message.reactions) ? message.reactions : [];
    if (reactions.length) body.append(renderReactions(reactions, channel, message.ts));
    if (!isReply && message.replies && message.replies.length) {
      body.append(...renderThread(message, channel));
    }
    row.append(avatar, body);
    if (!message.ephemeral) row.append(renderToolbar(channel, message.ts));
    return row;
  }

  function renderThread(message, channel) {
    const count = message.replies.length;
    const collapsed = page.collapsedThreads.has(message.ts);
    const toggle = make("button", "thread-toggle");
    toggle.type = "button";
    toggle.textContent = collapsed
      ? `${count} ${count === 1 ? "reply" : "replies"}`
      : `Hide ${count === 1 ? "reply" : `${count} replies`}`;
    toggle.setAttribute("aria-expanded", String(!collapsed));
    toggle.addEventListener("click", () => {
      if (collapsed) page.collapsedThreads.delete(message.ts);
      else page.collapsedThreads.add(message.ts);
      page.drawn.messages = null;
      refreshMessages();
    });
    if (collapsed) return [toggle];
    const replies = make("div", "replies");
    replies.append(...message.replies.map((reply) => renderMessage(reply, channel, true)));
    return [toggle, replies];
  }

  function renderReactions(reactions, channel, ts) {
    const holder = make("div", "reactions");
    for (const reaction of reactions) {
      const users = Array.isArray(reaction.users) ? reaction.users : [];
      const mine = users.includes(page.me);
      const chip = make("button", "reaction-chip");
      chip.type = "button";
      chip.dataset.reaction = reaction.name;
      chip.setAttribute("aria-pressed", String(mine));
      const names = users.map((id) => page.people[id] || id).join(", ");
      chip.title = `${names} reacted with :${reaction.name}:`;
      chip.append(
        make("span", "reaction-emoji", emojiFor(reaction.name)),
        make("span", "reaction-count", String(reaction.count ?? users.length))
      );
      chip.addEventListener("click", () => react(channel, ts, reaction.name));
      holder.append(chip);
    }
    return holder;
  }

  function renderToolbar(channel, ts) {
    const toolbar = make("div", "message-toolbar");
    const add = make("button", "add-reaction", "😀+");
    add.type = "button";
    add.title = "Add reaction";
    add.setAttribute("aria-label", "Add reaction");
    add.setAttribute("aria-haspopup", "true");
    add.setAttribute("aria-expanded", "false");
    add.addEventListener("click", (event) => {
      event.stopPropagation();
      const open = toolbar.querySelector(".reaction-picker");
      closePickers();
      if (!open) openPicker(toolbar, add, channel, ts);
    });
    toolbar.append(add);
    const file = make("button", "file-request", "📥");
    file.type = "button";
    file.title = "File a request";
    file.setAttribute("aria-label", "File a request from this message");
    file.addEventListener("click", async (event) => {
      event.stopPropagation();
      const result = await post("/sandbox/api/shortcut", { user: page.me, channel, ts });
      if (result.ok === false) showBanner(result.error || "That message could not be filed.");
      refreshVisible();
    });
    toolbar.append(file);
    const reply = make("button", "reply-in-thread", "💬");
    reply.type = "button";
    reply.title = "Reply in thread";
    reply.setAttribute("aria-label", "Reply in thread");
    reply.addEventListener("click", (event) => {
      event.stopPropagation();
      replyInThread(channel, ts);
    });
    toolbar.append(reply);
    return toolbar;
  }

  // The composer answers in a message's thread until the reply is cancelled or another
  // conversation is opened.
  function replyInThread(channel, ts) {
    page.replyTo = channel && ts ? { channel, ts } : null;
    dom.replyingTo.hidden = !page.replyTo;
    if (page.replyTo) dom.composer.focus();
  }

  function openPicker(toolbar, opener, channel, ts) {
    const picker = make("div", "reaction-picker");
    picker.setAttribute("role", "menu");
    for (const name of page.state.reactions || []) {
      const choice = make("button", "", emojiFor(name));
      choice.type = "button";
      choice.dataset.emoji = name;
      choice.title = `:${name}:`;
      choice.setAttribute("role", "menuitem");
      choice.setAttribute("aria-label", name);
      choice.addEventListener("click", (event) => {
        event.stopPropagation();
        closePickers();
        react(channel, ts, name);
      });
      picker.append(choice);
    }
    // Near the bottom of the list the picker opens upwards, where the list does not clip it.
    const list = dom.messageList.getBoundingClientRect();
    if (toolbar.getBoundingClientRect().top > list.top + list.height / 2) {
      picker.classList.add("above");
    }
    toolbar.classList.add("open");
    opener.setAttribute("aria-expanded", "true");
    toolbar.append(picker);
  }

  function closePickers() {
    for (const picker of document.querySelectorAll(".reaction-picker")) {
      const toolbar = picker.parentElement;
      toolbar.classList.remove("open");
      const opener = toolbar.querySelector(".add-reaction");
      if (opener) opener.setAttribute("aria-expanded", "false");
      picker.remove();
    }
  }

  async function react(channel, ts, name) {
    try {
      reportResult(await post("/sandbox/api/react", { user: page.me, channel, ts, name }));
    } catch (error) {
      reportFailure(error);
    }
    refreshMessages();
  }

  async function sendAction(container, action, values) {
    const body = { user: page.me, container, action };
    if (values) body.values = values;
    try {
      reportResult(await post("/sandbox/api/action", body));
    } catch (error) {
      reportFailure(error);
    }
    refreshVisible();
  }

  /* -- Home tab --------------------------------------------------------------------------- */

  const refreshHome = serialized(async () => {
    if (!page.state || !showingHome()) return;
    const me = page.me;
    const answer = await get("/sandbox/api/home", { user: me });
    if (me !== page.me || !showingHome()) return;
    const view = answer.view || null;
    const drawn = JSON.stringify([me, view]);
    if (drawn === page.drawn.home) return;
    page.drawn.home = drawn;
    if (!view) {
      dom.homePane.replaceChildren(
        make("div", "empty-note", "The app has not published a Home tab yet.")
      );
      return;
    }
    const container = () => ({ type: "view", view_id: view.id });
    const blocks = BlockKit.renderBlocks(
      view.blocks,
      blockContext("home", container, () => BlockKit.collectValues(dom.homePane))
    );
    dom.homePane.replaceChildren(blocks);
  });

  /* -- modals ----------------------------------------------------------------------------- */

  const refreshModal = serialized(async () => {
    if (!page.state) return;
    const me = page.me;
    const answer = await get("/sandbox/api/modal", { user: me });
    if (me !== page.me) return;
    renderModal(answer.view || null);
  });

  function renderModal(view) {
    const drawn = JSON.stringify([page.me, view]);
    if (drawn === page.drawn.modal) return;
    page.drawn.modal = drawn;
    const previous = page.modal;
    page.modal = view;
    if (!view) {
      dom.overlay.hidden = true;
      dom.modalBody.replaceChildren();
      return;
    }
    dom.modalTitle.textContent = BlockKit.plainString(view.title) || botName();
    const container = () => ({ type: "view", view_id: view.id });
    // The same view drawn again by the app (views.update) keeps what the person entered.
    const entered =
      previous && previous.id === view.id ? BlockKit.collectValues(dom.modalBody) : null;
    const blocks = BlockKit.renderBlocks(
      view.blocks,
      blockContext("modal", container, () => BlockKit.collectValues(dom.modalBody))
    );
    if (entered) BlockKit.restoreValues(blocks, entered);
    dom.modalBody.replaceChildren(blocks);
    dom.modalClose.textContent = BlockKit.plainString(view.close) || "Cancel";
    dom.modalSubmit.hidden = !view.submit;
    dom.modalSubmit.textContent = BlockKit.plainString(view.submit) || "Submit";
    hideModalError();
    setModalBusy(false);
    dom.overlay.hidden = false;
    if (!previous || previous.id !== view.id) {
      const first = dom.modalBody.querySelector("input, textarea, select");
      (first || dom.modalClose).focus();
    }
  }

  function setModalBusy(busy) {
    dom.modalSubmit.disabled = busy;
    dom.modalClose.disabled = busy;
  }

  function hideModalError() {
    dom.modalError.hidden = true;
    dom.modalError.textContent = "";
  }

  function showModalError(message) {
    dom.modalError.textContent = message;
    dom.modalError.hidden = false;
  }

  async function submitModal() {
    const view = page.modal;
    if (!view || !view.submit || dom.modalSubmit.disabled) return;
    const values = BlockKit.collectValues(dom.modalBody);
    setModalBusy(true);
    try {
      const result = await post("/sandbox/api/submit", {
        user: page.me,
        view_id: view.id,
        values,
      });
      if (result.ok === false) {
        showModalError(result.error || "The app refused this form.");
        return;
      }
      const errors = result.errors && typeof result.errors === "object" ? result.errors : {};
      const unplaced = BlockKit.showErrors(dom.modalBody, errors);
      const leftOver = Object.values(unplaced);
      if (leftOver.length) showModalError(leftOver.join(" "));
      else hideModalError();
      if (Object.keys(errors).length === 0) await refreshModal();
    } catch (error) {
      showModalError(`The sandbox did not answer: ${error.message}`);
    } finally {
      if (page.modal === view) setModalBusy(false);
    }
  }

  async function closeModal() {
    const view = page.modal;
    if (!view || dom.modalClose.disabled) return;
    setModalBusy(true);
    try {
      reportResult(await post("/sandbox/api/close", { user: page.me, view_id: view.id }));
      await refreshModal();
    } catch (error) {
      showModalError(`The sandbox did not answer: ${error.message}`);
    } finally {
      if (page.modal === view) setModalBusy(false);
    }
  }

  /* -- composer --------------------------------------------------------------------------- */

  function hideComposerError() {
    dom.composerError.hidden = true;
    dom.composerError.textContent = "";
  }

  function fitComposer() {
    dom.composer.style.height = "auto";
    dom.composer.style.height = `${dom.composer.scrollHeight + 2}px`;
  }

  async function sendComposer() {
    const text = dom.composer.value;
    if (page.sending || !text.trim()) return;
    page.sending = true;
    try {
      const channel = currentChannel();
      const thread = page.replyTo && page.replyTo.channel === channel ? page.replyTo.ts : "";
      const result = await post("/sandbox/api/send", {
        user: page.me,
        channel,
        text,
        thread_ts: thread,
      });
      if (result.ok === false) {
        dom.composerError.textContent = result.error || "The message was not sent.";
        dom.composerError.hidden = false;
        return;
      }
      hideComposerError();
      if (dom.composer.value === text) dom.composer.value = "";
      fitComposer();
    } catch (error) {
      dom.composerError.textContent = `The message was not sent: ${error.message}`;
      dom.composerError.hidden = false;
    } finally {
      page.sending = false;
    }
    refreshVisible();
  }

  /* -- clock and reset -------------------------------------------------------------------- */

  function setClockBusy(busy) {
    for (const button of Object.values(dom.clockButtons)) button.disabled = busy;
    dom.reset.disabled = busy;
  }

  async function advanceClock(step) {
    setClockBusy(true);
    try {
      const result = reportResult(
        await post("/sandbox/api/clock", { user: page.me, advance: step })
      );
      if (result.clock) {
        renderClock(result.clock);
        if (page.state) page.state.clock = result.clock;
      }
    } catch (error) {
      reportFailure(error);
    } finally {
      setClockBusy(false);
    }
    refreshVisible();
  }

  async function resetSandbox() {
    const sure = window.confirm(
      "Reset the sandbox? Every message, request, kudos and rating goes, and the clock starts over."
    );
    if (!sure) return;
    setClockBusy(true);
    try {
      reportResult(await post("/sandbox/api/reset"));
    } catch (error) {
      reportFailure(error);
    } finally {
      setClockBusy(false);
    }
    await refreshEverything();
  }

  /* -- live updates ----------------------------------------------------------------------- */

  function refreshVisible() {
    if (showingHome()) refreshHome();
    else refreshMessages();
    refreshModal();
  }

  const refreshState = serialized(async () => {
    applyState(await get("/sandbox/api/state", { user: page.me }));
  });

  async function refreshEverything() {
    page.drawn = { messages: null, home: null, modal: null };
    page.unread.clear();
    page.collapsedThreads.clear();
    await refreshState();
    refreshVisible();
  }

  function markUnread(channel) {
    const inSidebar = channel === page.state.dm || channel in page.channels;
    if (!inSidebar) return;
    page.unread.add(channel);
    renderSidebar();
  }

  function onChange(change) {
    const mine = !change.user || change.user === page.me;
    switch (change.kind) {
      case "messages":
        if (change.channel && change.channel !== currentChannel()) markUnread(change.channel);
        else if (showingHome()) dom.tabMessages.classList.add("unread");
        else refreshMessages();
        break;
      case "home":
        if (mine) refreshHome();
        break;
      case "modal":
        if (mine) refreshModal();
        break;
      case "clock":
        refreshState();
        break;
      case "reset":
        refreshEverything();
        break;
      default:
        break;
    }
  }

  function listen() {
    const source = new EventSource("/sandbox/events");
    let lost = false;
    source.addEventListener("change", (event) => {
      let change;
      try {
        change = JSON.parse(event.data);
      } catch (_error) {
        return;
      }
      if (page.state && change && typeof change === "object") onChange(change);
    });
    source.addEventListener("open", () => {
      if (!lost) return;
      lost = false;
      showBanner(null);
      refreshEverything();
    });
    source.addEventListener("error", () => {
      lost = true;
      showBanner("Lost the live connection to the sandbox; reconnecting…");
    });
  }

  /* -- wiring ----------------------------------------------------------------------------- */

  // The whole page for the person being played: who is who, the open conversation, any form.
  async function showEverything() {
    try {
      await loadState();
      await showConversation();
      await refreshModal();
    } catch (error) {
      reportFailure(error);
    }
  }

  function wire() {
    dom.youAre.addEventListener("change", async () => {
      page.me = dom.youAre.value;
      remember("me", page.me);
      closePickers();
      page.drawn = { messages: null, home: null, modal: null };
      page.collapsedThreads.clear();
      page.unread.clear();
      dom.messageList.replaceChildren();
      hideComposerError();
      await showEverything();
    });
    dom.tabHome.addEventListener("click", () => openTab("home"));
    dom.tabMessages.addEventListener("click", () => openTab("messages"));
    dom.clockButtons.hour.addEventListener("click", () => advanceClock("hour"));
    dom.clockButtons.day.addEventListener("click", () => advanceClock("day"));
    dom.clockButtons.monday.addEventListener("click", () => advanceClock("monday"));
    dom.reset.addEventListener("click", resetSandbox);

    dom.composerForm.addEventListener("submit", (event) => {
      event.preventDefault();
      sendComposer();
    });
    dom.composer.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        sendComposer();
      }
    });
    dom.composer.addEventListener("input", fitComposer);
    dom.replyingCancel.addEventListener("click", () => replyInThread(null, null));

    dom.modalSubmit.addEventListener("click", submitModal);
    dom.modalClose.addEventListener("click", closeModal);
    dom.overlay.addEventListener("keydown", (event) => {
      if (event.key === "Escape") closeModal();
    });

    document.addEventListener("click", (event) => {
      if (!event.target.closest(".reaction-picker")) closePickers();
    });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape") closePickers();
    });
  }

  async function start() {
    page.me = recall("me");
    page.conversation = recall("conversation") || DM;
    page.tab = recall("tab") === "home" ? "home" : "messages";
    wire();
    listen();
    await showEverything();
  }

  start();
})();
