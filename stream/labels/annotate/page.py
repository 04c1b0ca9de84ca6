"""The page itself: plain HTML, a stylesheet and a little JavaScript (no build step).

Tweet text is hostile input: the script only ever sets it with `textContent`, and the
Content-Security-Policy of the server forbids inline scripts.
"""

HTML = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Air Paradis: annotate tweets</title>
<link rel="stylesheet" href="/app.css">
<script src="/app.js" defer></script>
</head>
<body>
<h1>Annotate tweets</h1>
<form id="login">
  <label>Name <input id="name" autocomplete="username" required></label>
  <label>Token <input id="token" type="password" autocomplete="current-password" required></label>
  <button id="signin" type="submit">Sign in</button>
  <p id="login-error" role="alert"></p>
</form>
<main id="panel" hidden>
  <p>Signed in as <b id="who"></b> <button id="signout" type="button">Sign out</button></p>
  <section id="task">
    <blockquote id="tweet"></blockquote>
    <p id="meta"></p>
    <p class="keys">
      <button data-answer="negative">negative <kbd>n</kbd></button>
      <button data-answer="neutral">neutral <kbd>u</kbd></button>
      <button data-answer="positive">positive <kbd>p</kbd></button>
      <button data-answer="skip">skip <kbd>s</kbd></button>
    </p>
  </section>
  <p id="empty" hidden>Nothing left to annotate for you.</p>
  <p id="status" role="status"></p>
  <section>
    <h2>Agreement</h2>
    <p>Cohen's kappa over the last <span id="window"></span> double-labelled tweets:
      <b id="kappa">n/a</b> on <span id="kappa-n">0</span> tweets
      (labels are trusted from <span id="kappa-min"></span>, in complete batches).</p>
    <table><thead><tr><th>annotators</th><th>kappa</th><th>tweets</th></tr></thead>
      <tbody id="pairs"></tbody></table>
    <p>Annotated tweets: <span id="trust"></span></p>
  </section>
</main>
</body>
</html>
"""

CSS = """body { font-family: sans-serif; max-width: 46rem; margin: 2rem auto; }
blockquote { font-size: 1.3rem; border-left: 4px solid #888; padding: .5rem 1rem;
  white-space: pre-wrap; overflow-wrap: anywhere; }
kbd { border: 1px solid #999; border-radius: 3px; padding: 0 .3rem; }
table { border-collapse: collapse; } td, th { padding: .2rem .8rem; text-align: left; }
#login-error { color: #b00; }
"""

JS = """"use strict";
const KEYS = {n: "negative", 1: "negative", u: "neutral", 2: "neutral",
              p: "positive", 3: "positive", s: "skip", 0: "skip"};
const $ = (id) => document.getElementById(id);
let session = sessionStorage.getItem("session");
let current = null;
let busy = false;

async function api(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: {"Content-Type": "application/json", "X-Session-Token": session || ""},
    body: JSON.stringify(body || {}),
  });
  const data = await response.json().catch(() => ({}));
  if (response.status === 401 && path !== "/api/login") { signOut(); }
  if (!response.ok) { throw new Error(data.error || response.statusText); }
  return data;
}

function fmt(value) { return value === null ? "n/a" : value.toFixed(3); }

function render(data) {
  current = data.task;
  $("task").hidden = !current;
  $("empty").hidden = !!current;
  if (current) {
    $("tweet").textContent = current.text;  // never innerHTML: tweets are hostile input
    const score = current.score === null ? "unknown" : current.score.toFixed(2);
    $("meta").textContent = `model score ${score} - ${current.kind} - ` +
      `${current.answers} answer(s) from others`;
  }
  const agreement = data.agreement;
  $("kappa").textContent = fmt(agreement.overall);
  $("kappa-n").textContent = agreement.tweets;
  $("window").textContent = agreement.window;
  $("kappa-min").textContent = agreement.kappa_min;
  const rows = agreement.pairs.map((pair) => {
    const row = document.createElement("tr");
    for (const value of [`${pair.a} / ${pair.b}`, fmt(pair.kappa), pair.tweets]) {
      const cell = document.createElement("td");
      cell.textContent = value;
      row.append(cell);
    }
    return row;
  });
  $("pairs").replaceChildren(...rows);
  $("trust").textContent = Object.entries(agreement.states)
    .map(([state, count]) => `${state}: ${count}`).join(", ") || "none yet";
}

async function send(answer) {
  if (!current || busy) { return; }
  busy = true;
  try {
    render(await api("/api/answer", {tweet_id: current.tweet_id, answer}));
    $("status").textContent = `saved: ${answer}`;
  } catch (error) {
    $("status").textContent = `not saved: ${error.message}`;
  } finally { busy = false; }
}

function signOut() {
  session = null;
  sessionStorage.removeItem("session");
  $("panel").hidden = true;
  $("login").hidden = false;
}

async function start() {
  $("login").hidden = true;
  $("panel").hidden = false;
  $("who").textContent = sessionStorage.getItem("name");
  render(await api("/api/next"));
}

$("login").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    const data = await api("/api/login", {name: $("name").value, token: $("token").value});
    session = data.session;
    sessionStorage.setItem("session", session);
    sessionStorage.setItem("name", data.name);
    $("token").value = "";
    $("login-error").textContent = "";
    await start();
  } catch (error) { $("login-error").textContent = error.message; }
});
$("signout").addEventListener("click", async () => {
  await api("/api/logout").catch(() => null);
  signOut();
});
for (const button of document.querySelectorAll("[data-answer]")) {
  button.addEventListener("click", () => send(button.dataset.answer));
}
document.addEventListener("keydown", (event) => {
  if ($("panel").hidden || event.target.tagName === "INPUT") { return; }
  if (event.ctrlKey || event.metaKey || event.altKey) { return; }
  const answer = KEYS[event.key.toLowerCase()];
  if (answer) { event.preventDefault(); send(answer); }
});
if (session) { start().catch(signOut); }
"""
