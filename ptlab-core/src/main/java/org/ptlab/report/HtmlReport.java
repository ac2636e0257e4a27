package org.ptlab.report;

import java.util.List;
import java.util.Map;

/**
 * The HTML report: one self-contained file (inline CSS, SVG drawn by inline JavaScript, the data as
 * embedded JSON; no network access) showing, for each run (variant column): the configuration, the
 * summary table, plots over the steps (DirectMap breakdown, page-table memory, TLB maintenance and
 * TLB misses where a hardware model measured them), a zoomable map of the linear map coloured by
 * mapping size, and the first violation with the steps that led to it.
 *
 * <p>The page's script writes every number it computes into an element with an id
 * ({@code sum-RUN-KEY}, {@code map-RUN-bytes-SIZE}, {@code render-status}) and copies script errors
 * and {@code console.error} calls into {@code <pre id="console-errors">}, so a headless browser's
 * {@code --dump-dom} shows both what was rendered and whether anything failed.
 */
public final class HtmlReport {
    private HtmlReport() {}

    /** The summary keys, in table order (the ids the page writes are sum-RUN-KEY). */
    public static final List<String> SUMMARY_KEYS = List.of("linear-pt-pages", "linear-pt-kb", "pt-pages", "splits", "collapses",
            "tlbi", "tlbi-pages", "tlbi-all", "dsb", "isb", "warnings", "violations");

    public static String render(String title, List<RunRecord> runs) {
        StringBuilder b = new StringBuilder(64 * 1024);
        b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>ptlab report: ").append(esc(title)).append("</title>\n")
                .append("<style>\n").append(CSS).append("</style>\n")
                // error capture first, so that anything later is caught
                .append("<script>\n").append(CAPTURE).append("</script>\n")
                .append("</head>\n<body>\n")
                .append("<h1>ptlab report: ").append(esc(title)).append("</h1>\n");
        b.append("<section id=\"config\"><h2>Configuration</h2>\n");
        for (int i = 0; i < runs.size(); i++) {
            RunRecord r = runs.get(i);
            b.append("<h3>").append(esc(columnName(r, i))).append("</h3>\n<table class=\"kv\" id=\"config-").append(i).append("\">\n");
            b.append("<tr><th>source</th><td>").append(esc(r.source)).append("</td></tr>\n");
            for (Map.Entry<String, String> e : r.config.entrySet()) {
                b.append("<tr><th>").append(esc(e.getKey())).append("</th><td>").append(esc(e.getValue())).append("</td></tr>\n");
            }
            b.append("</table>\n");
            if (!r.notes.isEmpty()) {
                b.append("<ul class=\"notes\">\n");
                for (String n : r.notes) {
                    b.append("<li>").append(esc(n)).append("</li>\n");
                }
                b.append("</ul>\n");
            }
        }
        b.append("</section>\n");
        b.append("<section id=\"summary\"><h2>Summary (end of run)</h2>\n<table id=\"summary-table\"></table>\n")
                .append("<p class=\"hint\">Rows marked &#9650; differ between columns.</p></section>\n");
        b.append("<section id=\"plots\"><h2>Over the steps</h2><div id=\"plot-area\"></div></section>\n");
        b.append("<section id=\"maps\"><h2>Linear map by mapping size</h2>\n")
                .append("<p class=\"hint\">Scroll to zoom, drag to pan, double-click to reset. Hover a run for its range.</p>\n")
                .append("<div id=\"map-area\"></div></section>\n");
        b.append("<section id=\"violations\"><h2>First violation</h2><div id=\"violation-area\"></div></section>\n");
        b.append("<section id=\"ops\"><h2>Maintenance per kernel operation</h2><div id=\"ops-area\"></div></section>\n");
        b.append("<h2>Page status</h2>\n<p>render status: <span id=\"render-status\">not rendered (JavaScript off?)</span></p>\n")
                .append("<pre id=\"console-errors\"></pre>\n");
        b.append("<script type=\"application/json\" id=\"ptlab-data\">")
                .append(RunRecord.toCompactJson(runs).replace("</", "<\\/").replace("<!--", "<\\!--"))
                .append("</script>\n");
        b.append("<script>\n").append(SCRIPT).append("</script>\n</body>\n</html>\n");
        return b.toString();
    }

    /** The column heading of run i: its variant label, or "run i". */
    public static String columnName(RunRecord r, int i) {
        return r.label == null || r.label.isEmpty() ? "run " + (i + 1) : r.label;
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<': b.append("&lt;"); break;
                case '>': b.append("&gt;"); break;
                case '&': b.append("&amp;"); break;
                case '"': b.append("&quot;"); break;
                case '\'': b.append("&#39;"); break;
                default: b.append(c);
            }
        }
        return b.toString();
    }

    private static final String CSS = """
            body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
            h1 { font-size: 1.4em; } h2 { font-size: 1.15em; border-bottom: 1px solid #ccc; margin-top: 1.6em; }
            table { border-collapse: collapse; margin: .5em 0; }
            td, th { border: 1px solid #ddd; padding: 2px 8px; text-align: right; font-variant-numeric: tabular-nums; }
            table.kv th, table.kv td { text-align: left; }
            th { background: #f4f4f4; }
            tr.differs td, tr.differs th { background: #fff2cc; }
            .hint { color: #666; font-size: .9em; }
            pre { background: #f8f8f8; padding: .5em; overflow-x: auto; font-size: 12px; }
            #console-errors:empty { display: none; }
            #console-errors { color: #a00; }
            .plot { display: inline-block; margin: 0 1em 1em 0; vertical-align: top; }
            .legend span { display: inline-block; margin-right: 1em; }
            .swatch { display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: middle; }
            svg text { font: 11px sans-serif; }
            .map svg { cursor: grab; border: 1px solid #ccc; }
            """;

    private static final String CAPTURE = """
            window.__ptlabErrors = [];
            window.addEventListener('error', function (e) {
              window.__ptlabErrors.push('error: ' + e.message + ' at ' + (e.filename || '') + ':' + (e.lineno || 0));
              var el = document.getElementById('console-errors');
              if (el) { el.textContent = window.__ptlabErrors.join('\\n'); }
            });
            (function () {
              var orig = console.error;
              console.error = function () {
                var parts = [];
                for (var i = 0; i < arguments.length; i++) { parts.push(String(arguments[i])); }
                window.__ptlabErrors.push('console.error: ' + parts.join(' '));
                var el = document.getElementById('console-errors');
                if (el) { el.textContent = window.__ptlabErrors.join('\\n'); }
                return orig.apply(console, arguments);
              };
            })();
            """;

    private static final String SCRIPT = """
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
                tr.appendChild(el('th', {}, (differs ? '\\u25B2 ' : '') + label[key]));
                vals.forEach(function (v, i) { tr.appendChild(el('td', { id: 'sum-' + i + '-' + key }, v === null ? '' : String(v))); });
                t.appendChild(tr);
              });
            }

            // ---------------------------------------------------------------- plots
            function linePlot(title, id, series, yLabel) {
              var W = 460, H = 220, L = 64, R = 10, T = 24, B = 30;
              var box = el('div', { 'class': 'plot', id: id });
              var s = svg('svg', { width: W, height: H, viewBox: '0 0 ' + W + ' ' + H });
              var t = svg('text', { x: L, y: 14 }); t.textContent = title; s.appendChild(t);
              var xmax = 1, ymin = 0, ymax = 1;
              series.forEach(function (se) { se.points.forEach(function (p) { xmax = Math.max(xmax, p[0]); ymax = Math.max(ymax, p[1]); ymin = Math.min(ymin, p[1]); }); });
              function X(x) { return L + (W - L - R) * x / xmax; }
              function Y(y) { return T + (H - T - B) * (1 - (y - ymin) / (ymax - ymin || 1)); }
              s.appendChild(svg('line', { x1: L, y1: Y(ymin), x2: W - R, y2: Y(ymin), stroke: '#999' }));
              s.appendChild(svg('line', { x1: L, y1: T, x2: L, y2: H - B, stroke: '#999' }));
              [ymin, (ymin + ymax) / 2, ymax].forEach(function (v) {
                var tx = svg('text', { x: L - 4, y: Y(v) + 4, 'text-anchor': 'end' }); tx.textContent = yLabel(v); s.appendChild(tx);
              });
              var xl = svg('text', { x: W - R, y: H - 8, 'text-anchor': 'end' }); xl.textContent = 'step (0 = boot) .. ' + xmax; s.appendChild(xl);
              series.forEach(function (se) {
                if (se.area) {
                  var d = 'M' + X(se.points[0][0]) + ',' + Y(se.base[0]);
                  se.points.forEach(function (p) { d += ' L' + X(p[0]) + ',' + Y(p[1]); });
                  for (var i = se.points.length - 1; i >= 0; i--) { d += ' L' + X(se.points[i][0]) + ',' + Y(se.base[i]); }
                  s.appendChild(svg('path', { d: d + ' Z', fill: se.color, 'fill-opacity': 0.75, stroke: 'none' }));
                } else {
                  var pts = se.points.map(function (p) { return X(p[0]) + ',' + Y(p[1]); }).join(' ');
                  s.appendChild(svg('polyline', { points: pts, fill: 'none', stroke: se.color, 'stroke-width': 1.5 }));
                }
                if (se.points.length <= 40) {
                  se.points.forEach(function (p) {
                    var c = svg('circle', { cx: X(p[0]), cy: Y(p[1]), r: 2.5, fill: se.color });
                    var ti = svg('title'); ti.textContent = se.name + ': step ' + p[0] + ': ' + yLabel(p[1]); c.appendChild(ti);
                    s.appendChild(c);
                  });
                }
              });
              box.appendChild(s);
              var lg = el('div', { 'class': 'legend' });
              series.forEach(function (se) {
                var sp = el('span'); var sw = el('span', { 'class': 'swatch', style: 'background:' + se.color }); sp.appendChild(sw);
                sp.appendChild(document.createTextNode(se.name)); lg.appendChild(sp);
              });
              box.appendChild(lg);
              return box;
            }
            var RUNCOLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#8c564b', '#e377c2'];
            function renderPlots() {
              var area = document.getElementById('plot-area');
              runs.forEach(function (r, i) {
                var base = r.steps.map(function () { return 0; }), series = [];
                r.sizeNames.forEach(function (name, j) {
                  var pts = r.steps.map(function (s, k) { return [s.step, base[k] + s.directMapKb[j] * 1024]; });
                  series.push({ name: name, color: COLORS[r.sizeKinds[j]], points: pts, base: base.slice(), area: true });
                  base = pts.map(function (p) { return p[1]; });
                });
                area.appendChild(linePlot('DirectMap breakdown: ' + colName(r, i), 'plot-directmap-' + i, series, human));
                area.appendChild(linePlot('DirectMap change since boot: ' + colName(r, i), 'plot-directmap-delta-' + i,
                  r.sizeNames.map(function (name, j) {
                    return { name: name, color: COLORS[r.sizeKinds[j]],
                      points: r.steps.map(function (s) { return [s.step, (s.directMapKb[j] - r.steps[0].directMapKb[j]) * 1024]; }) };
                  }), human));
              });
              area.appendChild(linePlot('Page-table memory of the linear map', 'plot-ptmem', runs.map(function (r, i) {
                return { name: colName(r, i), color: RUNCOLORS[i % RUNCOLORS.length],
                  points: r.steps.map(function (s) { return [s.step, s.linearTablePages * r.pageSize]; }) };
              }), human));
              area.appendChild(linePlot('TLBI instructions (cumulative)', 'plot-tlbi', runs.map(function (r, i) {
                return { name: colName(r, i), color: RUNCOLORS[i % RUNCOLORS.length],
                  points: r.steps.map(function (s) { return [s.step, s.tlbi]; }) };
              }), count));
              var measured = runs.filter(function (r) { return r.steps.some(function (s) { return s.tlbMisses >= 0; }); });
              if (measured.length) {
                area.appendChild(linePlot('TLB misses of the probe after each step', 'plot-tlbmiss', measured.map(function (r, i) {
                  return { name: colName(r, i), color: RUNCOLORS[i % RUNCOLORS.length],
                    points: r.steps.filter(function (s) { return s.tlbMisses >= 0; }).map(function (s) { return [s.step, s.tlbMisses]; }) };
                }), count));
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
              var s = svg('svg', { width: W, height: H + 20 });
              var g = svg('g'); s.appendChild(g);
              var axis = svg('text', { x: 2, y: H + 14 }); s.appendChild(axis);
              var tip = el('div', { 'class': 'hint', id: 'map-' + i + '-tip' }, ' ');
              var viewEl = el('span', { id: 'map-' + i + '-view' }), rectsEl = el('span', { id: 'map-' + i + '-rects' });
              // file.html#zoom=RUN:FROM-TO opens run RUN's map on [PAGE_OFFSET + FROM, PAGE_OFFSET + TO) (bytes)
              var z = /zoom=(\\d+):(\\d+)-(\\d+)/.exec(location.hash);
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
                var f = e.deltaY < 0 ? 0.5 : 2, mid = view[0] + (view[1] - view[0]) * (e.offsetX / W);
                var span = Math.max(r.pageSize * 4, Math.min(hi - lo, (view[1] - view[0]) * f));
                view = [Math.max(lo, mid - span / 2), 0]; view[1] = Math.min(hi, view[0] + span); view[0] = Math.max(lo, view[1] - span);
                draw();
              });
              var drag = null;
              s.addEventListener('mousedown', function (e) { drag = [e.clientX, view[0], view[1]]; });
              window.addEventListener('mouseup', function () { drag = null; });
              s.addEventListener('mousemove', function (e) {
                var va = view[0] + (view[1] - view[0]) * (e.offsetX / W);
                tip.textContent = 'VA ' + hex(r.linearStart + Math.floor(va / r.pageSize) * r.pageSize);
                if (!drag) { return; }
                var d = (drag[0] - e.clientX) * (drag[2] - drag[1]) / W, span = drag[2] - drag[1];
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
                if (v.interleaving.length) { box.appendChild(el('p', {}, 'How it got there:')); box.appendChild(el('pre', {}, v.interleaving.join('\\n'))); }
                if (v.ptdump.length) { box.appendChild(el('p', {}, 'ptdump of the range:')); box.appendChild(el('pre', {}, v.ptdump.join('\\n'))); }
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
              console.error('render failed: ' + e + (e.stack ? '\\n' + e.stack : ''));
              document.getElementById('render-status').textContent = 'failed';
            }
            })();
            """;
}
