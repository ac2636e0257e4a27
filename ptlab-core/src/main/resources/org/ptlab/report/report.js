// ptlab HTML report: renders the runs embedded as JSON (element ptlab-data); charts drawn with uPlot.
(function () {
'use strict';
var NS = 'http://www.w3.org/2000/svg';
var COLORS = { PTE: '#d62728', CONT_PTE: '#ff7f0e', PMD: '#2ca02c', CONT_PMD: '#17becf', PUD: '#1f77b4', none: '#eeeeee' };
var runs = JSON.parse(document.getElementById('ptlab-data').textContent);
function el(tag, attrs, text) {
  var e = document.createElement(tag);
  for (var k in (attrs || {})) { e.setAttribute(k, attrs[k]); }
  if (text !== undefined) { e.textContent = text; }
  return e;
}
function svg(tag, attrs) {
  var e = document.createElementNS(NS, tag);
  for (var k in (attrs || {})) { e.setAttribute(k, attrs[k]); }
  return e;
}
function hex(v) { return '0x' + BigInt.asUintN(64, BigInt(v)).toString(16); }
function human(bytes) {
  var u = ['B', 'K', 'M', 'G', 'T'], i = 0, v = bytes;
  while (Math.abs(v) >= 1024 && i < u.length - 1) { v /= 1024; i++; }
  return (Math.round(v * 10) / 10) + u[i];
}
function count(v) { return Math.abs(v - Math.round(v)) < 1e-9 ? String(Math.round(v)) : v.toFixed(1); }
function colName(r, i) { return r.label ? r.label : 'run ' + (i + 1); }
function last(r) { return r.steps[r.steps.length - 1]; }

// ---------------------------------------------------------------- summary
function summaryRows(r) {
  var s = last(r), rows = [];
  for (var i = 0; i < r.sizeNames.length; i++) { rows.push([r.sizeNames[i], r.sizeNames[i] + ' (kB)', s.directMapKb[i]]); }
  rows.push(['linear-pt-pages', 'PageTables, linear map (pages)', s.linearTablePages]);
  rows.push(['linear-pt-kb', 'PageTables, linear map (kB)', s.linearTablePages * r.pageSize / 1024]);
  rows.push(['pt-pages', 'PageTables, all (pages)', s.tablePages]);
  rows.push(['splits', 'splits (linear tables installed)', s.splits]);
  rows.push(['collapses', 'collapses (linear tables freed)', s.collapses]);
  rows.push(['tlbi', 'TLBI instructions', s.tlbi]);
  rows.push(['tlbi-pages', 'TLBI pages (by VA)', s.tlbiPages]);
  rows.push(['tlbi-all', 'TLBI whole TLB', s.tlbiAll]);
  rows.push(['dsb', 'DSB ISH', s.dsb]);
  rows.push(['isb', 'ISB', s.isb]);
  rows.push(['warnings', 'kernel WARNs', r.warnCount]);
  rows.push(['violations', 'violations', r.violations.length]);
  if (s.tlbMisses >= 0) { rows.push(['tlb-misses', 'TLB misses (probe)', s.tlbMisses]); }
  rows.push(['steps', 'steps', s.step]);
  return rows;
}
function renderSummary() {
  var t = document.getElementById('summary-table');
  var head = el('tr');
  head.appendChild(el('th', {}, ''));
  runs.forEach(function (r, i) { head.appendChild(el('th', {}, colName(r, i))); });
  t.appendChild(head);
  var per = runs.map(summaryRows);
  var keys = [], label = {};
  per.forEach(function (rows) { rows.forEach(function (row) { if (!(row[0] in label)) { keys.push(row[0]); label[row[0]] = row[1]; } }); });
  keys.forEach(function (key) {
    var vals = per.map(function (rows) { var f = rows.filter(function (x) { return x[0] === key; }); return f.length ? f[0][2] : null; });
    var differs = vals.some(function (v) { return v !== vals[0]; });
    var tr = el('tr', differs ? { 'class': 'differs' } : {});
    tr.appendChild(el('th', {}, (differs ? '\u25B2 ' : '') + label[key]));
    vals.forEach(function (v, i) { tr.appendChild(el('td', { id: 'sum-' + i + '-' + key }, v === null ? '' : String(v))); });
    t.appendChild(tr);
  });
}

// ---------------------------------------------------------------- plots (uPlot)
// One chart per quantity; every chart's x-axis is the run's unit (steps, modelled hours, memory
// size) and the charts are linked: the cursor and a drag-zoom on one move all of them.
var X_UNIT = runs.length && runs[0].xUnit ? runs[0].xUnit : 'step';
function xName() { return X_UNIT === 'hours' ? 'modelled hours' : X_UNIT === 'bytes' ? 'memory size' : 'step (0 = boot)'; }
function xFmt(v) {
  if (v === null || v === undefined) { return '-'; }
  if (X_UNIT === 'hours') { return (Math.round(v * 10) / 10) + ' h'; }
  if (X_UNIT === 'bytes') { return human(v); }
  return count(v);
}
function xOf(r) { return r.steps.map(function (s) { return typeof s.x === 'number' ? s.x : s.step; }); }
var charts = [];
var SYNC_KEY = 'ptlab-x';
// y range: nice bounds that always include 0, so a range crossing 0 has a 0 tick and areas have a base
function yRange(u, min, max) {
  var lo = Math.min(0, min === null ? 0 : min), hi = Math.max(0, max === null ? 0 : max);
  if (lo === hi) { hi = lo + 1; }
  return uPlot.rangeNum(lo, hi, 0.1, true);
}
// byte axes tick at binary steps (256M, 512M, 1G), not decimal ones shown in binary units
var BYTE_INCRS = [];
for (var p = 0; p < 62; p++) { BYTE_INCRS.push(Math.pow(2, p)); }
function chart(parent, id, title, xs, series, yFmt) {
  var box = el('div', { 'class': 'plot', id: id });
  box.appendChild(el('h3', {}, title));
  var holder = el('div');
  box.appendChild(holder);
  parent.appendChild(box);
  var data = [xs].concat(series.map(function (s) { return s.values; }));
  var opts = {
    width: Math.max(300, holder.clientWidth || box.clientWidth || 560),
    height: 240,
    cursor: { sync: { key: SYNC_KEY, scales: ['x', null] }, drag: { x: true, y: false } },
    scales: { x: { time: false }, y: { range: yRange } },
    legend: { live: true },
    axes: [
      { label: xName(), labelSize: 20, incrs: X_UNIT === 'bytes' ? BYTE_INCRS : undefined, values: function (u, vals) { return vals.map(xFmt); } },
      { size: 70, incrs: yFmt === human ? BYTE_INCRS : undefined, values: function (u, vals) { return vals.map(function (v) { return yFmt(v); }); } }
    ],
    series: [{ label: xName(), value: function (u, v) { return xFmt(v); } }].concat(series.map(function (s) {
      return {
        label: s.name, stroke: s.color, width: s.fill ? 1 : 1.5, fill: s.fill || undefined,
        points: { show: xs.length <= 60, size: 4 },
        value: function (u, v, si, di) { return di === null || di === undefined ? '-' : yFmt(s.raw ? s.raw[di] : v); }
      };
    }))
  };
  var u = new uPlot(opts, data, holder);
  charts.push({ u: u, holder: holder });
  // the numbers drawn, for tests and for reading without a mouse: last x and each series' last value
  box.appendChild(el('span', { 'class': 'plot-data', id: id + '-x-last' }, String(xs[xs.length - 1])));
  series.forEach(function (s, k) {
    var raw = s.raw || s.values;
    box.appendChild(el('span', { 'class': 'plot-data', id: id + '-s' + k + '-last' }, String(raw[raw.length - 1])));
  });
  return u;
}
window.addEventListener('resize', function () {
  charts.forEach(function (c) { c.u.setSize({ width: Math.max(300, c.holder.clientWidth || 560), height: 240 }); });
});
var RUNCOLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#8c564b', '#e377c2'];
function renderPlots() {
  var area = document.getElementById('plot-area');
  area.className = 'plots';
  runs.forEach(function (r, i) {
    var xs = xOf(r);
    // stacked areas: the top of the stack first, each filled down to 0 over the ones below
    var cum = r.steps.map(function () { return 0; }), stack = [];
    r.sizeNames.forEach(function (name, j) {
      var raw = r.steps.map(function (s) { return s.directMapKb[j] * 1024; });
      cum = cum.map(function (c, k) { return c + raw[k]; });
      stack.push({ name: name, color: COLORS[r.sizeKinds[j]], fill: COLORS[r.sizeKinds[j]], values: cum.slice(), raw: raw });
    });
    stack.reverse();
    chart(area, 'plot-directmap-' + i, 'DirectMap breakdown (stacked): ' + colName(r, i), xs, stack, human);
    chart(area, 'plot-directmap-delta-' + i, 'DirectMap change since boot: ' + colName(r, i), xs,
      r.sizeNames.map(function (name, j) {
        return { name: name, color: COLORS[r.sizeKinds[j]],
          values: r.steps.map(function (s) { return (s.directMapKb[j] - r.steps[0].directMapKb[j]) * 1024; }) };
      }), human);
  });
  // charts with one line per run share the x values of the first run (runs of one report have the same steps)
  var xs0 = runs.length ? xOf(runs[0]) : [];
  function perRun(f) {
    return runs.map(function (r, i) {
      var v = r.steps.map(f(r));
      while (v.length < xs0.length) { v.push(null); }
      return { name: colName(r, i), color: RUNCOLORS[i % RUNCOLORS.length], values: v.slice(0, xs0.length) };
    });
  }
  chart(area, 'plot-ptmem', 'Page-table memory of the linear map', xs0,
    perRun(function (r) { return function (s) { return s.linearTablePages * r.pageSize; }; }), human);
  chart(area, 'plot-tlbi', 'TLBI instructions (cumulative)', xs0, perRun(function () { return function (s) { return s.tlbi; }; }), count);
  var measured = runs.some(function (r) { return r.steps.some(function (s) { return s.tlbMisses >= 0; }); });
  if (measured) {
    chart(area, 'plot-tlbmiss', 'TLB misses of the probe after each step', xs0,
      perRun(function () { return function (s) { return s.tlbMisses >= 0 ? s.tlbMisses : null; }; }), count);
  } else {
    area.appendChild(el('p', { id: 'plot-tlbmiss', 'class': 'hint' }, 'TLB misses: not measured (no hardware model was attached to these runs).'));
  }
}

// ---------------------------------------------------------------- linear map
function renderMap(r, i) {
  var box = el('div', { 'class': 'map', id: 'map-' + i });
  box.appendChild(el('h3', {}, colName(r, i)));
  var runsMapped = r.linearMap.filter(function (m) { return m.size !== 'none'; });
  var totals = {};
  r.sizeKinds.forEach(function (k) { totals[k] = 0; });
  runsMapped.forEach(function (m) { totals[m.size] = (totals[m.size] || 0) + (m.end - m.start); });
  var lg = el('div', { 'class': 'legend' });
  r.sizeKinds.forEach(function (k, j) {
    var sp = el('span'); sp.appendChild(el('span', { 'class': 'swatch', style: 'background:' + COLORS[k] }));
    sp.appendChild(document.createTextNode(r.sizeNames[j] + ' mapped: '));
    sp.appendChild(el('b', { id: 'map-' + i + '-bytes-' + k }, String(totals[k] / 1024)));
    sp.appendChild(document.createTextNode(' kB'));
    lg.appendChild(sp);
  });
  box.appendChild(lg);
  if (!runsMapped.length) { box.appendChild(el('p', {}, 'nothing mapped')); return box; }
  var lo = runsMapped[0].start - r.linearStart, hi = runsMapped[runsMapped.length - 1].end - r.linearStart;
  var W = 940, H = 60, view = [lo, hi];
  var s = svg('svg', { viewBox: '0 0 ' + W + ' ' + (H + 20), preserveAspectRatio: 'none', height: H + 20 });
  function ox(e) { return e.offsetX * W / (s.clientWidth || W); }
  var g = svg('g'); s.appendChild(g);
  var axis = svg('text', { x: 2, y: H + 14 }); s.appendChild(axis);
  var tip = el('div', { 'class': 'hint', id: 'map-' + i + '-tip' }, ' ');
  var viewEl = el('span', { id: 'map-' + i + '-view' }), rectsEl = el('span', { id: 'map-' + i + '-rects' });
  // file.html#zoom=RUN:FROM-TO opens run RUN's map on [PAGE_OFFSET + FROM, PAGE_OFFSET + TO) (bytes)
  var z = /zoom=(\d+):(\d+)-(\d+)/.exec(location.hash);
  if (z && Number(z[1]) === i && Number(z[3]) > Number(z[2])) {
    view = [Math.max(lo, Number(z[2])), Math.min(hi, Number(z[3]))];
  }
  function draw() {
    while (g.firstChild) { g.removeChild(g.firstChild); }
    var span = view[1] - view[0], px = span / W, lastX = -1, lastColor = null, lastRect = null;
    r.linearMap.forEach(function (m) {
      var a = m.start - r.linearStart, b = m.end - r.linearStart;
      if (b <= view[0] || a >= view[1]) { return; }
      var x = Math.max(0, (a - view[0]) / px), w = Math.max(1, (Math.min(b, view[1]) - Math.max(a, view[0])) / px);
      var color = COLORS[m.size] || '#000';
      var key = color + m.state;
      if (lastRect && lastColor === key && x <= lastX + 0.5) {
        lastRect.setAttribute('width', Math.max(1, x + w - Number(lastRect.getAttribute('x'))));
        lastX = x + w; return;
      }
      if (lastRect && x < lastX && w < 1.01) { return; }
      var rect = svg('rect', { x: x, y: m.state === 'invalid' ? H / 3 : 0, width: w, height: m.state === 'invalid' ? H / 3 : H,
        fill: color, 'fill-opacity': m.state === 'ro' ? 0.55 : 1 });
      var ti = svg('title'); ti.textContent = hex(m.start) + '-' + hex(m.end) + ' ' + m.size + ' ' + m.state + ' (' + human(m.end - m.start) + ')';
      rect.appendChild(ti); g.appendChild(rect); lastRect = rect; lastColor = key; lastX = x + w;
    });
    viewEl.textContent = view[0] + '-' + view[1];
    rectsEl.textContent = String(g.childNodes.length);
    axis.textContent = 'PAGE_OFFSET + ' + human(view[0]) + ' .. + ' + human(view[1]) + '  (' + human(view[1] - view[0]) + ' shown; read-only runs paler, invalid runs thinner)';
  }
  s.addEventListener('wheel', function (e) {
    e.preventDefault();
    var f = e.deltaY < 0 ? 0.5 : 2, mid = view[0] + (view[1] - view[0]) * (ox(e) / W);
    var span = Math.max(r.pageSize * 4, Math.min(hi - lo, (view[1] - view[0]) * f));
    view = [Math.max(lo, mid - span / 2), 0]; view[1] = Math.min(hi, view[0] + span); view[0] = Math.max(lo, view[1] - span);
    draw();
  });
  var drag = null;
  s.addEventListener('mousedown', function (e) { drag = [e.clientX, view[0], view[1]]; });
  window.addEventListener('mouseup', function () { drag = null; });
  s.addEventListener('mousemove', function (e) {
    var va = view[0] + (view[1] - view[0]) * (ox(e) / W);
    tip.textContent = 'VA ' + hex(r.linearStart + Math.floor(va / r.pageSize) * r.pageSize);
    if (!drag) { return; }
    var d = (drag[0] - e.clientX) * (drag[2] - drag[1]) / (s.clientWidth || W), span = drag[2] - drag[1];
    view[0] = Math.min(Math.max(lo, drag[1] + d), hi - span); view[1] = view[0] + span; draw();
  });
  s.addEventListener('dblclick', function () { view = [lo, hi]; draw(); });
  draw();
  box.appendChild(s);
  box.appendChild(tip);
  var vw = el('div', { 'class': 'hint' }, 'view (bytes from PAGE_OFFSET): ');
  vw.appendChild(viewEl); vw.appendChild(document.createTextNode(', runs drawn: ')); vw.appendChild(rectsEl);
  box.appendChild(vw);
  if (r.linearMapTruncated) { box.appendChild(el('p', { 'class': 'hint' }, 'map cut off after ' + r.linearMap.length + ' runs')); }
  return box;
}

// ---------------------------------------------------------------- violation, ops
function renderViolations() {
  var area = document.getElementById('violation-area'), any = false;
  runs.forEach(function (r, i) {
    if (!r.violations.length) { return; }
    any = true;
    var v = r.violations[0], box = el('div', { id: 'violation-' + i });
    box.appendChild(el('h3', {}, colName(r, i) + ': ' + v.invariant));
    box.appendChild(el('p', { id: 'violation-' + i + '-where' }, 'after ' + v.where + ' (step ' + v.step + ')'));
    box.appendChild(el('p', { id: 'violation-' + i + '-message' }, v.message));
    if (v.interleaving.length) { box.appendChild(el('p', {}, 'How it got there:')); box.appendChild(el('pre', {}, v.interleaving.join('\n'))); }
    if (v.ptdump.length) { box.appendChild(el('p', {}, 'ptdump of the range:')); box.appendChild(el('pre', {}, v.ptdump.join('\n'))); }
    area.appendChild(box);
  });
  if (!any) { area.appendChild(el('p', { id: 'violation-none' }, 'none: every invariant held in every run')); }
}
function renderOps() {
  var area = document.getElementById('ops-area');
  runs.forEach(function (r, i) {
    area.appendChild(el('h3', {}, colName(r, i)));
    var t = el('table', { id: 'ops-' + i }), h = el('tr');
    ['operation', 'calls', 'TLBI', 'TLBI pages', 'TLBI all', 'DSB ISHST', 'DSB ISH', 'ISB', 'tables +', 'tables -', 'writes'].forEach(function (c) { h.appendChild(el('th', {}, c)); });
    t.appendChild(h);
    r.ops.forEach(function (o) {
      var tr = el('tr');
      tr.appendChild(el('th', {}, o.name));
      [o.calls, o.tlbi, o.tlbiPages, o.tlbiAll, o.dsbIshst, o.dsbIsh, o.isb, o.tablesAllocated, o.tablesFreed, o.writes].forEach(function (v) { tr.appendChild(el('td', {}, String(v))); });
      t.appendChild(tr);
    });
    area.appendChild(t);
  });
}

try {
  renderSummary();
  renderPlots();
  var ma = document.getElementById('map-area');
  runs.forEach(function (r, i) { ma.appendChild(renderMap(r, i)); });
  renderViolations();
  renderOps();
  document.getElementById('render-status').textContent = window.__ptlabErrors.length ? 'errors' : 'ok';
} catch (e) {
  console.error('render failed: ' + e + (e.stack ? '\n' + e.stack : ''));
  document.getElementById('render-status').textContent = 'failed';
}
})();
