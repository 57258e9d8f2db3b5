/**
 * The viewer's browser-side script, as a string the page inlines: a small vanilla-JS function,
 * `function (rootId) {…}`, that finds its root element, reads the packed playback model from the
 * root's `<script type="application/json" class="dv-data">`, and draws the run as SVG at any time.
 * Its `frameAt` mirrors playback.ts's: called where there is no `document` (a test in Node), the
 * function returns `{ unpack, frameAt }` instead of starting, and test/viewer/page.test.ts compares
 * the two. It runs only in the browser, for playback: it never touches a simulation run.
 *
 * For tests it sets `window.distlabViewer` (the last viewer started) and
 * `window.distlabViewers[rootId]`: `{ seek(ms), step(+1|-1), play(), pause(), state() }`, where
 * `state()` is the frame on screen (the shape of playback.ts's `PlaybackFrame`) plus `playing`.
 *
 * In a notebook the script may run before its output is attached to the document (Jupyter
 * Notebook 6 runs an output's scripts first), so it looks for its root again on each animation
 * frame until it is there.
 */
export const VIEWER_SCRIPT = String.raw`function (rootId) {
  "use strict";
  var tries = 0;
  function start() {
    var root = document.getElementById(rootId);
    if (!root) { if (tries++ < 600) requestAnimationFrame(start); return; }
    if (root.getAttribute("data-started")) return;
    root.setAttribute("data-started", "1");
    run(root, JSON.parse(root.querySelector("script.dv-data").textContent));
  }

  // A body as sent: the page keeps it without its type, which goes back in first.
  function withType(b, type) {
    if (!b || typeof b !== "object" || "type" in b) return b;
    var out = { type: type };
    for (var k in b) out[k] = b[k];
    return out;
  }

  function unpack(d) {
    var inf = function (x) { return x === null ? Infinity : x; };
    var nodes = d.nodes, m = { title: d.title, seed: d.seed, nodes: nodes, groups: d.groups, types: d.types,
      startMs: d.startMs, endMs: d.endMs, markMs: d.markMs, times: d.times, joinedMs: d.joined, size: d.size, places: {} };
    nodes.forEach(function (n, i) { m.places[n] = { x: d.places[i][0], y: d.places[i][1], group: d.places[i][2] }; });
    var seen = {};
    m.copies = d.copies.map(function (c) {
      var k = (seen[c[0]] = (seen[c[0]] || 0) + 1);
      return { key: k === 1 ? String(c[0]) : c[0] + "." + k, id: c[0], src: nodes[c[1]], dest: nodes[c[2]], type: d.types[c[3]],
        sentMs: c[4], endMs: inf(c[5]), fate: ["delivered", "dropped", "pending"][c[6]], duplicate: c[7] === 1,
        reason: c[8] < 0 ? undefined : d.reasons[c[8]], body: withType(d.bodies[c[0]], d.types[c[3]]) };
    });
    m.down = d.down.map(function (x) { return { node: nodes[x[0]], kind: x[1] ? "left" : "crashed", fromMs: x[2], toMs: inf(x[3]), seq: x[4] }; });
    m.network = d.network.map(function (x) {
      var names = function (g) { return g.map(function (i) { return nodes[i]; }); };
      return { atMs: x[0] === null ? -Infinity : x[0], groups: x[1].map(names), cuts: x[2].map(names), isolated: names(x[3]) };
    });
    m.states = d.states.map(function (x) { return { atMs: x[0], node: nodes[x[1]], role: d.names[x[2]], state: d.names[x[3]], seq: x[4] }; });
    m.timers = d.timers.map(function (x) { return { atMs: x[0], node: nodes[x[1]], name: d.names[x[2]] }; });
    return m;
  }

  // What is on screen at time t: the same sums as playback.ts's frameAt.
  function frameAt(m, t) {
    var inFlight = [], dropped = [], crashed = [], left = [], lastDown = {}, states = {};
    m.copies.forEach(function (c) {
      if (c.sentMs > t) return;
      var on = { key: c.key, id: c.id, src: c.src, dest: c.dest, type: c.type, duplicate: c.duplicate };
      if (t < c.endMs) {
        on.progress = c.endMs === Infinity ? Math.min(0.9, (t - c.sentMs) / m.markMs) : (t - c.sentMs) / (c.endMs - c.sentMs);
        inFlight.push(on);
      } else if (c.fate === "dropped" && t < c.endMs + m.markMs) {
        on.progress = c.endMs > c.sentMs ? 0.85 : 0.25;
        on.reason = c.reason || "";
        dropped.push(on);
      }
    });
    m.down.forEach(function (d) {
      if (d.fromMs > t) return;
      lastDown[d.node] = d.seq;
      var list = d.kind === "crashed" ? crashed : left;
      if (t < d.toMs && list.indexOf(d.node) < 0) list.push(d.node);
    });
    for (var i = 0; i < m.states.length && m.states[i].atMs <= t; i++) {
      var s = m.states[i];
      if (s.seq > (s.node in lastDown ? lastDown[s.node] : -1)) states[s.node] = { role: s.role, state: s.state };
      else delete states[s.node];
    }
    var network = m.network[0];
    m.network.forEach(function (n) { if (n.atMs <= t) network = n; });
    return { timeMs: t, inFlight: inFlight, dropped: dropped, crashed: crashed, left: left,
      absent: m.nodes.filter(function (n) { return m.joinedMs[n] !== undefined && m.joinedMs[n] > t; }),
      states: states, network: network,
      timers: m.timers.filter(function (f) { return f.atMs <= t && t < f.atMs + m.markMs; }) };
  }

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; });
  }
  function ms(t) { return "t=" + Math.round(t * 1000) / 1000 + "ms"; }
  function label(c) {
    var b = c.body || {}, s = c.type;
    if (b.msg_id !== undefined) s += " #" + b.msg_id;
    if (b.in_reply_to !== undefined) s += " \u21a9" + b.in_reply_to;
    return s;
  }
  var PALETTE = ["#8ecae6", "#ffb703", "#90be6d", "#f28482", "#b197fc", "#f4a261", "#84a59d", "#e9c46a"];
  var FIXED = { leader: "#ffb703", candidate: "#f4a261", follower: "#8ecae6", alive: "#90be6d", suspect: "#e9c46a", dead: "#adb5bd" };
  function colour(state) {
    if (FIXED[state]) return FIXED[state];
    var h = 0;
    for (var i = 0; i < state.length; i++) h = (h * 31 + state.charCodeAt(i)) >>> 0;
    return PALETTE[h % PALETTE.length];
  }

  function run(root, data) {
    var m = unpack(data);
    var $ = function (sel) { return root.querySelector(sel); };
    $(".dv-app").innerHTML = data.app;
    var svg = $(".dv-svg"), slider = $(".dv-slider"), playButton = $(".dv-play"), speedBox = $(".dv-speed");
    var info = $(".dv-info"), log = $(".dv-log"), clock = $(".dv-time");
    var copyByKey = {};
    m.copies.forEach(function (c) { copyByKey[c.key] = c; });
    var r = Math.max(8, Math.min(24, 150 / Math.max(1, m.nodes.length)));
    var shownNodes = {}, shownTypes = {};
    m.nodes.forEach(function (n) { shownNodes[n] = !data.showNodes || data.showNodes.indexOf(n) >= 0; });
    m.types.forEach(function (y) { shownTypes[y] = !data.showTypes || data.showTypes.indexOf(y) >= 0; });

    // The SVG's layers: the network's cuts, the nodes (made once, updated), the messages (redrawn).
    var cx = m.size[0] / 2, cy = m.size[1] / 2, nodesSvg = "";
    m.nodes.forEach(function (n) {
      var p = m.places[n];
      nodesSvg += '<g class="dv-node" data-node="' + esc(n) + '" data-group="' + p.group + '" transform="translate(' + p.x + "," + p.y + ')">' +
        '<circle class="dv-timer" r="' + (r + 6) + '"></circle><circle class="dv-body" r="' + r + '"></circle>' +
        '<text class="dv-name" dy="4">' + esc(n) + '</text><text class="dv-state" dy="' + (r + 14) + '"></text></g>';
    });
    var groupsSvg = "";
    if (m.groups.length > 1) m.groups.forEach(function (g) {
      if (!g.nodes.length) return;
      var x = 0, y = 0;
      g.nodes.forEach(function (n) { x += m.places[n].x; y += m.places[n].y; });
      x = x / g.nodes.length; y = y / g.nodes.length;
      var k = 1 + 60 / Math.max(1, Math.sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy)));
      groupsSvg += '<text class="dv-group" x="' + (cx + (x - cx) * k) + '" y="' + (cy + (y - cy) * k) + '">' + esc(g.name) + "</text>";
    });
    svg.setAttribute("viewBox", "0 0 " + m.size[0] + " " + m.size[1]);
    svg.innerHTML = '<g class="dv-net"></g><g class="dv-groups">' + groupsSvg + '</g><g class="dv-nodes">' + nodesSvg + '</g><g class="dv-msgs"></g>';
    var netLayer = $(".dv-net"), msgLayer = $(".dv-msgs"), nodeEls = {};
    m.nodes.forEach(function (n) { nodeEls[n] = svg.querySelector('[data-node="' + CSS.escape(n) + '"]'); });

    // Filters: one checkbox per node and per message type.
    function boxes(sel, names, shown) {
      $(sel).innerHTML = names.map(function (n) {
        return '<label><input type="checkbox" value="' + esc(n) + '"' + (shown[n] ? " checked" : "") + "> " + esc(n) + "</label>";
      }).join(" ");
      $(sel).addEventListener("change", function (e) { shown[e.target.value] = e.target.checked; draw(); });
    }
    boxes(".dv-filter-nodes", m.nodes, shownNodes);
    boxes(".dv-filter-types", m.types, shownTypes);
    function visible(c) { return shownTypes[c.type] && (shownNodes[c.src] || shownNodes[c.dest]); }

    var t = Math.max(m.startMs, Math.min(m.endMs, data.atMs === undefined ? m.startMs : data.atMs));
    var playing = false, speed = data.speed || 1, last = null, frame = null, selected = null;
    slider.min = m.startMs; slider.max = m.endMs; slider.step = "any"; slider.value = t;
    speedBox.value = String(speed);

    // A copy's place: along its link from the sender's edge to the receiver's, to the right of
    // travel (the two directions of a link apart; duplicates further out).
    function ends(c) {
      var a = m.places[c.src], b = m.places[c.dest], dx = b.x - a.x, dy = b.y - a.y, len = Math.sqrt(dx * dx + dy * dy) || 1;
      var ux = dx / len, uy = dy / len, off = c.duplicate ? 10 : 5;
      return { x1: a.x + ux * r - uy * off, y1: a.y + uy * r + ux * off, x2: b.x - ux * r - uy * off, y2: b.y - uy * r + ux * off };
    }
    function where(c) {
      var e = ends(c);
      return { x: e.x1 + (e.x2 - e.x1) * c.progress, y: e.y1 + (e.y2 - e.y1) * c.progress };
    }
    function track(c) {
      var e = ends(c);
      return '<line class="dv-track" x1="' + e.x1.toFixed(1) + '" y1="' + e.y1.toFixed(1) + '" x2="' + e.x2.toFixed(1) + '" y2="' + e.y2.toFixed(1) + '"></line>';
    }
    function msgSvg(c, cls, shape) {
      var p = where(c);
      return '<g class="' + cls + (c.duplicate ? " dv-dup" : "") + '" data-message-id="' + c.id + '" data-copy="' + c.key +
        '" data-type="' + esc(c.type) + '" data-from="' + esc(c.src) + '" data-to="' + esc(c.dest) + '"' +
        (c.reason !== undefined ? ' data-reason="' + esc(c.reason) + '"' : "") +
        ' transform="translate(' + p.x.toFixed(1) + "," + p.y.toFixed(1) + ')">' + shape + "<title>" + esc(label(copyByKey[c.key])) + "</title></g>";
    }

    function draw() {
      frame = frameAt(m, t);
      var net = frame.network, out = "";
      // A partition: a cut line between neighbours on the circle that are in different groups.
      var groupOf = {};
      net.groups.forEach(function (g, i) { g.forEach(function (n) { groupOf[n] = i; }); });
      if (net.groups.length) m.nodes.forEach(function (n, i) {
        var next = m.nodes[(i + 1) % m.nodes.length];
        if (m.nodes.length < 2 || groupOf[n] === groupOf[next]) return;
        var a = m.places[n], b = m.places[next], mx = (a.x + b.x) / 2 - cx, my = (a.y + b.y) / 2 - cy, len = Math.sqrt(mx * mx + my * my) || 1;
        out += '<line class="dv-partition" x1="' + cx + '" y1="' + cy + '" x2="' + (cx + mx / len * 270).toFixed(1) + '" y2="' + (cy + my / len * 270).toFixed(1) + '"></line>';
      });
      net.cuts.forEach(function (c) {
        var a = m.places[c[0]], b = m.places[c[1]];
        if (a && b) out += '<line class="dv-cut" data-from="' + esc(c[0]) + '" data-to="' + esc(c[1]) + '" x1="' + a.x + '" y1="' + a.y + '" x2="' + b.x + '" y2="' + b.y + '"></line>';
      });
      netLayer.innerHTML = out;
      m.nodes.forEach(function (n) {
        var el = nodeEls[n], st = frame.states[n], cls = "dv-node";
        if (frame.crashed.indexOf(n) >= 0) cls += " crashed";
        if (frame.left.indexOf(n) >= 0) cls += " left";
        if (frame.absent.indexOf(n) >= 0) cls += " absent";
        if (net.isolated.indexOf(n) >= 0) cls += " isolated";
        if (!shownNodes[n]) cls += " dv-dim";
        if (frame.timers.some(function (f) { return f.node === n; })) cls += " dv-timer-fired";
        if (net.groups.length) el.setAttribute("data-partition", n in groupOf ? groupOf[n] : "none");
        else el.removeAttribute("data-partition");
        el.setAttribute("class", cls);
        el.setAttribute("data-state", st ? st.state : "");
        el.querySelector(".dv-body").style.fill = st ? colour(st.state) : "";
        el.querySelector(".dv-state").textContent = frame.crashed.indexOf(n) >= 0 ? "crashed" : st ? st.state : "";
      });
      out = "";
      var tracks = "";
      frame.inFlight.forEach(function (c) { if (visible(c)) { tracks += track(c); out += msgSvg(c, "dv-msg", '<circle r="6"></circle>'); } });
      frame.dropped.forEach(function (c) { if (visible(c)) out += msgSvg(c, "dv-drop", '<path d="M-6,-6L6,6M-6,6L6,-6"></path>'); });
      msgLayer.innerHTML = tracks + out;
      slider.value = t;
      clock.textContent = ms(t) + " / " + ms(m.endMs);
      log.innerHTML = happened(stepAt(t)).map(function (s) { return "<div>" + esc(s) + "</div>"; }).join("");
      if (selected) info.innerHTML = selected();
    }

    // The events of the latest step at or before t, in words.
    function stepAt(x) {
      var s = null;
      for (var i = 0; i < m.times.length && m.times[i] <= x; i++) s = m.times[i];
      return s;
    }
    function happened(at) {
      if (at === null) return [];
      var out = [ms(at) + ":"];
      m.copies.forEach(function (c) {
        if (!visible(c)) return;
        var l = c.src + " \u2192 " + c.dest + " " + label(c) + (c.duplicate ? " (duplicate)" : "");
        if (c.sentMs === at && !c.duplicate) out.push("sent " + l);
        if (c.endMs === at) out.push((c.fate === "delivered" ? "delivered " : "dropped (" + c.reason + ") ") + l);
      });
      m.down.forEach(function (d) {
        if (d.fromMs === at) out.push(d.node + (d.kind === "crashed" ? " crashed" : " left"));
        if (d.toMs === at) out.push(d.node + " restarted");
      });
      m.network.forEach(function (n) { if (n.atMs === at) out.push("network: " + netWords(n)); });
      m.states.forEach(function (s) { if (s.atMs === at) out.push(s.node + " is " + s.state); });
      m.timers.forEach(function (f) { if (f.atMs === at) out.push(f.node + " timer " + f.name + " fired"); });
      return out;
    }
    function netWords(n) {
      var w = [];
      if (n.groups.length) w.push("partition " + n.groups.map(function (g) { return "{" + g.join(", ") + "}"; }).join(" | "));
      n.cuts.forEach(function (c) { w.push("cut " + c[0] + " \u2192 " + c[1]); });
      n.isolated.forEach(function (x) { w.push(x + " isolated"); });
      return w.length ? w.join("; ") : "healed";
    }

    // Hover or click a message or a node: its body or its state.
    function describe(target) {
      var msg = target.closest("[data-copy]"), node = target.closest("[data-node]");
      if (msg) {
        var c = copyByKey[msg.getAttribute("data-copy")];
        return function () {
          return "<b>" + esc(label(c)) + "</b> " + esc(c.src) + " \u2192 " + esc(c.dest) + (c.duplicate ? " (duplicate)" : "") +
            "<br>sent " + ms(c.sentMs) + ", " + (c.fate === "pending" ? "still on the wire" : c.fate + " " + ms(c.endMs)) +
            (c.reason ? " (" + esc(c.reason) + ")" : "") + "<pre>" + esc(JSON.stringify(c.body, null, 1)) + "</pre>";
        };
      }
      if (node) {
        var n = node.getAttribute("data-node");
        return function () {
          var st = frame.states[n], down = frame.crashed.indexOf(n) >= 0 ? " (crashed)" : frame.left.indexOf(n) >= 0 ? " (left)" : "";
          var mine = m.states.filter(function (s) { return s.node === n && s.atMs <= t; }).slice(-5);
          return "<b>" + esc(n) + "</b>" + down + "<br>" + (st ? esc(st.role) + ": " + esc(st.state) : "no state declared") +
            (mine.length ? "<br>recent: " + mine.map(function (s) { return esc(s.state) + " at " + ms(s.atMs); }).join(", ") : "");
        };
      }
      return null;
    }
    svg.addEventListener("mouseover", function (e) { var d = describe(e.target); if (d) info.innerHTML = d(); });
    svg.addEventListener("mouseout", function () { info.innerHTML = selected ? selected() : ""; });
    svg.addEventListener("click", function (e) { selected = describe(e.target); info.innerHTML = selected ? selected() : ""; });

    // Playback: one median flight per second at speed 1; idle stretches are skipped.
    function tick(now) {
      if (!playing) return;
      if (last !== null) {
        var next = t + ((now - last) / 1000) * m.markMs * speed;
        var idle = frame.inFlight.length === 0 && frame.dropped.length === 0 && frame.timers.length === 0;
        if (idle) {
          var upcoming = m.times.filter(function (x) { return x > t; })[0];
          if (upcoming !== undefined && upcoming > next) next = upcoming;
        }
        t = Math.min(next, m.endMs);
        draw();
        if (t >= m.endMs) { pause(); return; }
      }
      last = now;
      requestAnimationFrame(tick);
    }
    function play() {
      if (playing) return;
      if (t >= m.endMs) t = m.startMs;
      playing = true; last = null; playButton.textContent = "\u275a\u275a"; playButton.setAttribute("data-playing", "true");
      requestAnimationFrame(tick);
    }
    function pause() { playing = false; playButton.textContent = "\u25b6"; playButton.setAttribute("data-playing", "false"); }
    function seek(x) { t = Math.max(m.startMs, Math.min(m.endMs, Number(x))); draw(); }
    function step(dir) {
      pause();
      var i, times = m.times;
      if (dir > 0) { for (i = 0; i < times.length && times[i] <= t; i++); if (i < times.length) seek(times[i]); }
      else { for (i = times.length - 1; i >= 0 && times[i] >= t; i--); if (i >= 0) seek(times[i]); }
    }
    playButton.addEventListener("click", function () { if (playing) pause(); else play(); });
    $(".dv-prev").addEventListener("click", function () { step(-1); });
    $(".dv-next").addEventListener("click", function () { step(1); });
    slider.addEventListener("input", function () { pause(); seek(slider.value); });
    speedBox.addEventListener("change", function () { speed = Number(speedBox.value); });

    var api = {
      seek: seek, step: step, play: play, pause: pause,
      state: function () { var f = JSON.parse(JSON.stringify(frame)); f.playing = playing; f.speed = speed; return f; }
    };
    window.distlabViewers = window.distlabViewers || {};
    window.distlabViewers[rootId] = api;
    window.distlabViewer = api;
    $(".dv-fallback").style.display = "none";
    draw();
  }
  // Outside a browser (a test in Node) the script only hands back its sums.
  if (typeof document === "undefined") return { unpack: unpack, frameAt: frameAt };
  start();
}`;
