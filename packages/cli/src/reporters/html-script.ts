// The HTML report's one script (plain ES5-style JavaScript run by the browser, after the inlined
// uPlot): draws every round trip over time with uPlot, each kind its own shape (● ok, ✖ timeout,
// ■ another error) so the chart reads without colour; the fault's window shaded and hatched;
// /health changes as dashed lines; each time threshold as a dashed line over its phase. What it
// drew is written to the figure's data-* attributes, so a test (and a curious reader) can see it.
export const PAGE_SCRIPT = `(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var holder = document.getElementById("timeline");
  var figure = document.getElementById("timeline-figure");
  var readout = document.getElementById("timeline-readout");
  if (!holder || data.x.length === 0) {
    if (holder) holder.textContent = "No " + data.noun + "s were recorded.";
    return;
  }
  var COLOURS = { ok: "#1b7837", timeout: "#b2182b", other: "#5e3c99" };
  function groupOf(kind) {
    return kind === "ok" ? "ok" : kind === "timeout" || kind === "connect_timeout" ? "timeout" : "other";
  }
  // uPlot wants x ascending: order the points by time.
  var order = data.x.map(function (_, i) { return i; }).sort(function (a, b) { return data.x[a] - data.x[b]; });
  var xs = [], ys = { ok: [], timeout: [], other: [] }, kinds = [];
  order.forEach(function (i) {
    var kind = data.kinds[data.k[i]];
    var group = groupOf(kind);
    xs.push(data.x[i]);
    kinds.push(kind);
    ["ok", "timeout", "other"].forEach(function (g) { ys[g].push(g === group ? data.y[i] : null); });
  });
  var top = 0;
  data.y.forEach(function (v) { if (v > top) top = v; });
  data.thresholds.forEach(function (t) { if (t.y > top) top = t.y; });
  var drawn = { fault: 0, thresholds: 0, health: 0, points: 0 };

  function shape(ctx, group, x, y, r) {
    ctx.beginPath();
    if (group === "ok") {
      ctx.arc(x, y, r, 0, 2 * Math.PI);
      ctx.fill();
    } else if (group === "timeout") {
      ctx.moveTo(x - r, y - r); ctx.lineTo(x + r, y + r);
      ctx.moveTo(x + r, y - r); ctx.lineTo(x - r, y + r);
      ctx.stroke();
    } else {
      ctx.rect(x - r, y - r, 2 * r, 2 * r);
      ctx.fill();
    }
  }
  function px(u, v, scale) { return u.valToPos(v, scale, true); }

  function drawFault(u) {
    if (!data.fault) return;
    var ctx = u.ctx, b = u.bbox;
    var x0 = Math.max(b.left, px(u, data.fault.from, "x"));
    var x1 = Math.min(b.left + b.width, px(u, data.fault.to, "x"));
    if (x1 <= x0) return;
    ctx.save();
    ctx.fillStyle = "rgba(230, 126, 34, 0.16)";
    ctx.fillRect(x0, b.top, x1 - x0, b.height);
    // Hatching: the window shows in grey print too.
    ctx.beginPath();
    ctx.rect(x0, b.top, x1 - x0, b.height);
    ctx.clip();
    ctx.strokeStyle = "rgba(160, 82, 0, 0.35)";
    ctx.lineWidth = 1 * devicePixelRatio;
    var step = 12 * devicePixelRatio;
    for (var s = x0 - b.height; s < x1; s += step) {
      ctx.moveTo(s, b.top + b.height);
      ctx.lineTo(s + b.height, b.top);
    }
    ctx.stroke();
    ctx.restore();
    drawn.fault = 1;
  }

  function label(ctx, text, x, y, colour) {
    ctx.save();
    ctx.font = (11 * devicePixelRatio) + "px system-ui, sans-serif";
    ctx.fillStyle = colour;
    ctx.textAlign = "left";
    ctx.textBaseline = "alphabetic";
    ctx.fillText(text, x, y);
    ctx.restore();
  }

  function drawOver(u) {
    var ctx = u.ctx, b = u.bbox, dpr = devicePixelRatio;
    if (data.fault) label(ctx, "fault: " + data.fault.label, px(u, data.fault.from, "x") + 4 * dpr, b.top + b.height - 24 * dpr, "#8a4500");
    data.health.forEach(function (h, n) {
      var x = px(u, h.at, "x");
      ctx.save();
      ctx.setLineDash([4 * dpr, 3 * dpr]);
      ctx.strokeStyle = h.healthy ? COLOURS.ok : COLOURS.timeout;
      ctx.lineWidth = 1.5 * dpr;
      ctx.beginPath(); ctx.moveTo(x, b.top); ctx.lineTo(x, b.top + b.height); ctx.stroke();
      ctx.restore();
      // Alternate heights: two changes a second apart must not print over each other.
      label(ctx, h.healthy ? "/health 200" : "/health 503", x + 3 * dpr, b.top + b.height - (6 + (n % 2) * 36) * dpr, h.healthy ? COLOURS.ok : COLOURS.timeout);
      drawn.health++;
    });
    data.thresholds.forEach(function (t) {
      var y = px(u, t.y, "y");
      var x0 = Math.max(b.left, px(u, t.from, "x")), x1 = Math.min(b.left + b.width, px(u, t.to, "x"));
      ctx.save();
      ctx.setLineDash([8 * dpr, 4 * dpr]);
      ctx.strokeStyle = "#222";
      ctx.lineWidth = 1.5 * dpr;
      ctx.beginPath(); ctx.moveTo(x0, y); ctx.lineTo(x1, y); ctx.stroke();
      ctx.restore();
      label(ctx, t.label + " (" + t.mark + ")", x0 + 3 * dpr, y - 4 * dpr, "#222");
      drawn.thresholds++;
    });
    var r = 3.5 * dpr;
    ["ok", "timeout", "other"].forEach(function (g) {
      ctx.save();
      ctx.fillStyle = COLOURS[g];
      ctx.strokeStyle = COLOURS[g];
      ctx.lineWidth = 1.5 * dpr;
      ys[g].forEach(function (v, i) {
        if (v === null) return;
        shape(ctx, g, px(u, xs[i], "x"), px(u, v, "y"), r);
        drawn.points++;
      });
      ctx.restore();
    });
    figure.setAttribute("data-drawn-fault", String(drawn.fault));
    figure.setAttribute("data-drawn-thresholds", String(drawn.thresholds));
    figure.setAttribute("data-drawn-health", String(drawn.health));
    figure.setAttribute("data-drawn-points", String(drawn.points));
  }

  function none() { return null; }
  var series = [{ label: "seconds" }];
  ["ok", "timeout", "other"].forEach(function (g) {
    series.push({ label: g, stroke: COLOURS[g], paths: none, points: { show: false } });
  });
  function size() {
    var w = Math.max(260, holder.clientWidth);
    return { width: w, height: w < 500 ? 240 : 320 };
  }
  var dims = size();
  var u = new uPlot({
    width: dims.width,
    height: dims.height,
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: { time: false, range: function () { return [0, data.end]; } },
      y: { range: function () { return [0, top * 1.15 || 1]; } },
    },
    axes: [
      { label: "seconds since the run started", values: function (_, ticks) { return ticks.map(function (t) { return t + " s"; }); } },
      { label: data.noun + ", ms", size: 60 },
    ],
    series: series,
    hooks: {
      drawClear: [function (u) { drawn = { fault: 0, thresholds: 0, health: 0, points: 0 }; drawFault(u); }],
      draw: [drawOver],
      setCursor: [function (u) {
        var i = u.cursor.idx;
        if (i === null || i === undefined || !readout) return;
        var v = ys.ok[i] !== null ? ys.ok[i] : ys.timeout[i] !== null ? ys.timeout[i] : ys.other[i];
        readout.textContent = xs[i].toFixed(3) + " s: " + v + " ms, " + kinds[i];
      }],
    },
  }, [xs, ys.ok, ys.timeout, ys.other], holder);
  window.addEventListener("resize", function () { var d = size(); u.setSize(d); });
})();
`;
