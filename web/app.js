// The events console: load config.json, sign in with Cognito, publish CloudEvents and follow
// each one through published → processed → stored → notified.
import { initiateAuth, decodeJwtPayload, displayName, CognitoError, ChallengeError } from "./cognito.js";
import { publishEvent, getEventStatus, cloudEvent, ApiError, NetworkError } from "./api.js";

const STAGES = ["published", "processed", "stored", "notified"];
const POLL_INTERVAL_MS = 1000;
const POLL_LIMIT_MS = 60_000;
const SESSION_KEY = "events-console.session";

const $ = (id) => document.getElementById(id);

let config = null;
let session = null; // { idToken, expiresAt, name }
const trackers = new Map(); // event id → { card, startedAt, timer, stopped, generation, resumeOnSignIn }

// ------------------------------------------------------------------ helpers

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("data-") || key.startsWith("aria-") || key === "datetime" || key === "title")
      node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) if (child != null) node.append(child);
  return node;
}

/** Says something politely to screen readers, and shows it. */
function announce(message) {
  const status = $("status");
  status.textContent = "";
  // A fresh text node after a tick, so repeating the same message is announced again.
  setTimeout(() => { status.textContent = message; }, 50);
}

function showAlert(box, ...content) {
  box.replaceChildren(...content);
  box.hidden = false;
}

function clearAlert(box) {
  box.replaceChildren();
  box.hidden = true;
}

/** `at` as sent by the API (ISO 8601, or epoch seconds/milliseconds) → Date, or null. */
function parseInstant(at) {
  if (at == null || at === "") return null;
  let date;
  if (typeof at === "number") date = new Date(at < 1e12 ? at * 1000 : at);
  else date = new Date(at);
  return Number.isNaN(date.getTime()) ? null : date;
}

function clock(date) {
  return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
}

/** "sha256:0123456789abcdef…" → "01234567…"; the whole hash stays in the title. */
function shortHash(hash) {
  const text = String(hash);
  const digest = text.slice(text.lastIndexOf(":") + 1);
  return digest.length > 10 ? `${digest.slice(0, 8)}…` : digest;
}

// ------------------------------------------------------------------ configuration

function validateConfig(c) {
  const problems = [];
  const isURL = (s) => { try { new URL(s); return true; } catch { return false; } };
  if (!c || typeof c !== "object" || Array.isArray(c)) return ["it is not a JSON object"];
  if (typeof c.region !== "string" || !c.region) problems.push('"region" must be a non-empty string');
  if (typeof c.apiUrl !== "string") problems.push('"apiUrl" must be a string (empty for this page\'s origin)');
  else if (c.apiUrl && !isURL(c.apiUrl)) problems.push(`"apiUrl" is not a URL: ${c.apiUrl}`);
  const cg = c.cognito;
  if (!cg || typeof cg !== "object") {
    problems.push('"cognito" must be an object with "endpoint", "userPoolId" and "clientId"');
  } else {
    if (typeof cg.endpoint !== "string" || !isURL(cg.endpoint))
      problems.push('"cognito.endpoint" must be a URL');
    if (typeof cg.userPoolId !== "string" || !cg.userPoolId)
      problems.push('"cognito.userPoolId" must be a non-empty string');
    if (typeof cg.clientId !== "string" || !cg.clientId)
      problems.push('"cognito.clientId" must be a non-empty string');
  }
  return problems;
}

async function loadConfig() {
  let response;
  try {
    response = await fetch("config.json", { cache: "no-store" });
  } catch {
    throw ["config.json could not be fetched (network error)"];
  }
  if (!response.ok) throw [`config.json answered HTTP ${response.status}`];
  let parsed;
  try {
    parsed = JSON.parse(await response.text());
  } catch (error) {
    throw [`config.json is not valid JSON (${error.message})`];
  }
  const problems = validateConfig(parsed);
  if (problems.length) throw problems;
  return { ...parsed, apiUrl: parsed.apiUrl.replace(/\/+$/, "") };
}

function showConfigError(problems) {
  $("loading").hidden = true;
  showAlert($("config-error"),
    el("strong", { text: "This page is not configured." }),
    el("p", { text: "It needs a config.json next to index.html, shaped like " +
      '{"region": …, "apiUrl": …, "cognito": {"endpoint": …, "userPoolId": …, "clientId": …}}. What is wrong:' }),
    el("ul", {}, ...problems.map((p) => el("li", { text: p }))));
}

// ------------------------------------------------------------------ session

function saveSession(s) {
  try { sessionStorage.setItem(SESSION_KEY, JSON.stringify(s)); } catch { /* private mode: memory only */ }
}

function restoreSession() {
  try {
    const s = JSON.parse(sessionStorage.getItem(SESSION_KEY) || "null");
    if (s && typeof s.idToken === "string" && s.expiresAt > Date.now() + 5000) return s;
  } catch { /* ignore */ }
  try { sessionStorage.removeItem(SESSION_KEY); } catch { /* ignore */ }
  return null;
}

function render() {
  const signedIn = Boolean(session);
  $("loading").hidden = true;
  $("signin-section").hidden = signedIn;
  $("publish-section").hidden = !signedIn;
  $("session").hidden = !signedIn;
  $("signed-in-as").textContent = signedIn ? session.name : "";
  $("events-section").hidden = trackers.size === 0;
  $("events-empty").hidden = trackers.size > 0;
}

function startSession(tokens) {
  let claims = {};
  try { claims = decodeJwtPayload(tokens.idToken); } catch { /* an opaque token still works for the API */ }
  const expiresAt = claims.exp ? claims.exp * 1000 : Date.now() + tokens.expiresIn * 1000;
  session = { idToken: tokens.idToken, expiresAt, name: displayName(claims) };
  saveSession(session);
}

function signOut({ reason } = {}) {
  session = null;
  try { sessionStorage.removeItem(SESSION_KEY); } catch { /* ignore */ }
  for (const [id, tracker] of trackers) {
    if (tracker.stopped) continue;
    stopTracking(id, "Stopped following this event: signed out.", { action: checkAgainButton(id) });
    tracker.resumeOnSignIn = true;
  }
  clearAlert($("publish-error"));
  render();
  const signinError = $("signin-error");
  if (reason) showAlert(signinError, reason);
  else clearAlert(signinError);
  $("password").value = "";
  $("username").focus();
  announce("Signed out."); // a reason is in #signin-error, which is an alert of its own
}

async function onSignIn(event) {
  event.preventDefault();
  const form = $("signin-form");
  const errorBox = $("signin-error");
  const username = $("username").value.trim();
  const password = $("password").value;
  clearAlert(errorBox);
  if (!username || !password) {
    showAlert(errorBox, "Enter your e-mail (or user name) and your password.");
    (username ? $("password") : $("username")).focus();
    return;
  }
  const button = $("signin-submit");
  button.disabled = true;
  button.textContent = "Signing in…";
  form.setAttribute("aria-busy", "true");
  try {
    const tokens = await initiateAuth(config.cognito, username, password);
    startSession(tokens);
    $("password").value = "";
    render();
    $("publish-heading").focus();
    announce(`Signed in as ${session.name}.`);
    for (const [id, tracker] of trackers) if (tracker.resumeOnSignIn) resume(id);
  } catch (error) {
    let message;
    if (error instanceof ChallengeError) message = error.message;
    else if (error instanceof CognitoError) {
      message = error.message;
      if (error.code && error.code !== "NotAuthorizedException" && !message.includes(error.code))
        message = `${message} (${error.code})`;
    } else message = `Sign-in failed: ${error.message || error}`;
    showAlert(errorBox, message);
    $("password").focus();
    $("password").select();
  } finally {
    button.disabled = false;
    button.textContent = "Sign in";
    form.removeAttribute("aria-busy");
  }
}

// ------------------------------------------------------------------ publishing

function sessionExpiredContent() {
  const again = el("button", { type: "button", class: "button-secondary", text: "Sign in again" });
  again.addEventListener("click", () => signOut({ reason: "Your sign-in has expired or was not accepted. Please sign in again." }));
  return [
    el("strong", { text: "Not signed in (401 Unauthorized)." }),
    el("p", { text: "Your sign-in has expired or the API did not accept it. Please sign in again." }),
    again,
  ];
}

function problemContent(error) {
  const p = error.problem || {};
  const parts = [el("strong", { text: `${p.title || "The API refused the event"} (HTTP ${error.status})` })];
  if (p.detail) parts.push(el("p", { text: p.detail }));
  else if (!p.title && p.message) parts.push(el("p", { text: p.message }));
  else if (!p.title && error.message && error.message !== `HTTP ${error.status}`) parts.push(el("p", { text: error.message }));
  if (Array.isArray(p.errors) && p.errors.length) {
    parts.push(el("ul", { class: "problem-errors" }, ...p.errors.map((e) =>
      el("li", {}, el("code", { text: (e && e.pointer) || "(body)" }), " ", (e && e.detail) || ""))));
  }
  return parts;
}

async function onPublish(event) {
  event.preventDefault();
  const form = $("publish-form");
  const errorBox = $("publish-error");
  const dataField = $("event-data");
  clearAlert(errorBox);
  dataField.removeAttribute("aria-invalid");

  let data;
  try {
    data = JSON.parse(dataField.value);
  } catch (error) {
    dataField.setAttribute("aria-invalid", "true");
    showAlert(errorBox, el("strong", { text: "The data is not valid JSON." }), el("p", { text: error.message }));
    dataField.focus();
    return;
  }
  if (!session) { signOut({ reason: "Please sign in first." }); return; }

  const ce = cloudEvent({ type: $("event-type").value.trim(), source: $("event-source").value.trim(), data });
  const button = $("publish-submit");
  button.disabled = true;
  button.textContent = "Publishing…";
  form.setAttribute("aria-busy", "true");
  try {
    const id = await publishEvent(config.apiUrl, session.idToken, ce);
    track(id, ce);
    announce(`Published event ${id}. Following its progress.`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) showAlert(errorBox, ...sessionExpiredContent());
    else if (error instanceof ApiError) showAlert(errorBox, ...problemContent(error));
    else if (error instanceof NetworkError) showAlert(errorBox, error.message);
    else showAlert(errorBox, `Publishing failed: ${error.message || error}`);
  } finally {
    button.disabled = false;
    button.textContent = "Publish";
    form.removeAttribute("aria-busy");
  }
}

// ------------------------------------------------------------------ progress

function setStage(card, stage, state, { at, hash } = {}) {
  const node = card.querySelector(`[data-stage="${stage}"]`);
  node.dataset.state = state;
  const mark = { done: "✓", pending: "…", "n/a": "–" }[state];
  const detail = el("span", { class: "stage-detail" });
  let hashLine = null;
  if (state === "done") {
    if (at) detail.append(el("time", { datetime: at.toISOString(), title: at.toString(), text: clock(at) }));
    else detail.append("done");
    if (hash) {
      hashLine = el("span", { class: "stage-hash" }, "hash ",
        el("code", { class: "hash", title: String(hash), text: shortHash(hash) }));
    }
  } else if (state === "n/a") {
    detail.append("not applicable");
  } else {
    detail.append("pending");
  }
  node.replaceChildren(
    el("span", { class: "stage-mark", "aria-hidden": "true", text: mark }), " ",
    el("span", { class: "stage-name", text: stage }), " ",
    detail, ...(hashLine ? [" ", hashLine] : []));
}

function setMessage(card, text, { action } = {}) {
  const message = card.querySelector(".event-message");
  message.replaceChildren(text);
  if (action) message.append(" ", action);
}

function track(id, ce) {
  const card = $("event-template").content.firstElementChild.cloneNode(true);
  card.dataset.eventId = id;
  card.dataset.tracking = "following";
  card.querySelector(".event-type").textContent = ce.type;
  card.querySelector(".event-id").textContent = id;
  for (const stage of STAGES) setStage(card, stage, "pending");
  // The API took it (202): published, until the status document says when.
  setStage(card, "published", "done", { at: new Date() });
  setMessage(card, "Following…");
  $("events").prepend(card);
  trackers.set(id, { card, startedAt: Date.now(), timer: null, stopped: false, generation: 0, resumeOnSignIn: false });
  render();
  poll(id, 0);
}

function stopTracking(id, message, options) {
  const tracker = trackers.get(id);
  if (!tracker) return;
  clearTimeout(tracker.timer);
  tracker.timer = null;
  tracker.stopped = true;
  tracker.generation += 1; // a request in flight now finds itself outdated
  tracker.card.dataset.tracking = "stopped";
  if (message) setMessage(tracker.card, message, options);
}

/** Follows a stopped event again, for another POLL_LIMIT_MS. */
function resume(id) {
  const tracker = trackers.get(id);
  if (!tracker || !tracker.stopped) return;
  tracker.startedAt = Date.now();
  tracker.stopped = false;
  tracker.resumeOnSignIn = false;
  tracker.card.dataset.tracking = "following";
  setMessage(tracker.card, "Following…");
  poll(id, tracker.generation);
}

function checkAgainButton(id) {
  const button = el("button", { type: "button", class: "button-link", text: "Check again" });
  button.addEventListener("click", () => {
    if (!session) {
      announce("Sign in first; events stopped by signing out are followed again after you sign in.");
      $("username").focus();
      return;
    }
    resume(id);
  });
  return button;
}

/** Applies a status document to the card; true when every stage that applies is done. */
function applyStatus(card, status) {
  const pending = [];
  for (const stage of STAGES) {
    if (stage === "notified" && !Object.prototype.hasOwnProperty.call(status, "notified")) {
      setStage(card, stage, "n/a");
      continue;
    }
    const value = status[stage];
    if (value && typeof value === "object") {
      setStage(card, stage, "done", { at: parseInstant(value.at), hash: stage === "stored" ? value.payloadHash : undefined });
    } else if (stage === "published" && card.querySelector('[data-stage="published"]').dataset.state === "done") {
      // Accepted with 202; keep it done even while the record does not say so yet.
    } else {
      setStage(card, stage, "pending");
      pending.push(stage);
    }
  }
  return pending;
}

/** One GET of the status; schedules the next unless done, given up, or stopped meanwhile. */
async function poll(id, generation) {
  const tracker = trackers.get(id);
  const current = () => !tracker.stopped && tracker.generation === generation;
  if (!tracker || !current() || !session) return;
  let status = null;
  let failure = null;
  try {
    status = await getEventStatus(config.apiUrl, session.idToken, id);
    if (!status || typeof status !== "object") throw new Error("the status is not a JSON object");
  } catch (error) {
    failure = error;
  }
  if (!current()) return; // stopped (signed out, say) while the request was in flight
  if (failure instanceof ApiError && failure.status === 401) {
    stopTracking(id, "Stopped: the API no longer accepts your sign-in (401). Sign in again to go on following it.",
      { action: checkAgainButton(id) });
    tracker.resumeOnSignIn = true;
    return;
  }
  let note = "Following…";
  if (failure instanceof ApiError && failure.status === 404) note = "Following… (not visible to the API yet)";
  else if (failure) note = `Following… (last check failed: ${failure.message || failure})`;
  const pending = failure ? null : applyStatus(tracker.card, status);
  const elapsed = Date.now() - tracker.startedAt;
  if (pending && pending.length === 0) {
    stopTracking(id, `All stages done (followed for ${(elapsed / 1000).toFixed(1)} s).`);
    tracker.card.dataset.tracking = "complete";
    announce(`Event ${id}: all stages done.`);
    return;
  }
  if (elapsed >= POLL_LIMIT_MS) {
    const still = pending ? pending.join(", ") : "every stage (no status yet)";
    stopTracking(id, `Gave up after ${Math.round(POLL_LIMIT_MS / 1000)} s; still pending: ${still}.`, { action: checkAgainButton(id) });
    tracker.card.dataset.tracking = "gave-up";
    announce(`Event ${id}: gave up waiting; still pending: ${still}.`);
    return;
  }
  setMessage(tracker.card, note);
  tracker.timer = setTimeout(() => poll(id, generation), POLL_INTERVAL_MS);
}

// ------------------------------------------------------------------ start

async function main() {
  try {
    config = await loadConfig();
  } catch (problems) {
    showConfigError(Array.isArray(problems) ? problems : [String(problems)]);
    return;
  }
  $("signin-form").addEventListener("submit", onSignIn);
  $("publish-form").addEventListener("submit", onPublish);
  $("signout").addEventListener("click", () => signOut());
  $("event-data").addEventListener("input", (e) => e.target.removeAttribute("aria-invalid"));
  session = restoreSession();
  render();
  document.body.dataset.ready = "true";
}

main();
