// The gen dev console: polls the JSON under /_local/ every 2 s and renders the active section.
// No build step, no dependencies. Actions are same-origin fetches (POST), never cross-site forms.
"use strict";

const POLL_MS = 2000;
const state = { tab: "requests", selected: null, lastRequests: -1, lastEvents: -1, tablePage: null, dlqShown: null, lastReload: null, itemsTicket: 0 };
const $ = (id) => document.getElementById(id);

function esc(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

function pretty(text) {
  if (text === null || text === undefined) return "";
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch { return String(text); }
}

async function getJson(path) {
  const answer = await fetch(path, { headers: { Accept: "application/json" }, cache: "no-store" });
  const body = await answer.json().catch(() => ({}));
  if (!answer.ok) throw new Error(body.message || `${path}: HTTP ${answer.status}`);
  return body;
}

async function post(path) {
  const answer = await fetch(path, { method: "POST", headers: { Accept: "application/json" } });
  const body = await answer.json().catch(() => ({}));
  return { ok: answer.ok, status: answer.status, body };
}

function notify(text, kind) {
  const notice = $("notice");
  notice.className = kind || "";
  notice.textContent = text;
}

// Replace a container's content, keeping keyboard focus on the element with the same data-key.
// Opened <details> stay open (their <summary> carries the data-key).
function render(container, html) {
  const active = document.activeElement;
  const key = active && container.contains(active) ? active.dataset.key : null;
  const open = [...container.querySelectorAll("details[open] > summary[data-key]")].map((s) => s.dataset.key);
  container.innerHTML = html;
  for (const openKey of open) {
    const summary = container.querySelector(`summary[data-key="${CSS.escape(openKey)}"]`);
    if (summary) summary.parentElement.open = true;
  }
  if (key) {
    const again = container.querySelector(`[data-key="${CSS.escape(key)}"]`);
    if (again) again.focus();
  }
}

function time(epochSeconds) {
  return new Date(epochSeconds * 1000).toLocaleTimeString();
}

function statusClass(status) {
  return status >= 500 ? "bad" : status >= 400 ? "warn" : "ok";
}

// --- requests ------------------------------------------------------------------------------

async function refreshRequests() {
  const data = await getJson("/_local/requests");
  if (data.last === state.lastRequests) return;
  state.lastRequests = data.last;
  if (!data.requests.length) {
    render($("request-list"), '<p class="hint">No requests yet: call the API under <code>/api</code>.</p>');
    return;
  }
  const items = data.requests.map((r) => `<li><button type="button" class="request-button" data-key="req-${esc(r.id)}"
      data-request="${esc(r.id)}" data-testid="request-row" aria-current="${r.id === state.selected}">
      <span class="badge ${statusClass(r.status)}">${esc(r.status)}</span>
      <strong>${esc(r.method)}</strong> <code>${esc(r.path)}</code>
      <span class="hint">${esc(r.operationId || "no route")} · ${esc(r.durationMs)} ms · ${time(r.startedAt)}</span>
    </button></li>`);
  render($("request-list"), `<ul class="phases" style="flex-direction:column">${items.join("")}</ul>`);
}

function block(title, body) {
  return `<h3>${esc(title)}</h3><pre>${esc(body)}</pre>`;
}

async function showRequest(id) {
  state.selected = id;
  state.lastRequests = -1;
  const t = await getJson(`/_local/requests/${encodeURIComponent(id)}`);
  const m = t.methodRequest;
  const query = Object.entries(m.query).map(([k, v]) => `${k}=${v.join(",")}`).join("&");
  const headers = m.headers.map(([k, v]) => `${k}: ${v}`).join("\n");
  const responseHeaders = Object.entries(t.response.headers).map(([k, v]) => `${k}: ${v}`).join("\n");
  const phases = t.phases.map((p) => `<li><span class="badge">${esc(p.phase)}: ${esc(p.ms)} ms</span></li>`).join("");
  const html = `<h3 data-testid="trace-title">${esc(m.method)} ${esc(m.path)} → <span class="${statusClass(t.status)}">${esc(t.status)}</span></h3>
    <p>Route: <code>${esc(t.route.resource || "none")}</code> (${esc(t.route.operationId || "no operation")})
      · request id <code>${esc(t.id)}</code></p>
    ${t.error ? `<p class="bad">Gateway response: ${esc(t.error)}</p>` : ""}
    <ul class="phases" aria-label="Timings">${phases}</ul>
    ${block("Method request", `${m.method} ${m.path}${query ? "?" + query : ""}\n${headers}\n\n${pretty(m.body)}`)}
    <div data-testid="integration-request">${block(`Integration request (${t.integrationRequest.template || "passthrough"})`,
      t.integrationRequest.rendered === null ? "(not reached)" : pretty(t.integrationRequest.rendered))}</div>
    ${block(`Service call: ${t.serviceCall.action || "(not reached)"}`,
      t.serviceCall.status === null ? "" : `HTTP ${t.serviceCall.status}\n${pretty(t.serviceCall.body)}`)}
    ${block(`Response (${t.response.template || "no template"})`, `HTTP ${t.response.status}\n${responseHeaders}\n\n${pretty(t.response.body)}`)}
    ${t.truncated.length ? `<p class="hint">Cut to 16 KiB: ${esc(t.truncated.join(", "))}</p>` : ""}`;
  $("request-detail").innerHTML = html;
  $("request-detail").focus();
  refreshRequests();
}

// --- events --------------------------------------------------------------------------------

const OUTCOME_CLASS = { acknowledged: "ok", redriven: "ok", retried: "warn", bisected: "warn", dlq: "bad", discarded: "bad", "redrive failed": "bad" };
const OUTCOME_TEXT = { dlq: "sent to DLQ" };

async function refreshEvents() {
  const stream = $("event-stream").value;
  const data = await getJson(`/_local/events${stream ? "?stream=" + encodeURIComponent(stream) : ""}`);
  const key = `${stream}:${data.last}`;
  if (key === state.lastEvents) return;
  state.lastEvents = key;
  if (!data.events.length) {
    render($("event-list"), '<p class="hint">No records processed yet.</p>');
    return;
  }
  const rows = data.events.map((e) => `<tr data-testid="event-row" data-outcome="${esc(e.outcome)}">
      <td data-label="time">${time(e.at)}</td>
      <td data-label="stream">${esc(e.stream)} <span class="hint">${esc(e.shard)}</span></td>
      <td data-label="record"><code>${esc(e.sequenceNumber)}</code> <span class="hint">key</span> <code>${esc(e.partitionKey)}</code></td>
      <td data-label="processor">${esc(e.processor)}</td>
      <td data-label="batch"><code>${esc((e.batchId || "none").slice(0, 8))}</code> <span class="hint">attempt ${esc(e.attempt)}</span></td>
      <td data-label="outcome"><span class="badge ${OUTCOME_CLASS[e.outcome] || ""}">${esc(OUTCOME_TEXT[e.outcome] || e.outcome)}</span>
        ${e.reason ? `<span class="hint">${esc(e.reason)}</span>` : ""}</td>
      <td><details><summary data-key="ev-${esc(e.seq)}">data</summary><pre>${esc(pretty(e.data))}</pre></details></td></tr>`);
  render($("event-list"), `<table class="cards"><thead><tr><th scope="col">time</th><th scope="col">stream, shard</th>
    <th scope="col">sequence, partition key</th><th scope="col">processor</th><th scope="col">batch</th><th scope="col">outcome</th>
    <th scope="col">record</th></tr></thead><tbody>${rows.join("")}</tbody></table>`);
}

// --- tables --------------------------------------------------------------------------------

async function loadTables() {
  const data = await getJson("/_local/tables");
  $("table-name").innerHTML = data.tables.map((t) => `<option value="${esc(t.name)}">${esc(t.name)}</option>`).join("");
  const streams = await getJson("/_local/streams");
  const names = [...new Set(streams.streams.map((s) => s.stream))];
  $("event-stream").insertAdjacentHTML("beforeend", names.map((n) => `<option value="${esc(n)}">${esc(n)}</option>`).join(""));
}

function cell(value) {
  return typeof value === "string" ? esc(value) : `<code>${esc(JSON.stringify(value))}</code>`;
}

async function showItems(after) {
  const name = $("table-name").value;
  const key = $("table-key").value.trim();
  const query = new URLSearchParams({ limit: "25" });
  if (key) query.set("key", key);
  if (after) query.set("after", after);
  // A later request (a query typed while a scan is in flight) wins even if it answers first.
  const ticket = ++state.itemsTicket;
  try {
    const page = await getJson(`/_local/tables/${encodeURIComponent(name)}?${query}`);
    if (ticket !== state.itemsTicket) return;
    const columns = [page.keys.partition, page.keys.sort].filter(Boolean);
    for (const item of page.items) for (const k of Object.keys(item)) if (!columns.includes(k)) columns.push(k);
    const rows = page.items.map((item) => `<tr data-testid="item-row">${columns.map((c) => `<td>${c in item ? cell(item[c]) : ""}</td>`).join("")}</tr>`);
    $("table-items").innerHTML = page.items.length
      ? `<table><thead><tr>${columns.map((c) => `<th scope="col">${esc(c)}</th>`).join("")}</tr></thead><tbody>${rows.join("")}</tbody></table>`
      : '<p class="hint">No items.</p>';
    state.tablePage = page.next;
    $("table-next").hidden = !page.next;
    notify(`${page.items.length} item(s) of ${name}${key ? ` with ${page.keys.partition} = ${key}` : ""}`);
  } catch (error) {
    notify(error.message, "bad");
  }
}

// --- streams, schedules, dead letters --------------------------------------------------------

async function refreshStreams() {
  const data = await getJson("/_local/streams");
  const html = data.streams.map((s) => `<h3>${esc(s.stream)} → ${esc(s.processor)}</h3>
    <table><thead><tr><th>shard</th><th>checkpoint</th><th>tip</th><th>lag</th></tr></thead><tbody>
    ${s.shards.map((sh) => `<tr data-testid="shard-row"><td>${esc(sh.shard)}</td><td>${esc(sh.checkpoint ?? "none")}</td>
      <td>${esc(sh.tip ?? "?")}</td><td class="${sh.lag ? "warn" : "ok"}">${esc(sh.lag ?? "?")}</td></tr>`).join("")}</tbody></table>`);
  render($("stream-list"), html.join("") || '<p class="hint">No stream processors.</p>');
}

async function refreshSchedules() {
  const data = await getJson("/_local/schedules");
  const rows = data.schedules.map((s) => {
    const last = s.lastRun;
    const outcome = last ? `<span class="${last.ok ? "ok" : "bad"}">${last.ok ? "ok" : esc(last.error)}</span> ${esc(last.startedAt)}` : "never";
    return `<tr data-testid="schedule-row" data-name="${esc(s.name)}"><td>${esc(s.name)}</td><td><code>${esc(s.expression)}</code></td>
      <td>${esc(s.nextRun ?? "none")}</td><td>${esc(s.runs)}</td><td>${outcome}</td>
      <td><button type="button" data-fire="${esc(s.name)}" data-key="fire-${esc(s.name)}">Fire ${esc(s.name)} now</button></td></tr>`;
  });
  render($("schedule-list"), rows.length ? `<table><thead><tr><th>name</th><th>schedule</th><th>next run (UTC)</th><th>runs</th>
    <th>last run</th><th><span class="hint">action</span></th></tr></thead><tbody>${rows.join("")}</tbody></table>`
    : '<p class="hint">No scheduled processors.</p>');
}

async function fire(name) {
  const answer = await post(`/_local/schedules/${encodeURIComponent(name)}/fire`);
  notify(answer.ok ? `${name} ran in ${answer.body.durationMs} ms` : `${name} failed: ${answer.body.error || answer.body.message}`, answer.ok ? "ok" : "bad");
  refreshSchedules();
}

async function refreshDlq() {
  const data = await getJson("/_local/dlq");
  const rows = data.queues.map((q) => `<tr data-testid="dlq-row"><td>${esc(q.processor)}</td><td>${esc(q.messages)}</td>
    <td><button type="button" data-show-dlq="${esc(q.processor)}" data-key="show-${esc(q.processor)}">Show messages of ${esc(q.processor)}</button>
    ${q.redrive ? `<button type="button" data-redrive="${esc(q.processor)}" data-key="redrive-${esc(q.processor)}" ${q.messages ? "" : "disabled"}>Redrive ${esc(q.processor)}</button>` : ""}</td></tr>`);
  render($("dlq-list"), rows.length ? `<table><thead><tr><th>processor</th><th>messages</th><th><span class="hint">actions</span></th></tr></thead>
    <tbody>${rows.join("")}</tbody></table>` : '<p class="hint">No dead-letter queues.</p>');
}

async function showDlq(name) {
  state.dlqShown = name;
  const data = await getJson(`/_local/dlq/${encodeURIComponent(name)}`);
  const html = data.messages.map((m) => `<article data-testid="dlq-message"><h3>${esc(m.condition)}: ${esc(m.shard)}
      ${esc(m.startSequenceNumber)}…${esc(m.endSequenceNumber)} (${esc(m.batchSize)} records)</h3>
      ${m.records.map((r) => `<pre>${esc(r.sequenceNumber)} ${esc(r.partitionKey)}\n${esc(pretty(r.data))}</pre>`).join("")}</article>`);
  $("dlq-messages").innerHTML = `<h3>${esc(name)}: ${data.messages.length} message(s)</h3>${html.join("")}`;
}

async function redrive(name) {
  const answer = await post(`/_local/dlq/${encodeURIComponent(name)}/redrive`);
  const body = answer.body;
  notify(answer.ok ? `${name}: ${body.redriven} record(s) redriven, ${body.failed} message(s) still failing`
    : `${name}: ${body.message}`, answer.ok && !body.failed ? "ok" : "bad");
  refreshDlq();
  if (state.dlqShown === name) showDlq(name);
}

// --- the stack: where its state lives, the last gen dev --watch reload ------------------------

const RELOAD_HEAD = { invalid: "failed: the spec is invalid", refused: "refused", failed: "failed" };

function clock(epochSeconds) {
  const d = new Date(epochSeconds * 1000);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, "0")).join(":");
}

function changed(paths) {
  return paths.slice(0, 3).join(", ") + (paths.length > 3 ? ` and ${paths.length - 3} more` : "");
}

// One located diagnostic as the terminal prints it: file:line:col: error[CODE]: message, then its hint.
function diagnostic(d) {
  const line = String(d.text || "").split("\n")[0] || `${d.file}:${d.line}:${d.col}: ${d.level}[${d.code}]: ${d.message}`;
  return `<li data-testid="reload-${d.level === "error" ? "error" : "warning"}"><code>${esc(line)}</code>
    ${d.hint ? `<br><span class="hint">hint: ${esc(d.hint)}</span>` : ""}</li>`;
}

function diagnostics(list) {
  return list.length ? `<ul class="diagnostics">${list.map(diagnostic).join("")}</ul>` : "";
}

async function refreshStack() {
  const status = await getJson("/_local/status");
  if (status.state) $("stack-state").textContent = `State: ${status.state.line}`;
  const reload = status.reload;  // absent without --watch
  const key = reload ? `${reload.generation}:${reload.state}` : "";
  if (key === state.lastReload) return;  // redrawn (and announced) once per reload
  state.lastReload = key;
  const failed = reload && reload.state in RELOAD_HEAD;
  $("reload-failed").innerHTML = failed ? `<h2>Reload ${esc(RELOAD_HEAD[reload.state])}; still serving the previous version</h2>
    <p>Saved at ${clock(reload.at)}: <code>${esc(changed(reload.changed))}</code></p>
    ${reload.message ? `<p>${esc(reload.message)}</p>` : ""}
    ${diagnostics(reload.errors)}${diagnostics(reload.warnings)}
    <button type="button" id="reload-hide">Hide until the next reload</button>` : "";
  let ok = "";
  if (reload && reload.state === "watching") ok = "<p>Watching spec/ and handwritten/: a save reloads the stack.</p>";
  else if (reload && reload.state === "reloaded") {
    const what = reload.reloaded.join(" and ");
    const created = Object.entries(reload.created).map(([t, n]) => `table ${t} created (${n} seeded)`);
    const kept = reload.kept.map((k) => `${k} kept with its data (no longer in the spec)`);
    ok = `<p>Reloaded at ${clock(reload.at)} (${esc(changed(reload.changed))}: ${esc(what)}, ${esc(Math.round(reload.tookMs))} ms)
      ${[...created, ...kept].map((line) => `<br><span class="hint">${esc(line)}</span>`).join("")}</p>${diagnostics(reload.warnings)}`;
  }
  $("reload-ok").innerHTML = ok;
}

// --- wiring --------------------------------------------------------------------------------

const REFRESH = { requests: refreshRequests, events: refreshEvents, tables: null, streams: refreshStreams, schedules: refreshSchedules, dlq: refreshDlq };

function showTab(tab) {
  state.tab = tab;
  for (const button of document.querySelectorAll("[data-tab]")) button.setAttribute("aria-pressed", String(button.dataset.tab === tab));
  for (const name of Object.keys(REFRESH)) $(name).hidden = name !== tab;
  if (location.hash !== `#${tab}`) history.replaceState(null, "", `#${tab}`);
  tick();
}

async function tick() {
  refreshStack().catch((error) => notify(`cannot reach gen dev: ${error.message}`, "bad"));
  const refresh = REFRESH[state.tab];
  if (!refresh) return;
  try {
    await refresh();
  } catch (error) {
    notify(`cannot reach gen dev: ${error.message}`, "bad");
  }
}

document.addEventListener("click", (event) => {
  const target = event.target.closest("button");
  if (!target) return;
  if (target.dataset.tab) showTab(target.dataset.tab);
  else if (target.dataset.request) showRequest(target.dataset.request).catch((e) => notify(e.message, "bad"));
  else if (target.dataset.fire) fire(target.dataset.fire);
  else if (target.dataset.showDlq) showDlq(target.dataset.showDlq).catch((e) => notify(e.message, "bad"));
  else if (target.dataset.redrive) redrive(target.dataset.redrive);
  else if (target.id === "table-next") showItems(state.tablePage);
  else if (target.id === "reload-hide") {
    $("reload-failed").innerHTML = "";
    document.querySelector("[data-tab][aria-pressed=true]").focus();  // the button is gone
  }
});
$("table-form").addEventListener("submit", (event) => { event.preventDefault(); showItems(null); });
$("event-stream").addEventListener("change", () => { state.lastEvents = -1; tick(); });

loadTables().catch((error) => notify(error.message, "bad"));
window.addEventListener("hashchange", () => {
  const wanted = location.hash.slice(1);
  if (wanted in REFRESH && wanted !== state.tab) showTab(wanted);
});
const initial = location.hash.slice(1);
showTab(initial in REFRESH ? initial : "requests");
setInterval(tick, POLL_MS);
