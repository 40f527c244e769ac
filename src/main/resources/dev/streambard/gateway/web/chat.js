// The chat page: one EventSource per session (the browser resumes it with Last-Event-ID after a drop),
// requests POSTed with an id made here, so chunks that arrive before the POST's answer still find their turn.
"use strict";

const $ = (id) => document.getElementById(id);
const turns = new Map(); // requestId -> {box, generated, meta}
let source = null;
let opened = null; // resolves once the event stream is attached: requests sent after it cannot be missed

function newId(prefix) {
  const random = window.crypto && crypto.randomUUID ? crypto.randomUUID() : Math.random().toString(16).slice(2) + Date.now().toString(16);
  return prefix + random;
}

function setStatus(text) { $("status").textContent = text; }
function setError(text) { $("error").textContent = text || ""; }

function connect(session) {
  if (source) source.close();
  turns.clear();
  $("transcript").replaceChildren();
  source = new EventSource("/sessions/" + encodeURIComponent(session) + "/events");
  opened = new Promise((resolve) => source.addEventListener("open", resolve, { once: true }));
  source.addEventListener("open", () => setStatus("connected"));
  source.addEventListener("error", () => {
    const closed = source.readyState === EventSource.CLOSED; // refused (a bad session id); otherwise it reconnects by itself
    setStatus(closed ? "disconnected" : "reconnecting…");
    if (closed) setError("The event stream was refused: a session id is 1 to 128 letters, digits, '.', '_', '-' or ':'.");
  });
  source.addEventListener("message", (e) => showChunk(JSON.parse(e.data)));
}

function showChunk(chunk) {
  const turn = turns.get(chunk.requestId);
  if (!turn) return; // another client's request on this session, or a cancel
  turn.generated.textContent += chunk.text;
  $("model-version").textContent = "model v" + chunk.modelVersion;
  turn.meta.textContent = "model v" + chunk.modelVersion + (chunk.done ? " · " + chunk.finishReason.toLowerCase() : "");
  if (chunk.done) {
    turn.box.classList.remove("streaming");
    turn.box.dataset.finish = chunk.finishReason;
    if (chunk.error) {
      turn.meta.textContent += ": " + chunk.error;
      turn.meta.classList.add("error");
    }
  }
  $("transcript").scrollTop = $("transcript").scrollHeight;
}

function addTurn(requestId, seed) {
  const box = document.createElement("div");
  box.className = "turn streaming";
  box.dataset.requestId = requestId;
  const seedSpan = document.createElement("span");
  seedSpan.className = seed ? "seed" : "seed continued";
  seedSpan.textContent = seed || "…";
  const generated = document.createElement("span");
  generated.className = "generated";
  const meta = document.createElement("span");
  meta.className = "meta";
  meta.textContent = "waiting…";
  box.append(seedSpan, generated, meta);
  $("transcript").append(box);
  turns.set(requestId, { box, generated, meta });
  return box;
}

async function post(path, body) {
  const response = await fetch("/sessions/" + encodeURIComponent($("session").value) + "/" + path, {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({ error: response.statusText }));
  if (!response.ok) throw new Error(answer.error || response.statusText);
  return answer;
}

async function generate(path) {
  setError("");
  const seed = $("seed").value;
  const requestId = newId("web-");
  const body = { requestId, seedText: seed, maxChars: Number($("chars").value), temperature: Number($("temperature").value) };
  await opened;
  if (path === "reset") {
    turns.clear();
    $("transcript").replaceChildren();
  }
  const box = addTurn(requestId, seed);
  try {
    await post(path, body);
    $("seed").value = "";
  } catch (e) {
    box.remove();
    turns.delete(requestId);
    setError(e.message);
  }
}

$("composer").addEventListener("submit", (e) => { e.preventDefault(); generate("requests"); });
$("reset").addEventListener("click", () => {
  if (!$("seed").value) { setError("Type the seed to start over from, then press Reset."); return; }
  generate("reset");
});
$("cancel").addEventListener("click", () => post("cancel", {}).then(() => setError(""), (e) => setError(e.message)));
$("seed").addEventListener("keydown", (e) => {
  if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); $("composer").requestSubmit(); }
});
$("session").addEventListener("change", () => {
  localStorage.setItem("streambard.session", $("session").value);
  connect($("session").value);
});

$("session").value = new URLSearchParams(location.search).get("session") || localStorage.getItem("streambard.session") || newId("web-").slice(0, 16);
connect($("session").value);
