#!/usr/bin/env python3
"""tests/e2e/check_charts.py: rxsim compare's charts and --html page read as a
person reads them (issue 16 item 4), parsed with xml.etree / html.parser:

 - a line chart with more than 5 series is small multiples: a panel per
   setting of the outer axes (titled), at most 5 lines each, each line named
   at its end (a text per line, the line's own name);
 - axes say their units: recv-size (bytes), the metric (its unit);
 - a count (drops, lines moved) has whole-number y ticks;
 - a chart whose values are all equal draws nothing but that value;
 - --html FILE: one page, no script and no external reference, the table
   (a row per combination) and, inline, every chart --svg drew that is not
   all-equal, and the all-equal ones listed with their value.

Usage: check_charts.py RXSIM TRACE.  TAP on stdout."""
import html.parser
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

NS = '{http://www.w3.org/2000/svg}'
results = []


def check(name, cond, why=''):
    results.append((name, bool(cond), why))


def texts(el, cls=None):
    return [t.text or '' for t in el.iter(NS + 'text') if cls is None or t.get('class') == cls]


def number(label):
    mult = 1
    if label.endswith('k'):
        mult, label = 1e3, label[:-1]
    elif label.endswith('M'):
        mult, label = 1e6, label[:-1]
    return float(label) * mult


def main():
    rxsim, trace = sys.argv[1], sys.argv[2]
    tmp = tempfile.mkdtemp()
    svg, page = os.path.join(tmp, 'svg'), os.path.join(tmp, 'report.html')
    cmd = [rxsim, 'compare', trace, '--vary', 'csum=softirq,process,offload', '--vary', 'irq=fixed:0,rr',
           '--vary', 'recv-size=1024,65536', '--no-progress', '--svg', svg, '--html', page]
    r = subprocess.run(cmd, capture_output=True, text=True)
    check('compare --svg --html exits 0', r.returncode == 0, r.stderr)
    if r.returncode:
        return
    drawn, constant = set(), {}
    for f in sorted(os.listdir(svg)):
        root = ET.parse(os.path.join(svg, f)).getroot()
        note = texts(root, 'constant')
        marks = [e for e in root.iter() if e.tag in (NS + 'polyline', NS + 'circle')] + \
            [e for g in root.iter(NS + 'g') if g.get('class') == 'marks' for e in g.iter(NS + 'rect')]
        if note:
            constant[f] = note[0]
            check(f'{f}: all-equal chart draws no marks', not marks and 'every run: ' in note[0], note[0])
            continue
        drawn.add(f)
        if f.startswith('line-'):
            panels = [g for g in root.iter(NS + 'g') if g.get('class') == 'panel']
            lines = list(root.iter(NS + 'polyline'))
            names = [pl.find(NS + 'title').text for pl in lines]
            labels = texts(root, 'line-label')
            check(f'{f}: at most 5 lines a panel',
                  panels and all(len(list(p.iter(NS + 'polyline'))) <= 5 for p in panels),
                  f'{len(panels)} panels, {len(lines)} lines')
            titles = texts(root, 'panel-title')
            check(f'{f}: 6 series, a panel per csum (3 of 2 lines, irq=fixed:0 and rr)',
                  len(lines) == 6 and len(panels) == 3 and titles == ['csum=softirq', 'csum=process', 'csum=offload'],
                  f'{len(lines)} lines, {len(panels)} panels, titles {titles}')
            check(f'{f}: every line named at its end', sorted(names) == sorted(labels), f'{names} vs {labels}')
        if f.startswith('line-recv-size-'):
            check(f'{f}: x axis in bytes', any('recv-size (bytes)' in t for t in texts(root)), texts(root)[-3:])
        if f.endswith('-lines-moved.svg') or f.endswith('-drops.svg'):
            ticks = [t.text for g in root.iter(NS + 'g') if g.get('class') == 'y-axis'
                     for t in g.iter(NS + 'text') if t.get('text-anchor') == 'end']
            check(f'{f}: whole-number ticks', ticks and all(number(t) == int(number(t)) for t in ticks), ticks)
        if f == 'bars-scaled-throughput.svg':
            check(f'{f}: y label with unit', 'throughput scaled to CPU (Mbit/s)' in texts(root))
    check('drops are equal in every run, so not drawn', 'bars-drops.svg' in constant, sorted(constant))
    check('some charts drawn', len(drawn) > 10, sorted(drawn))

    text = open(page, encoding='utf-8').read()

    class Page(html.parser.HTMLParser):
        def __init__(self):
            super().__init__()
            self.svgs, self.rows, self.scripts, self.external, self.in_tbody = [], 0, 0, [], False
            self.figures = []

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == 'script':
                self.scripts += 1
            for k in ('src', 'href'):
                if k in a and not a[k].startswith('#'):
                    self.external.append(a[k])
            if tag == 'figure':
                self.figures.append(a.get('id', ''))
            if tag == 'svg':
                self.svgs.append(a)
            if tag == 'tbody':
                self.in_tbody = True
            if tag == 'tr' and self.in_tbody:
                self.rows += 1

        def handle_endtag(self, tag):
            if tag == 'tbody':
                self.in_tbody = False

    p = Page()
    p.feed(text)
    check('html: self-contained', p.scripts == 0 and not p.external, p.external)
    check('html: a table row per combination', p.rows == 12, p.rows)
    check('html: every drawn chart inline', sorted(p.figures) == sorted('chart-' + f for f in drawn),
          (len(p.figures), len(drawn)))
    check('html: the equal charts listed with their value',
          all(v.split(' (')[0] in text for v in constant.values()) and '(not drawn)' in text)


main()
print(f'1..{len(results)}')
for i, (name, ok, why) in enumerate(results, 1):
    print(f'{"ok" if ok else "not ok"} {i} - {name}' + ('' if ok else f' # {why}'))
sys.exit(0 if all(ok for _, ok, _ in results) else 1)
