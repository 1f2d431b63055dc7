/* StoryCore Studio: the page. Plain JavaScript, no build step.
 *
 * Data comes from the JSON API (docs/web-studio.md); live updates from the event stream
 * (/api/events). Every text from the project is set with textContent, never as HTML.
 * Views are registered in VIEWS: a view is a function (container, data) that renders it;
 * a new view (e.g. production) adds itself there and to the tab bar.
 */
"use strict";

const S = {
  lang: "en",
  labels: {},
  thread: null,
  project: null,
  stamp: null,
  pending: null,
  regenerate: null,
  running: false,
  view: "storyboard",
  stream: null, // the assistant bubble being streamed
  data: { shots: null, timeline: null, elements: null },
};

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));
const L = (key) => S.labels[key] || key;
// A camera angle or movement in the page's language (the value itself when it has no label).
const V = (kind, value) => (value ? S.labels[`vocab.${kind}.${value}`] || value : value);

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "text") el.textContent = v;
    else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

// -- API ------------------------------------------------------------------------------------

async function api(path, options = {}) {
  const init = { credentials: "same-origin", headers: {} };
  if (options.body !== undefined) {
    init.method = options.method || "POST";
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(options.body);
  } else if (options.method) {
    init.method = options.method;
  }
  const response = await fetch(path, init);
  let data = null;
  try { data = await response.json(); } catch (_) { data = null; }
  if (!response.ok) {
    const error = new Error((data && data.error) || `${response.status} ${response.statusText}`);
    error.status = response.status;
    throw error;
  }
  return data;
}

const threadPath = (suffix = "") => `/api/threads/${encodeURIComponent(S.thread)}${suffix}`;

// -- labels and language --------------------------------------------------------------------

function applyLabels() {
  document.documentElement.lang = S.lang;
  for (const el of $$("[data-label]")) el.textContent = L(el.dataset.label);
  $("#message").placeholder = L("message_placeholder");
  document.title = S.project && S.project.title ? `${S.project.title} · ${L("app_title")}` : L("app_title");
}

// -- notices and activity -------------------------------------------------------------------

function notice(text) {
  const box = $("#notice");
  box.hidden = !text;
  box.textContent = text || "";
}

function activity(text, cls = "") {
  const line = h("div", { class: `activity ${cls}`.trim(), text });
  $("#messages").append(line);
  scrollChat();
  return line;
}

function scrollChat() {
  const box = $("#messages");
  box.scrollTop = box.scrollHeight;
}

// -- the project and its views --------------------------------------------------------------

async function loadProject() {
  const project = await api("/api/project");
  S.project = project;
  S.lang = project.language;
  S.labels = project.labels;
  applyLabels();
  $("#project-title").textContent = project.exists ? project.title : project.folder;
  // Panels keep the project's frame (a 9:16 board is not letterboxed into 16:9 boxes).
  const aspect = project.specs && /^(\d+):(\d+)$/.exec(project.specs.aspect_ratio || "");
  document.documentElement.style.setProperty(
    "--panel-aspect", aspect ? `${aspect[1]} / ${aspect[2]}` : "16 / 9");
  const portrait = aspect && Number(aspect[2]) > Number(aspect[1]);
  document.documentElement.style.setProperty("--card-min", portrait ? "160px" : "230px");
  $("#project-total").textContent = project.exists && project.planned
    ? `${L("total")} ${project.total} · ${project.counts.shots} ${L("shot").toLowerCase()}s`
    : "";
  $("#project-total").hidden = !(project.exists && project.planned);
  $("#mode").textContent = project.offline ? L("offline") : `${L("online")}: ${project.mode.replace(/^model /, "")}`;
  $("#mode").title = project.mode;
  const prodTab = $('[data-view="production"]');
  prodTab.hidden = !project.production;
  notice(project.exists ? "" : L("no_project"));
  return project;
}

async function loadViews() {
  const [shots, timeline, elements] = await Promise.all([
    api("/api/shots"), api("/api/timeline"), api("/api/elements"),
  ]);
  const previous = S.data.shots;
  S.data = { shots, timeline, elements };
  renderStoryboard(shots, previous);
  renderTimeline(timeline);
  renderElements(elements);
  if (S.project && S.project.production && VIEWS.production) VIEWS.production($("#view-production"));
  markRegenerate();
}

async function refreshProject(force = false) {
  const before = S.stamp;
  const project = await loadProject();
  if (force || project.stamp !== before) {
    S.stamp = project.stamp;
    await loadViews();
  }
}

function showView(name) {
  S.view = name;
  for (const tab of $$(".tabs [role=tab]")) tab.setAttribute("aria-selected", String(tab.dataset.view === name));
  for (const view of $$(".view")) view.hidden = view.id !== `view-${name}`;
}

function openShot(shotId) {
  showView("storyboard");
  const card = document.querySelector(`.shot-card[data-shot-id="${CSS.escape(shotId)}"]`);
  if (!card) return;
  for (const other of $$(".shot-card.focused")) other.classList.remove("focused");
  card.classList.add("focused");
  card.scrollIntoView({ block: "center" });
  card.focus({ preventScroll: true });
}

function fmtSeconds(value) {
  return `${Number(value).toFixed(2).replace(/\.?0+$/, "")} s`;
}

function shotFingerprint(shot) {
  return [shot.version, shot.shot_size, shot.camera_angle, shot.camera_movement, shot.lens_mm,
    shot.model_id, shot.start, shot.end, shot.description].join("|");
}

function renderStoryboard(data, previous) {
  const root = $("#view-storyboard");
  root.replaceChildren();
  if (data.problem) root.append(h("p", { class: "notice", text: data.problem }));
  const before = new Map();
  for (const seg of (previous && previous.segments) || []) {
    for (const shot of seg.shots) before.set(shot.shot_id, shotFingerprint(shot));
  }
  for (const seg of data.segments) {
    const cards = seg.shots.map((shot) => shotCard(shot, before));
    root.append(
      h("section", { class: "segment", "data-segment-id": seg.segment_id },
        h("h2", {}, h("span", { class: "seg-id", text: seg.segment_id }),
          `${seg.title || ""} · ${seg.start} → ${seg.end} (${fmtSeconds(seg.duration_seconds)})`),
        h("div", { class: "cards" }, cards)),
    );
  }
}

function field(label, value, cls) {
  if (value === null || value === undefined || value === "") value = "–";
  const extra = cls ? { class: cls } : {};
  return [h("dt", { text: L(label), ...extra }), h("dd", { text: String(value), ...extra })];
}

function shotCard(shot, before) {
  const img = shot.panel_url
    ? h("img", { src: shot.panel_url, alt: `${L("shot")} ${shot.shot_id}`, width: 320, height: 180 })
    : h("img", { alt: `${L("shot")} ${shot.shot_id}`, width: 320, height: 180,
      src: "data:image/svg+xml," + encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" width="320" height="180"><rect width="100%" height="100%" fill="#333"/></svg>') });
  const cast = (shot.cast || []).map((c) => c.name).join(", ");
  const prompts = h("details", { class: "prompts" },
    h("summary", { text: L("prompts") }),
    h("strong", { text: L("image_prompt") }), h("p", { text: shot.image_prompt || "–" }),
    h("strong", { text: L("video_prompt") }), h("p", { text: shot.video_prompt || "–" }),
    h("strong", { text: L("negative_prompt") }), h("p", { text: shot.negative_prompt || "–" }));
  const card = h("article", {
    class: "shot-card", "data-shot-id": shot.shot_id, "data-segment-id": shot.segment_id,
    "data-version": shot.version, "data-shot-size": shot.shot_size, tabindex: "-1",
    "aria-label": `${L("shot")} ${shot.shot_id}`,
  },
  h("div", { class: "regen", text: L("will_regenerate") }),
  img,
  h("div", { class: "body" },
    h("header", {}, h("span", { class: "sid", text: shot.shot_id }),
      h("span", { class: "title", text: shot.title || "", title: shot.title || "" })),
    h("dl", {},
      field("scene", shot.scene),
      field("timecode", `${shot.start} → ${shot.end}`, "wide"),
      field("duration", `${fmtSeconds(shot.duration_seconds)} · ${shot.duration_frames} ${L("frames")}`),
      field("size", shot.shot_size),
      field("angle", V("angle", shot.camera_angle)),
      field("movement", V("movement", shot.camera_movement)),
      field("lens", shot.lens_mm ? `${shot.lens_mm} mm` : null),
      field("cast", cast),
      field("location", shot.location_name),
      field("model", shot.model_id),
      field("status", shot.locked ? `${V("shot_status", shot.status)} · ${L("locked")}` : V("shot_status", shot.status)),
      field("version", shot.version)),
    shot.model_reason ? h("div", { class: "reason", title: L("reason"), text: shot.model_reason }) : null,
    prompts));
  const old = before.get(shot.shot_id);
  if (old !== undefined && old !== shotFingerprint(shot)) card.classList.add("changed");
  return card;
}

function renderTimeline(data) {
  const root = $("#view-timeline");
  root.replaceChildren();
  if (!data.segments.length) {
    if (data.problem) root.append(h("p", { class: "notice", text: data.problem }));
    return;
  }
  const ruler = h("div", { class: "ruler", "aria-label": "SMPTE" },
    data.ruler.map((tick, i) => h("div", {
      class: i === data.ruler.length - 1 ? "tick last" : "tick",
      style: `left:${tick.left}%`, "data-frame": tick.frame,
    }, h("span", { text: tick.smpte }))));
  const strips = data.segments.map((seg) => h("div", {
    class: "strip", "data-segment-id": seg.segment_id,
    style: `left:${seg.left}%;width:${seg.width}%`, title: `${seg.segment_id} ${seg.title} ${seg.start} → ${seg.end}`,
  },
  h("div", { class: "strip-title", text: `${seg.segment_id} ${seg.title || ""}` }),
  h("div", { class: "shots" }, seg.shots.map((shot) => h("button", {
    type: "button",
    class: shot.transition_in !== "cut" ? "tshot trans-in" : "tshot",
    "data-shot-id": shot.shot_id,
    style: `flex:${shot.width_in_segment} 1 0`,
    title: `${shot.shot_id} ${shot.title} · ${shot.start} → ${shot.end} · ${shot.shot_size}` +
      (shot.transition_in !== "cut" ? ` · ${L("transition")}: ${shot.transition_in}` : ""),
    onclick: () => openShot(shot.shot_id),
  }, shot.shot_id.replace("shot_", ""))))));
  const transitions = [];
  for (const seg of data.segments) {
    if (seg.transition_in && seg.transition_in !== "cut") {
      // at a boundary, the incoming segment's transition is the one shown
      transitions.push(h("div", { class: "transition", style: `left:${seg.left}%`, text: `▸ ${seg.transition_in}` }));
    }
  }
  const last = data.segments[data.segments.length - 1];
  if (last.transition_out && last.transition_out !== "cut") {
    transitions.push(h("div", { class: "transition out", style: "left:100%", text: `${last.transition_out} ◂` }));
  }
  root.append(
    h("div", { class: "timeline" }, ruler, h("div", { class: "track" }, strips, transitions)),
    h("p", { class: "totals" },
      `${L("total")}: `, h("strong", { id: "timeline-total", text: data.total }),
      ` (${fmtSeconds(data.total_seconds)} · ${data.total_frames} ${L("frames")} @ ${data.frame_rate} fps` +
      `${data.drop_frame ? " DF" : ""}) · ${data.start} → ${data.end}`),
  );
}

const ELEMENT_GROUPS = [["character", "characters"], ["location", "locations"], ["prop", "props"]];

function renderElements(data) {
  const root = $("#view-elements");
  root.replaceChildren();
  if (!data.elements.length) {
    root.append(h("p", { text: L("no_elements") }));
    return;
  }
  const known = new Set(ELEMENT_GROUPS.map((g) => g[0]));
  const groups = [...ELEMENT_GROUPS, [null, "other"]];
  for (const [type, label] of groups) {
    const items = data.elements.filter((e) => (type ? e.type === type : !known.has(e.type)));
    if (!items.length) continue;
    root.append(h("h2", { class: "group", text: L(label) }), h("div", { class: "elements" }, items.map(elementCard)));
  }
}

function elementCard(el) {
  const attrs = Object.entries(el.attributes || {});
  return h("article", { class: "element-card", "data-element-id": el.element_id, "aria-label": el.name },
    el.image_url ? h("img", { src: el.image_url, alt: el.name }) : null,
    h("h3", { text: el.name }),
    h("div", { class: "etype", text: `${el.element_id} · ${V("element_type", el.type)} · ${V("element_status", el.status)} · v${el.version}` }),
    h("h4", { text: L("look") }), h("p", { text: el.description || "–" }),
    attrs.length ? [h("h4", { text: L("attributes") }),
      h("ul", {}, attrs.map(([k, v]) => h("li", { text: `${k}: ${v}` })))] : null,
    h("h4", { text: L("versions") }),
    h("ul", {}, el.versions.map((v) => h("li", { text: `v${v.version} · ${v.note || ""} · ${v.created_at}` }))),
    h("h4", { text: L("references") }),
    el.references.length
      ? h("div", { class: "refs" }, el.references.map((r) => (r.url ? h("img", { src: r.url, alt: r.path }) : h("span", { text: r.path }))))
      : h("p", { text: "–" }),
    h("h4", { text: `${L("used_in")} (${el.shots.length})` }),
    h("p", {}, el.shots.map((id) => h("button", { type: "button", class: "link", onclick: () => openShot(id) }, id))));
}

function markRegenerate() {
  const regen = S.regenerate || { shots: [], elements: [], segments: [] };
  const shots = new Set(regen.shots || []);
  for (const el of $$("[data-shot-id].shot-card, .tshot[data-shot-id]")) {
    const on = shots.has(el.dataset.shotId);
    el.classList.toggle("will-regenerate", on);
    if (on) el.dataset.regenerate = "true"; else delete el.dataset.regenerate;
  }
  const elements = new Set(regen.elements || []);
  for (const el of $$(".element-card[data-element-id]")) {
    el.classList.toggle("will-regenerate", elements.has(el.dataset.elementId));
  }
}

// -- the conversation -----------------------------------------------------------------------

async function loadThreads() {
  const data = await api("/api/threads");
  const picker = $("#thread-picker");
  const wanted = new URLSearchParams(location.search).get("thread");
  if (!S.thread) S.thread = wanted && data.threads.includes(wanted) ? wanted : data.default;
  const threads = data.threads.includes(S.thread) ? data.threads : [...data.threads, S.thread];
  picker.replaceChildren(...threads.map((t) => h("option", { value: t, text: t })));
  picker.value = S.thread;
}

function renderMessage(m) {
  if (m.role === "tool") return h("div", { class: "activity", text: `⚙ ${m.name || L("tool")} → ${m.text}` });
  const nodes = [];
  if (m.text) {
    nodes.push(h("div", { class: `msg ${m.role}` },
      h("span", { class: "who", text: m.role === "user" ? L("you") : L("assistant") }), m.text));
  }
  for (const call of m.tool_calls || []) {
    nodes.push(h("div", { class: "activity", text: `⚙ ${call.name}(${JSON.stringify(call.args)})` }));
  }
  return nodes;
}

async function loadThread() {
  const state = await api(threadPath());
  S.pending = state.pending;
  S.regenerate = state.regenerate;
  S.running = state.busy;
  S.stream = null;
  $("#messages").replaceChildren(...state.messages.flatMap((m) => renderMessage(m)));
  scrollChat();
  renderConfirmation(state.pending, state.pending_kind, state.edit_form);
  renderUsage(state.usage);
  setWorking(state.running);
  markRegenerate();
  return state;
}

function setWorking(on) {
  $("#working").hidden = !on;
}

function renderUsage(usage) {
  const box = $("#usage");
  if (!usage || !usage.calls) {
    box.textContent = `${L("usage")}${L("label_colon")}${L("no_usage")}`;
    return;
  }
  const t = usage.total;
  const cost = t.cost_usd === null ? "?" : `$${Number(t.cost_usd).toFixed(4)}`;
  const tokens = L("usage_tokens").replace("{input}", t.input_tokens).replace("{output}", t.output_tokens);
  box.textContent = `${L("usage")}${L("label_colon")}${t.calls} ${L("calls").toLowerCase()} · ` +
    `${L("tokens").toLowerCase()} ${tokens} · ${L("cost").toLowerCase()} ${cost}` +
    (t.cost_complete === false ? L("usage_partial") : "");
}

async function send(text) {
  const clean = text.trim();
  if (!clean) return;
  if (clean.startsWith("/")) return slash(clean);
  try {
    await api(threadPath("/messages"), { body: { text: clean } });
    $("#message").value = "";
  } catch (err) {
    activity(`${L("error")}: ${err.message}`, "error");
  }
}

async function slash(command) {
  const name = command.split(/\s+/)[0];
  $("#message").value = "";
  if (name === "/undo") return undo();
  if (name === "/usage") { const s = await api(threadPath()); renderUsage(s.usage); activity($("#usage").textContent); return; }
  if (name === "/threads") { const d = await api("/api/threads"); activity(d.threads.map((t) => (t === S.thread ? `* ${t}` : `  ${t}`)).join("\n")); return; }
  if (name === "/new") return newThread();
  activity("/undo · /usage · /threads · /new");
}

async function undo() {
  try {
    const result = await api("/api/undo", { body: {} });
    await refreshProject(true);
    await loadThread();
    activity(`↶ ${result.text}`);
  } catch (err) {
    activity(`${L("error")}: ${err.message}`, "error");
  }
}

async function newThread() {
  const data = await api("/api/threads", { body: {} });
  S.thread = data.thread;
  await loadThreads();
  await selectThread(data.thread);
}

async function selectThread(thread) {
  S.thread = thread;
  const url = new URL(location.href);
  url.searchParams.set("thread", thread);
  url.searchParams.delete("token");
  history.replaceState(null, "", url);
  await loadThread();
}

// -- confirmations --------------------------------------------------------------------------

const ACTION_NAMES = { approve: "Approve", edit: "Edit", feedback: "Feedback", reject: "Reject" };

function renderConfirmation(payload, kind, form) {
  const box = $("#confirmations");
  box.replaceChildren();
  if (!payload) return;
  const card = h("article", {
    class: "confirmation", "data-confirmation": "", "data-kind": kind || payload.kind,
    "aria-label": payload.title,
  },
  h("div", { class: "pending-label activity", text: L("pending") }),
  h("h3", { text: payload.title }),
  h("table", {}, h("tbody", {}, (payload.rows || []).map(([k, v]) => h("tr", {}, h("td", { text: k }), h("td", { text: v }))))),
  (payload.details || []).length ? h("ul", {}, payload.details.map((d) => h("li", { text: d }))) : null,
  h("p", { class: "question", text: payload.question }));
  const actions = h("div", { class: "actions" });
  const panel = h("div", { class: "panel" });
  for (const action of payload.actions || []) {
    // The accessible name stays the contract's English word; the visible text is translated.
    actions.append(h("button", {
      type: "button", "data-action": action, "aria-label": ACTION_NAMES[action] || action,
      onclick: () => onAction(action, card, panel, form),
    }, L(action)));
  }
  card.append(actions, panel);
  box.append(card);
}

function disableCard(card) {
  card.classList.add("sent");
  for (const b of $$("button", card)) b.disabled = true;
}

async function decide(card, body) {
  disableCard(card);
  try {
    await api(threadPath("/decision"), { body });
  } catch (err) {
    card.classList.remove("sent");
    for (const b of $$("button", card)) b.disabled = false;
    const msg = $(".form-error", card) || h("div", { class: "form-error", role: "alert" });
    msg.textContent = `${L("error")}: ${err.message}`;
    card.append(msg);
  }
}

function onAction(action, card, panel, form) {
  if (action === "approve" || action === "reject") return decide(card, { action });
  panel.replaceChildren();
  if (action === "feedback") {
    const text = h("textarea", { rows: 3, "aria-label": "Feedback text", placeholder: L("feedback_placeholder"), required: true });
    const f = h("form", {}, text,
      h("div", { class: "actions" },
        h("button", { type: "submit", "aria-label": "Send feedback" }, L("send_feedback")),
        h("button", { type: "button", class: "ghost", onclick: () => panel.replaceChildren() }, L("cancel"))));
    f.addEventListener("submit", (ev) => {
      ev.preventDefault();
      if (!f.reportValidity()) return;
      decide(card, { action: "feedback", text: text.value });
    });
    panel.append(f);
    text.focus();
    return;
  }
  if (action === "edit") panel.append(editForm(card, form));
}

// -- the Edit form, built from what the confirmation lets you edit --------------------------

function inputFor(spec, value, choices) {
  const label = spec.name;
  if (choices && choices.length) {
    const select = h("select", { name: label, "aria-label": label, required: spec.required && !spec.nullable },
      spec.required && !spec.nullable ? null : h("option", { value: "", text: "–" }),
      choices.map((c) => h("option", { value: c, text: c })));
    if (value !== undefined && value !== null) select.value = String(value);
    return select;
  }
  const attrs = { name: label, "aria-label": label, required: spec.required && !spec.nullable };
  if (spec.type === "number") Object.assign(attrs, { type: "number", step: "any", min: "0" });
  else attrs.type = "text";
  const input = h("input", attrs);
  if (value !== undefined && value !== null) {
    if (spec.type === "list") input.value = value.join(", ");
    else if (spec.type === "mapping") input.value = Object.entries(value).map(([k, v]) => `${k}=${v}`).join("; ");
    else input.value = String(value);
  }
  if (spec.type === "list") input.placeholder = "a, b, c";
  if (spec.type === "mapping") input.placeholder = "hair=blonde curly; eyes=green";
  input.title = spec.description || "";
  return input;
}

function readInput(spec, input) {
  const raw = input.value.trim();
  if (raw === "") return spec.nullable || !spec.required ? (spec.type === "list" && !spec.nullable ? [] : null) : "";
  if (spec.type === "number") return Number(raw);
  if (spec.type === "list") return raw.split(",").map((s) => s.trim()).filter(Boolean);
  if (spec.type === "mapping") {
    const out = {};
    for (const part of raw.split(";")) {
      const [k, ...rest] = part.split("=");
      if (k.trim()) out[k.trim()] = rest.join("=").trim();
    }
    return out;
  }
  return raw;
}

function modificationRow(kinds, choices, mod) {
  const row = h("fieldset", { class: "mod-row" });
  const kindSelect = h("select", { "aria-label": "kind", name: "kind" }, kinds.map((k) => h("option", { value: k.kind, text: k.kind })));
  kindSelect.value = (mod && mod.kind) || "set_shot_field";
  const fieldsBox = h("div", { style: "display:contents" });
  const inputs = [];
  const build = (values) => {
    fieldsBox.replaceChildren();
    inputs.length = 0;
    const spec = kinds.find((k) => k.kind === kindSelect.value);
    for (const f of spec.fields) {
      const current = values && values[f.name] !== undefined ? values[f.name] : f.default;
      let fieldChoices = f.choices;
      if (spec.kind === "set_shot_field" && f.name === "value") {
        const fieldName = values && values.field;
        fieldChoices = choices[fieldName] || null;
      }
      const input = inputFor(f, current, fieldChoices);
      inputs.push([f, input]);
      fieldsBox.append(h("label", { text: f.name }), input);
      if (spec.kind === "set_shot_field" && f.name === "field") {
        input.addEventListener("change", () => {
          const now = collect();
          now.value = "";
          build(now);
        });
      }
    }
  };
  const collect = () => {
    const out = { kind: kindSelect.value };
    for (const [f, input] of inputs) {
      const value = readInput(f, input);
      if (value === null && !f.required) continue;
      out[f.name] = value;
    }
    return out;
  };
  kindSelect.addEventListener("change", () => build({}));
  build(mod || {});
  row.append(h("label", { text: "kind" }), kindSelect, fieldsBox,
    h("button", { type: "button", class: "ghost", onclick: () => row.remove() }, L("remove")));
  row.collect = collect;
  return row;
}

function editForm(card, form) {
  const status = h("div", { class: "form-error", role: "alert" });
  const f = h("form", { novalidate: false, "aria-label": "Edit" });
  let collect;
  if (form && form.mode === "modifications") {
    const list = h("div", { class: "mods" });
    const mods = form.modifications.length ? form.modifications : [null];
    for (const m of mods) list.append(modificationRow(form.kinds, form.value_choices, m));
    f.append(list, h("button", { type: "button", class: "ghost", onclick: () => list.append(modificationRow(form.kinds, form.value_choices, null)) }, L("add_change")));
    collect = () => ({ modifications: $$(".mod-row", list).map((row) => row.collect()) });
  } else {
    const inputs = [];
    for (const spec of (form && form.fields) || []) {
      const input = inputFor({ ...spec, required: false, nullable: true }, null, spec.choices);
      if (spec.description) input.placeholder = spec.description;
      inputs.push([spec, input]);
      f.append(h("label", { class: "mod-row" }, h("span", { text: spec.name }), input));
    }
    collect = () => {
      const out = {};
      for (const [spec, input] of inputs) if (input.value.trim()) out[spec.name] = input.value.trim();
      return out;
    };
  }
  f.append(h("div", { class: "actions" },
    h("button", { type: "submit", "aria-label": "Send edit" }, L("send_edit")),
    h("button", { type: "button", class: "ghost", onclick: () => f.remove() }, L("cancel"))), status);
  f.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    status.textContent = "";
    if (!f.reportValidity()) return;
    const edits = collect();
    try {
      await api(threadPath("/check-edit"), { body: { edits } });
    } catch (err) {
      status.textContent = `${L("invalid")}: ${err.message}`;
      return;
    }
    await decide(card, { action: "edit", edits });
  });
  return f;
}

// -- live events ----------------------------------------------------------------------------

function mine(data) {
  return data && data.thread === S.thread;
}

function connectEvents() {
  const source = new EventSource("/api/events");
  source.addEventListener("hello", async () => {
    await refreshProject(true);
    await loadThread();
  });
  source.addEventListener("turn", async (ev) => {
    const data = JSON.parse(ev.data);
    if (data.state === "started") {
      if (mine(data)) setWorking(true);
      return;
    }
    if (mine(data)) {
      setWorking(false);
      if (data.error) activity(`${L("error")}: ${data.error}`, "error");
      await refreshProject();
      await loadThread();
      if (data.error) activity(`${L("error")}: ${data.error}`, "error");
    } else {
      await refreshProject();
    }
  });
  source.addEventListener("answer", (ev) => {
    if (!mine(JSON.parse(ev.data))) return;
    S.stream = h("div", { class: "msg assistant streaming" }, h("span", { class: "who", text: L("assistant") }));
    $("#messages").append(S.stream);
  });
  source.addEventListener("token", (ev) => {
    const data = JSON.parse(ev.data);
    if (!mine(data)) return;
    if (!S.stream) {
      S.stream = h("div", { class: "msg assistant streaming" }, h("span", { class: "who", text: L("assistant") }));
      $("#messages").append(S.stream);
    }
    S.stream.append(document.createTextNode(data.text));
    scrollChat();
  });
  source.addEventListener("message", (ev) => {
    const data = JSON.parse(ev.data);
    if (!mine(data)) return;
    if (S.stream) { S.stream.classList.remove("streaming"); S.stream = null; return; }
    $("#messages").append(...[renderMessage({ role: "assistant", text: data.text })].flat());
    scrollChat();
  });
  source.addEventListener("progress", (ev) => {
    const data = JSON.parse(ev.data);
    if (mine(data)) activity(`✓ ${data.phase}: ${data.text}`);
  });
  source.addEventListener("tool", (ev) => {
    const data = JSON.parse(ev.data);
    if (!mine(data)) return;
    if (data.status === "called") activity(`⚙ ${data.name}(${JSON.stringify(data.args)})`);
    else activity(`⚙ ${data.name || L("tool")} → ${data.text}`);
  });
  source.addEventListener("project", () => refreshProject());
  source.addEventListener("threads", () => loadThreads());
  return source;
}

// -- start ----------------------------------------------------------------------------------

const VIEWS = {};

async function boot() {
  for (const tab of $$(".tabs [role=tab]")) tab.addEventListener("click", () => showView(tab.dataset.view));
  $("#composer").addEventListener("submit", (ev) => { ev.preventDefault(); send($("#message").value); });
  $("#message").addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); send($("#message").value); }
  });
  $("#undo").addEventListener("click", undo);
  $("#new-thread").addEventListener("click", newThread);
  $("#thread-picker").addEventListener("change", (ev) => selectThread(ev.target.value));
  await loadProject();
  await loadThreads();
  await refreshProject(true);
  await loadThread();
  const url = new URL(location.href);
  if (url.searchParams.has("token")) { url.searchParams.delete("token"); history.replaceState(null, "", url); }
  connectEvents();
  document.body.dataset.ready = "true";
}

window.StoryCoreStudio = { VIEWS, S, api, h, L, openShot, refreshProject };
boot().catch((err) => {
  notice(`${L("error")}: ${err.message}`);
  document.body.dataset.ready = "error";
});
