// The sandbox chat page: talk to the bot as simulated Telegram users through /sandbox/.
//
// Message text is never parsed as HTML: every message is built from its text and entities
// with DOM nodes and textContent, so article text such as "<script>" shows as text.
"use strict";

const FIRST_USER_ID = 1001;
const EVENTS_WAIT = 25; // seconds the server may hold the long poll
const RETRY_MS = 2000; // after a failed long poll (server restarting)
const TOAST_MS = 3000; // and a little longer for each character, so a long one can be read
const TOAST_MS_PER_CHAR = 40;
const TOAST_MAX_MS = 10000;
const STUCK_SLACK_PX = 8; // this close to the end of a chat counts as reading its newest message
const NARROW = "(max-width: 759px)"; // as in style.css: the request log goes under the chats
const FOLD_KEY = "digestbot-sandbox:requests-folded";
const MAX_TOASTS = 3;
const MAX_REQUEST_ROWS = 300;
const SAFE_PROTOCOLS = new Set(["http:", "https:", "tg:", "mailto:"]);

// user id -> {user, root, list, stuck, messages: Map(message_id -> {sig, el})}
const chats = new Map();
let version = -1;
let offline = false;
let requestSeq = 0;
let clock = null; // {now: Date, speed, at: ms} or null when no bot answers /sandbox/clock
let refreshing = null;
let refreshAgain = false;

// -- helpers -------------------------------------------------------------------------------------

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

async function api(method, path, body) {
  const options = { method, headers: {} };
  if (body !== undefined) {
    options.body = JSON.stringify(body);
    options.headers["Content-Type"] = "application/json";
  }
  const response = await fetch(path, options);
  let payload = null;
  try {
    payload = await response.json();
  } catch (_) {
    payload = null;
  }
  if (!response.ok) {
    const error = new Error((payload && payload.error) || `${method} ${path}: ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return payload;
}

function toast(text, alert) {
  const box = el("div", alert ? "toast alert" : "toast", text);
  box.setAttribute("role", alert ? "alert" : "status");
  const toasts = document.getElementById("toasts");
  toasts.appendChild(box);
  while (toasts.childElementCount > MAX_TOASTS) toasts.firstElementChild.remove();
  box.addEventListener("click", () => box.remove());
  setTimeout(() => box.remove(), Math.min(TOAST_MS + text.length * TOAST_MS_PER_CHAR, TOAST_MAX_MS));
}

// A failed call says so, unless the server is down: the banner already says that.
function toastError(error) {
  if (!offline) toast(error.message, true);
}

function safeUrl(url) {
  try {
    const parsed = new URL(url, window.location.href);
    return SAFE_PROTOCOLS.has(parsed.protocol) ? parsed.href : null;
  } catch (_) {
    return null;
  }
}

function link(url, text) {
  const a = el("a", "link", text);
  const href = safeUrl(url);
  if (href) {
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
  }
  a.title = url;
  return a;
}

// -- rendering text with entities ----------------------------------------------------------------

function isWordChar(ch) {
  return /[\p{L}\p{N}_]/u.test(ch);
}

// Telegram clients make "/command" in a bot's text tappable even without an entity.
function appendPlain(parent, text, userId, detectCommands) {
  if (!detectCommands) {
    parent.appendChild(document.createTextNode(text));
    return;
  }
  const pattern = /\/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const start = match.index;
    const end = start + match[0].length;
    const before = start > 0 ? text[start - 1] : "";
    const after = end < text.length ? text[end] : "";
    if ((before && (isWordChar(before) || before === "/")) || (after && (isWordChar(after) || after === "/"))) {
      continue;
    }
    if (start > last) parent.appendChild(document.createTextNode(text.slice(last, start)));
    parent.appendChild(commandLink(match[0], userId));
    last = end;
  }
  if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
}

function commandLink(command, userId) {
  const a = el("a", "command", command);
  a.href = "#";
  a.addEventListener("click", (event) => {
    event.preventDefault();
    sendText(userId, command.replace(/@[A-Za-z0-9_]+$/, ""));
  });
  return a;
}

// The element an entity becomes; `inner` is where its content goes. Null: plain content.
function entityElement(entity, text, userId) {
  switch (entity.type) {
    case "bold":
      return el("strong");
    case "italic":
      return el("em");
    case "underline":
      return el("u");
    case "strikethrough":
      return el("s");
    case "code":
      return el("code");
    case "pre": {
      const pre = el("pre");
      const code = el("code");
      if (entity.language) code.dataset.language = entity.language;
      pre.appendChild(code);
      return { outer: pre, inner: code };
    }
    case "blockquote":
    case "expandable_blockquote":
      return el("blockquote", entity.type === "expandable_blockquote" ? "expandable" : "");
    case "spoiler": {
      const span = el("span", "spoiler");
      span.title = "spoiler: click to reveal";
      span.addEventListener("click", () => span.classList.toggle("revealed"));
      return span;
    }
    case "text_link":
      return link(entity.url || "", undefined);
    case "url":
      return link(/^[a-z][a-z0-9+.-]*:/i.test(text) ? text : `http://${text}`, undefined);
    case "email":
      return link(`mailto:${text}`, undefined);
    case "bot_command":
      return { outer: commandLink(text, userId), inner: null };
    case "mention":
    case "text_mention":
    case "hashtag":
    case "cashtag":
      return el("span", entity.type);
    default:
      return null;
  }
}

function byPosition(a, b) {
  return a.offset - b.offset || b.length - a.length;
}

// Nest entities (offsets in UTF-16 code units, which is what JavaScript strings index by);
// an entity that crosses its parent's end is split in two, as HTML would need.
function renderRange(parent, text, start, end, entities, userId, detect) {
  let pos = start;
  let pending = entities.slice().sort(byPosition);
  while (pending.length) {
    const entity = pending[0];
    const entityEnd = Math.min(entity.offset + entity.length, end);
    if (entity.offset > pos) appendPlain(parent, text.slice(pos, entity.offset), userId, detect);
    const inside = [];
    const after = [];
    for (const other of pending.slice(1)) {
      const otherEnd = other.offset + other.length;
      if (other.offset >= entityEnd) after.push(other);
      else if (otherEnd <= entityEnd) inside.push(other);
      else {
        inside.push({ ...other, length: entityEnd - other.offset });
        after.push({ ...other, offset: entityEnd, length: otherEnd - entityEnd });
      }
    }
    const content = text.slice(entity.offset, entityEnd);
    const made = entityElement(entity, content, userId);
    if (made === null) {
      renderRange(parent, text, entity.offset, entityEnd, inside, userId, detect);
    } else {
      const outer = made.outer || made;
      const inner = made.outer ? made.inner : made;
      parent.appendChild(outer);
      if (inner) {
        const plainInside = detect && !["code", "pre", "text_link", "url"].includes(entity.type);
        renderRange(inner, text, entity.offset, entityEnd, inside, userId, plainInside);
      }
    }
    pos = Math.max(pos, entityEnd);
    pending = after.sort(byPosition);
  }
  if (pos < end) appendPlain(parent, text.slice(pos, end), userId, detect);
}

function renderText(text, entities, userId, fromBot) {
  const body = el("div", "text");
  const valid = (entities || []).filter((e) => e.length > 0 && e.offset >= 0 && e.offset < text.length);
  renderRange(body, text, 0, text.length, valid, userId, fromBot);
  return body;
}

// -- messages and keyboards ----------------------------------------------------------------------

function keyboardButton(button, userId, messageId) {
  if (button.url) {
    const a = link(button.url, button.text);
    a.className = "inline-button url-button";
    a.setAttribute("role", "button");
    return a;
  }
  const b = el("button", "inline-button", button.text);
  b.type = "button";
  if (button.callback_data !== undefined) {
    b.addEventListener("click", () => pressButton(userId, messageId, button.callback_data, b));
  } else {
    b.disabled = true;
    b.title = "this kind of button is not simulated";
  }
  return b;
}

function renderKeyboard(markup, userId, messageId) {
  const box = el("div", "keyboard");
  if (markup && Array.isArray(markup.inline_keyboard)) {
    for (const row of markup.inline_keyboard) {
      const line = el("div", "keyboard-row");
      for (const button of row) line.appendChild(keyboardButton(button, userId, messageId));
      box.appendChild(line);
    }
  } else if (markup && Array.isArray(markup.keyboard)) {
    box.classList.add("reply-keyboard");
    for (const row of markup.keyboard) {
      const line = el("div", "keyboard-row");
      for (const button of row) {
        const label = typeof button === "string" ? button : button.text;
        const b = el("button", "inline-button", label);
        b.type = "button";
        b.addEventListener("click", () => sendText(userId, label));
        line.appendChild(b);
      }
      box.appendChild(line);
    }
  }
  return box;
}

function renderMessage(message, userId) {
  const item = el("li", message.from_bot ? "msg bot" : "msg user");
  item.dataset.messageId = String(message.message_id);
  const bubble = el("div", "bubble");
  if (message.document) {
    bubble.appendChild(el("div", "document", `📄 ${message.document.file_name || "file"}`));
  }
  bubble.appendChild(renderText(message.text || "", message.entities, userId, message.from_bot));
  const meta = el("div", "meta");
  const when = new Date(message.date * 1000);
  meta.textContent = `${message.edited ? "edited · " : ""}${when.toLocaleTimeString()}`;
  bubble.appendChild(meta);
  item.appendChild(bubble);
  if (message.reply_markup) item.appendChild(renderKeyboard(message.reply_markup, userId, message.message_id));
  return item;
}

function signature(message) {
  return JSON.stringify([message.text, message.entities, message.reply_markup, message.edited, message.document]);
}

function applyTranscript(chat, transcript) {
  const seen = new Set();
  let previous = null;
  let added = false;
  for (const message of transcript) {
    seen.add(message.message_id);
    const sig = signature(message);
    const known = chat.messages.get(message.message_id);
    let node;
    if (known && known.sig === sig) {
      node = known.el;
    } else {
      node = renderMessage(message, chat.user.id);
      if (known) known.el.replaceWith(node);
      else added = true;
      chat.messages.set(message.message_id, { sig, el: node });
    }
    const expected = previous ? previous.nextSibling : chat.list.firstChild;
    if (expected !== node) chat.list.insertBefore(node, expected);
    previous = node;
  }
  for (const [id, known] of chat.messages) {
    if (!seen.has(id)) {
      known.el.remove();
      chat.messages.delete(id);
    }
  }
  if (added || chat.stuck) scrollToEnd(chat); // new messages come into view
}

function scrollToEnd(chat) {
  chat.list.scrollTop = chat.list.scrollHeight;
  chat.stuck = true;
}

// A chat shows its newest message until its reader scrolls up, also when its box shrinks later
// (the header wraps, a sideways scrollbar appears, the window is resized).
function followEnd(chat) {
  const list = chat.list;
  list.addEventListener("scroll", () => {
    chat.stuck = list.scrollHeight - list.scrollTop - list.clientHeight <= STUCK_SLACK_PX;
  });
  new ResizeObserver(() => {
    if (chat.stuck) list.scrollTop = list.scrollHeight;
  }).observe(list);
}

// -- users and their chat columns ----------------------------------------------------------------

function chatColumn(user) {
  let chat = chats.get(user.id);
  if (chat) {
    chat.user = user;
    chat.title.textContent = user.first_name;
    chat.language.textContent = user.language_code || "no language";
    return chat;
  }
  const root = el("section", "chat");
  root.dataset.userId = String(user.id);
  const head = el("header", "chat-head");
  const title = el("strong", "chat-title", user.first_name);
  const language = el("span", "chat-language", user.language_code || "no language");
  head.append(title, " ", language, " ", el("span", "chat-id", `#${user.id}`));
  const list = el("ol", "messages");
  const menu = el("div", "command-menu");
  menu.hidden = true;
  const form = el("form", "composer");
  const menuButton = el("button", "menu-button", "/");
  menuButton.type = "button";
  menuButton.title = "the bot's commands";
  const input = el("input", "message-input");
  input.name = "text";
  input.placeholder = "Message";
  input.autocomplete = "off";
  const send = el("button", "send-button", "Send");
  send.type = "submit";
  form.append(menuButton, input, send);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    sendText(user.id, text);
  });
  menuButton.addEventListener("click", () => toggleCommands(chat, menu));
  root.append(head, list, menu, form);
  document.getElementById("chats").appendChild(root);
  document.getElementById("no-users").hidden = true;
  chat = { user, root, list, title, language, stuck: true, messages: new Map() };
  chats.set(user.id, chat);
  followEnd(chat);
  return chat;
}

// Users the server no longer knows (it was restarted) lose their column.
function dropChatsExcept(users) {
  const known = new Set(users.map((user) => user.id));
  for (const [id, chat] of chats) {
    if (!known.has(id)) {
      chat.root.remove();
      chats.delete(id);
    }
  }
  document.getElementById("no-users").hidden = chats.size > 0;
}

async function toggleCommands(chat, menu) {
  if (!menu.hidden) {
    menu.hidden = true;
    return;
  }
  menu.replaceChildren();
  try {
    const commands = await api("GET", `/sandbox/users/${chat.user.id}/commands`);
    if (!commands.length) menu.appendChild(el("div", "hint", "The bot has set no commands."));
    for (const command of commands) {
      const row = el("button", "command-row");
      row.type = "button";
      row.append(el("code", "", `/${command.command}`), " ", el("span", "", command.description));
      row.addEventListener("click", () => {
        menu.hidden = true;
        sendText(chat.user.id, `/${command.command}`);
      });
      menu.appendChild(row);
    }
  } catch (error) {
    menu.appendChild(el("div", "hint", error.message));
  }
  menu.hidden = false;
}

async function addUser(name, languageCode) {
  const id = Math.max(FIRST_USER_ID - 1, ...chats.keys()) + 1;
  const user = await api("POST", "/sandbox/users", { id, first_name: name, language_code: languageCode });
  chatColumn(user);
  scheduleRefresh();
}

// -- actions -------------------------------------------------------------------------------------

async function sendText(userId, text) {
  try {
    await api("POST", `/sandbox/users/${userId}/messages`, { text });
  } catch (error) {
    toastError(error);
  }
}

async function pressButton(userId, messageId, data, button) {
  button.classList.add("pressed");
  try {
    const result = await api("POST", `/sandbox/users/${userId}/callbacks`, { message_id: messageId, data });
    const answer = result.answer;
    if (answer && answer.text) toast(answer.text, Boolean(answer.show_alert));
    if (answer && answer.url) {
      const href = safeUrl(answer.url);
      if (href) window.open(href, "_blank", "noopener");
    }
  } catch (error) {
    toastError(error);
  } finally {
    button.classList.remove("pressed");
  }
}

// -- the Bot API request log ---------------------------------------------------------------------

function verdict(entry) {
  const response = entry.response;
  if (response === null || response === undefined) return "connection dropped";
  if (!response.ok) return response.description || `error ${entry.status}`;
  if (entry.method === "getUpdates" && Array.isArray(response.result)) {
    return `${response.result.length} update(s)`;
  }
  return "ok";
}

function isEmptyPoll(entry) {
  return entry.method === "getUpdates" && entry.ok && Array.isArray(entry.response.result) && !entry.response.result.length;
}

function addRequestRows(entries) {
  const log = document.getElementById("request-log");
  for (const entry of entries) {
    requestSeq = Math.max(requestSeq, entry.seq);
    const row = el("li", entry.ok ? "request ok" : "request failed");
    if (isEmptyPoll(entry)) row.classList.add("empty-poll");
    const chat = entry.params && entry.params.chat_id !== undefined ? ` → ${entry.params.chat_id}` : "";
    row.append(
      el("span", "request-method", `${entry.method}${chat}`),
      el("span", "request-status", String(entry.status)),
      el("span", "request-verdict", verdict(entry)),
    );
    row.title = JSON.stringify(entry.params).slice(0, 500);
    log.appendChild(row);
  }
  while (log.childElementCount > MAX_REQUEST_ROWS) log.firstElementChild.remove();
  log.scrollTop = log.scrollHeight;
}

// -- the bot's clock and digests -----------------------------------------------------------------

function showClock() {
  const target = document.getElementById("clock-now");
  if (!clock) {
    target.textContent = "(no bot)";
    return;
  }
  const now = new Date(clock.now.getTime() + (Date.now() - clock.at) * clock.speed);
  target.textContent = `${now.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  target.dateTime = now.toISOString();
}

function takeClock(view) {
  clock = { now: new Date(view.now), speed: view.speed, at: Date.now() };
  const select = document.getElementById("clock-speed");
  if (document.activeElement !== select) select.value = String(view.speed);
  showClock();
}

async function refreshClock() {
  try {
    takeClock(await api("GET", "/sandbox/clock"));
  } catch (error) {
    if (error.status !== 404) throw error;
    clock = null;
    showClock();
  }
}

// The bot explains what it planned and why (or why nothing); older bots send only counts.
function planSummary(result) {
  return result.summary || `Planned ${result.planned} digest(s), ${result.messages} message(s)`;
}

async function moveClock(body) {
  try {
    const result = await api("POST", "/sandbox/clock", body);
    takeClock(result);
    toast(planSummary(result));
  } catch (error) {
    if (error.status === 404) toast("No bot is running in this sandbox: the clock is the bot's.", true);
    else toastError(error);
  }
}

async function sendDigests() {
  try {
    toast(planSummary(await api("POST", "/sandbox/digests/send", {})));
  } catch (error) {
    if (error.status === 404) toast("No bot is running in this sandbox.", true);
    else toastError(error);
  }
}

// -- live updates --------------------------------------------------------------------------------

async function refreshAll() {
  const users = await api("GET", "/sandbox/users");
  dropChatsExcept(users);
  for (const user of users) chatColumn(user);
  await Promise.all(
    [...chats.values()].map(async (chat) => {
      applyTranscript(chat, await api("GET", `/sandbox/chats/${chat.user.id}/messages`));
    }),
  );
  addRequestRows(await api("GET", `/sandbox/requests?since=${requestSeq}`));
  await refreshClock();
}

// One refresh at a time; a request made meanwhile runs once more after it.
function scheduleRefresh() {
  if (refreshing) {
    refreshAgain = true;
    return refreshing;
  }
  refreshing = refreshAll()
    .catch(toastError)
    .finally(() => {
      refreshing = null;
      if (refreshAgain) {
        refreshAgain = false;
        scheduleRefresh();
      }
    });
  return refreshing;
}

// The server stopped (or came back): say so in words, not only in colour.
function setOffline(stopped) {
  if (stopped === offline) return;
  offline = stopped;
  document.body.classList.toggle("offline", stopped);
  document.getElementById("offline").hidden = !stopped;
  if (stopped) version = -1; // a restarted server counts its versions from the start again
}

async function listen() {
  for (;;) {
    try {
      const result = await api("GET", `/sandbox/events?since=${version}&wait=${EVENTS_WAIT}`);
      version = result.version;
      setOffline(false);
      await scheduleRefresh();
    } catch (error) {
      setOffline(error.status === undefined); // no HTTP answer at all: the server is gone
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
}

// The request log folds away (remembered in this browser); on a narrow screen it starts folded.
function setupRequestPanel() {
  const panel = document.getElementById("requests");
  const button = document.getElementById("fold-requests");
  const show = (folded) => {
    panel.classList.toggle("folded", folded);
    button.textContent = folded ? "Show" : "Hide";
    button.title = folded ? "Show the Bot API request log" : "Fold the request log away";
    button.setAttribute("aria-expanded", String(!folded));
  };
  let saved = null;
  try {
    saved = window.localStorage.getItem(FOLD_KEY);
  } catch (_) {
    saved = null; // storage may be disabled; the default is fine
  }
  show(saved === null ? window.matchMedia(NARROW).matches : saved === "true");
  button.addEventListener("click", () => {
    const folded = !panel.classList.contains("folded");
    show(folded);
    try {
      window.localStorage.setItem(FOLD_KEY, String(folded));
    } catch (_) {
      // not remembered; it still folds
    }
  });
}

function start() {
  document.getElementById("add-user").addEventListener("submit", (event) => {
    event.preventDefault();
    const name = document.getElementById("user-name");
    const language = document.getElementById("user-language");
    if (!name.value.trim()) return;
    addUser(name.value.trim(), language.value).catch(toastError);
    name.value = "";
  });
  document.getElementById("send-digests").addEventListener("click", sendDigests);
  document.getElementById("clock-speed").addEventListener("change", (event) => {
    moveClock({ speed: Number(event.target.value) });
  });
  document.getElementById("advance-hour").addEventListener("click", () => moveClock({ advance_minutes: 60 }));
  document.getElementById("advance-day").addEventListener("click", () => moveClock({ advance_minutes: 1440 }));
  document.getElementById("show-polls").addEventListener("change", (event) => {
    document.getElementById("request-log").classList.toggle("show-polls", event.target.checked);
  });
  setupRequestPanel();
  setInterval(showClock, 250); // at 3600x a second is an hour
  listen();
}

start();
