/* StoryCore studio: the Production view (registered in window.StoryCoreStudio.VIEWS).
 *
 * Produce runs the graph's production phases on the project's `produce` thread (the same
 * Session path as `storycore produce`, animatic backend, offline) in the server's background;
 * this view follows it on the event stream: each shot's state, the segment's progress, the
 * segment review confirmation as a card, and each segment and the film in a <video> player.
 * Everything shown comes from GET /api/production (docs/web-studio.md).
 */
"use strict";

(function () {
  const studio = window.StoryCoreStudio;
  const { VIEWS, api, h, L } = studio;
  const THREAD = "produce";
  const ACTION_NAMES = { approve: "Approve", edit: "Edit", feedback: "Feedback", reject: "Reject" };
  const P = { container: null, data: null, source: null, videos: {}, pendingKey: null, loading: null };

  async function load() {
    if (!P.container) return;
    // One request at a time; a burst of events ends with one more look.
    if (P.loading) { P.again = true; return P.loading; }
    P.loading = (async () => {
      try {
        P.data = await api("/api/production");
        render();
      } catch (err) {
        status(`${L("error")}: ${err.message}`, "error");
      } finally {
        P.loading = null;
        if (P.again) { P.again = false; load(); }
      }
    })();
    return P.loading;
  }

  function status(text, cls = "") {
    const line = P.container && P.container.querySelector(".production-status");
    if (!line) return;
    line.textContent = text;
    line.className = `production-status ${cls}`;
  }

  function progressText(progress) {
    if (!progress) return L("producing");
    if (progress.phase === "produce" && progress.total) {
      return `${L("producing")} ${progress.segment}: ${progress.done}/${progress.total} — ${progress.text || ""}`;
    }
    return `${L("producing")} ${progress.text || ""}`;
  }

  // A <video> per file, kept across renders while its URL is the same (playback survives).
  function player(key, url, label) {
    let video = P.videos[key];
    if (!video || video.dataset.src !== url) {
      video = h("video", { controls: "", preload: "metadata", src: url, "aria-label": label, "data-video": key });
      video.dataset.src = url;
      P.videos[key] = video;
    }
    return video;
  }

  function shotChip(shot) {
    const chip = h("li", {
      class: `shot-state state-${shot.state}`,
      "data-production-shot": shot.shot_id,
      "data-state": shot.state,
      title: L(`state_${shot.state}`),
    },
    h("button", { type: "button", class: "ghost", onclick: () => studio.openShot(shot.shot_id), text: shot.shot_id }),
    h("span", { class: "badge", text: L(`state_${shot.state}`) }));
    if (shot.media_url) {
      chip.append(h("a", { href: shot.media_url, target: "_blank", rel: "noopener", text: "▶" }));
    }
    return chip;
  }

  function confirmationCard(payload, kind) {
    const card = h("article", {
      class: "confirmation", "data-confirmation": "", "data-kind": kind || payload.kind,
      "data-thread": THREAD, "aria-label": payload.title,
    },
    h("div", { class: "pending-label activity", text: (kind === "segment" ? L("segment_review") : L("pending")) }),
    h("h3", { text: payload.title }),
    h("table", {}, h("tbody", {}, (payload.rows || []).map(([k, v]) => h("tr", {}, h("td", { text: k }), h("td", { text: v }))))),
    (payload.details || []).length ? h("ul", {}, payload.details.map((d) => h("li", { text: d }))) : null,
    h("p", { class: "question", text: payload.question }));
    const actions = h("div", { class: "actions" });
    const panel = h("div", { class: "panel" });
    const decide = async (body) => {
      for (const b of card.querySelectorAll("button")) b.disabled = true;
      card.classList.add("sent");
      try {
        await api(`/api/threads/${THREAD}/decision`, { body });
      } catch (err) {
        card.classList.remove("sent");
        for (const b of card.querySelectorAll("button")) b.disabled = false;
        const msg = card.querySelector(".form-error") || h("div", { class: "form-error", role: "alert" });
        msg.textContent = `${L("error")}: ${err.message}`;
        card.append(msg);
      }
    };
    for (const action of payload.actions || []) {
      if (action === "edit") continue; // a segment is corrected by feedback (a change)
      actions.append(h("button", {
        type: "button", "data-action": action, "aria-label": ACTION_NAMES[action] || action,
        onclick: () => {
          if (action !== "feedback") return decide({ action });
          panel.replaceChildren();
          const text = h("textarea", { rows: 3, "aria-label": "Feedback text", placeholder: L("feedback_placeholder"), required: true });
          const f = h("form", {}, text, h("div", { class: "actions" },
            h("button", { type: "submit", "aria-label": "Send feedback" }, L("send_feedback")),
            h("button", { type: "button", class: "ghost", onclick: () => panel.replaceChildren() }, L("cancel"))));
          f.addEventListener("submit", (ev) => {
            ev.preventDefault();
            if (f.reportValidity()) decide({ action: "feedback", text: text.value });
          });
          panel.append(f);
          text.focus();
        },
      }, L(action)));
    }
    card.append(actions, panel);
    return card;
  }

  function render() {
    const d = P.data;
    const c = P.container;
    if (!d || !c) return;
    if (!c.querySelector(".production-head")) {
      c.replaceChildren(
        h("div", { class: "production-head" },
          h("button", { type: "button", class: "produce", "aria-label": "Produce", onclick: produce }, L("produce")),
          h("span", { class: "production-status", role: "status" }),
          h("span", { class: "production-spent" })),
        h("p", { class: "production-intro" }),
        h("div", { class: "production-confirmation" }),
        h("div", { class: "production-film" }),
        h("div", { class: "production-segments" }));
    }
    c.querySelector(".production-intro").textContent = d.planned ? L("production_intro") : L("production_unplanned");
    const button = c.querySelector("button.produce");
    button.textContent = L("produce");
    button.disabled = !d.planned || d.running || !!d.pending;
    c.querySelector(".production-spent").textContent = `${L("spent")}: $${Number(d.spent_usd || 0).toFixed(2)}`;
    if (d.running) status(progressText(d.progress), "activity");
    else if (!c.querySelector(".production-status.error")) status("");

    const box = c.querySelector(".production-confirmation");
    const key = d.pending ? JSON.stringify(d.pending) : null;
    if (key !== P.pendingKey) {
      P.pendingKey = key;
      box.replaceChildren(d.pending ? confirmationCard(d.pending, d.pending_kind) : "");
    }

    const film = c.querySelector(".production-film");
    film.replaceChildren(h("h3", { text: L("film") }),
      d.film_url ? player("film", d.film_url, L("film")) : h("p", { class: "muted", text: L("film_pending") }));

    const list = c.querySelector(".production-segments");
    list.replaceChildren(...d.segments.map((seg) => h("section", { class: "production-segment", "data-segment-id": seg.segment_id },
      h("h3", { text: `${L("segment")} ${seg.segment_id}` }),
      h("ul", { class: "shot-states" }, seg.shots.map(shotChip)),
      seg.url ? player(seg.segment_id, seg.url, `${L("segment")} ${seg.segment_id}`) : null)));
  }

  async function produce() {
    const button = P.container.querySelector("button.produce");
    button.disabled = true;
    status(L("producing"), "activity");
    try {
      await api("/api/production", { body: { backend: "animatic" } });
    } catch (err) {
      status(`${L("error")}: ${err.message}`, "error");
      button.disabled = false;
      return;
    }
    load();
  }

  function connect() {
    if (P.source) return;
    const source = new EventSource("/api/events");
    const ours = (ev) => { const data = JSON.parse(ev.data); return data.thread === THREAD ? data : null; };
    source.addEventListener("progress", (ev) => {
      const data = ours(ev);
      if (!data) return;
      status(progressText(data), "activity");
      load(); // a shot moved to rendering or done
    });
    source.addEventListener("turn", (ev) => {
      const data = ours(ev);
      if (!data) return;
      if (data.state !== "started" && data.error) status(`${L("error")}: ${data.error}`, "error");
      load();
    });
    source.addEventListener("confirmation", (ev) => { if (ours(ev)) load(); });
    source.addEventListener("project", () => load());
    source.addEventListener("hello", () => load());
    P.source = source;
  }

  VIEWS.production = (container) => {
    P.container = container;
    connect();
    load();
  };
})();
