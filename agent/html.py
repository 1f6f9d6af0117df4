"""One self-contained HTML report of a ``Summary``: bullets beside the highlighted source.

No external resources: inline CSS and a few lines of inline JS (the page works without it).
Every text is escaped. Cited spans are drawn from sorted, non-overlapping segments of each
document, so a stretch cited by several bullets is one ``<mark>`` that names all of them:

- ``<span id="cN">`` marks the start of footnote N's span; each ``<mark>`` lists the footnotes
  covering it in ``data-c``, the figure targets in ``data-f`` and the citing bullets in ``data-b``;
- after a span's end, ``<sup class="back">`` links back to each bullet citing it;
- each figure in a bullet links to ``#fI-J``, its first evidence span in the source.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from .models import Bullet, Document, Summary
from .render_summary import (
    EXTRACTIVE_MARK,
    FLAG_MARK,
    LABEL,
    MARK,
    Footnote,
    doc_label,
    failing,
    figure_spans,
    footer_parts,
    footnotes,
    one_line,
)
from .verify import FigureVerdict, Span

# Worst first: a source stretch that is evidence for several figures shows the worst verdict.
_SEVERITY = ["contradicted", "not_found", "cited_elsewhere", "supported"]


def esc(text: str) -> str:
    return html.escape(text, quote=True)


@dataclass
class _Interval:
    start: int
    end: int
    anchor: str  # element id placed at ``start``
    fn: int = 0  # footnote number (citations)
    fig: str = ""  # figure target id (evidence)
    verdict: str = ""
    label: str = ""  # hover text of a figure target
    exact: bool = False  # the target is the source figure itself (not a whole sentence)
    bullets: list[int] = field(default_factory=list)  # 1-based bullet numbers


@dataclass
class _FigureLink:
    target: str | None  # anchor id in the source, None when the evidence is not shown
    doc_id: str | None
    span: Span | None


def _locate(span: Span, prefer: list[str], documents: dict[str, Document]) -> str | None:
    """The document whose text holds ``span`` at its offsets (cited documents first)."""
    for doc_id in [*prefer, *documents]:
        doc = documents.get(doc_id)
        if doc is not None and doc.text[span.start : span.end] == span.text and span.text:
            return doc_id
    return None


def _figure_links(
    bullets: list[Bullet], documents: dict[str, Document]
) -> list[list[tuple[int, int, FigureVerdict, _FigureLink]]]:
    out = []
    for i, b in enumerate(bullets):
        prefer = list(dict.fromkeys(c.doc_id for c in b.citations))
        row = []
        for j, (s, e, v) in enumerate(figure_spans(b)):
            link = _FigureLink(None, None, None)
            if v.evidence:
                ev = v.evidence[0]
                doc_id = _locate(ev, prefer, documents)
                if doc_id is not None:
                    link = _FigureLink(f"f{i + 1}-{j + 1}", doc_id, ev)
            row.append((s, e, v, link))
        out.append(row)
    return out


def _tip(v: FigureVerdict) -> str:
    parts = [f'<span class="tip" role="tooltip"><b>{MARK[v.verdict]} {LABEL[v.verdict]}</b>']
    if v.reason:
        parts.append(f"<br>{esc(v.reason)}")
    for ev in v.evidence[-2:] if len(v.evidence) > 1 else v.evidence:
        parts.append(f"<br><q>{esc(one_line(ev.text, 300))}</q> <small>{ev.start}–{ev.end}</small>")
    parts.append("</span>")
    return "".join(parts)


def _bullet_html(
    i: int,
    b: Bullet,
    nums: list[int],
    figs: list[tuple[int, int, FigureVerdict, _FigureLink]],
    shown: set[int],
) -> str:
    cls = ["bullet", f"o-{b.origin}"]
    if not b.verified and b.origin != "extractive":
        cls.append("unverified")
    if b.flagged:
        cls.append("flagged")
    body, pos = [], 0
    for s, e, v, link in figs:
        body.append(esc(b.text[pos:s]))
        tag = "a" if link.target else "span"
        href = f' href="#{link.target}"' if link.target else ' tabindex="0"'
        body.append(
            f'<{tag} class="fig v-{v.verdict}"{href} data-mark="{MARK[v.verdict]}">'
            f"{esc(b.text[s:e])}{_tip(v)}</{tag}>"
        )
        pos = e
    body.append(esc(b.text[pos:]))
    out = [f'<li id="b{i + 1}" class="{" ".join(cls)}" data-pos="{i + 1}" data-id="{esc(b.id)}">']
    if b.flagged:
        out.append(f'<span class="badge flag">{FLAG_MARK}</span> ')
    out.append(f'<span class="text">{"".join(body)}</span>')
    if b.origin == "extractive":
        out.append(f' <span class="badge quoted">{esc(EXTRACTIVE_MARK.strip("()"))}</span>')
    elif b.origin == "repaired":
        out.append(' <span class="badge repaired">repaired</span>')
    refs = []
    for n in nums:
        if n in shown:
            refs.append(f'<a href="#c{n}" title="cited source span {n}">[{n}]</a>')
        else:
            refs.append(f"[{n}]")
    if refs:
        out.append(f'<sup class="fn">{"".join(refs)}</sup>')
    bad = failing(b)
    if bad:
        out.append('<ul class="why">')
        for v in bad:
            reason = f" — {esc(v.reason)}" if v.reason else ""
            out.append(
                f'<li class="v-{v.verdict}"><span class="fig v-{v.verdict}">'
                f"{esc(v.figure.text)}</span> {MARK[v.verdict]} {LABEL[v.verdict]}{reason}</li>"
            )
        out.append("</ul>")
    for problem in b.problems:
        out.append(f'<p class="problem">⚠ {esc(problem)}</p>')
    if b.model_text and b.model_text != b.text:
        out.append(f'<p class="model">model wrote: <q>{esc(b.model_text)}</q></p>')
    out.append("</li>")
    return "".join(out)


def _source_html(text: str, intervals: list[_Interval]) -> str:
    """``text`` escaped, cut at every interval boundary; covered segments become ``<mark>``."""
    n = len(text)
    ivs = [iv for iv in intervals if 0 <= iv.start < iv.end <= n]
    points = sorted({0, n, *(iv.start for iv in ivs), *(iv.end for iv in ivs)})
    starts: dict[int, list[_Interval]] = {}
    ends: dict[int, list[_Interval]] = {}
    for iv in ivs:
        starts.setdefault(iv.start, []).append(iv)
        ends.setdefault(iv.end, []).append(iv)
    out: list[str] = []
    for a, b in zip(points, [*points[1:], n], strict=True):
        for iv in ends.get(a, []):
            if iv.fn:
                links = "".join(
                    f'<a href="#b{k}" title="back to bullet {k}">↩{k}</a>' for k in iv.bullets
                )
                out.append(f'<sup class="back" data-c="{iv.fn}">[{iv.fn}]{links}</sup>')
        for iv in starts.get(a, []):
            out.append(f'<span class="anchor" id="{iv.anchor}"></span>')
        if a >= b:
            continue
        seg = esc(text[a:b])
        cover = [iv for iv in ivs if iv.start <= a and iv.end >= b]
        if not cover:
            out.append(seg)
            continue
        cites = [iv for iv in cover if iv.fn]
        figs = [iv for iv in cover if iv.fig]
        bullets = sorted({k for iv in cover for k in iv.bullets})
        cls = []
        if cites:
            cls.append("cite" if len({k for iv in cites for k in iv.bullets}) < 2 else "cite multi")
        if figs:
            worst = min((iv.verdict for iv in figs), key=_SEVERITY.index)
            cls.append(f"ev v-{worst}")
            if any(iv.exact for iv in figs):
                cls.append("evfig")
        attrs = f' class="{" ".join(cls)}"'
        if cites:
            attrs += f' data-c="{" ".join(str(iv.fn) for iv in cites)}"'
        if figs:
            attrs += f' data-f="{" ".join(iv.fig for iv in figs)}"'
            attrs += f' title="{esc("; ".join(iv.label for iv in figs))}"'
        attrs += f' data-b="{" ".join(map(str, bullets))}"'
        out.append(f"<mark{attrs}>{seg}</mark>")
    return "".join(out)


def render_html(summary: Summary, documents: dict[str, Document]) -> str:
    """The whole report as one HTML string (UTF-8, no external resources)."""
    notes, per_bullet = footnotes(summary)
    figs = _figure_links(summary.bullets, documents)
    order = list(dict.fromkeys([d.id for d in summary.documents] + [f.doc_id for f in notes]))
    shown_docs = [d for d in order if d in documents]
    intervals: dict[str, list[_Interval]] = {d: [] for d in shown_docs}
    shown: set[int] = set()
    for fn in notes:
        if fn.doc_id in intervals and 0 <= fn.start < fn.end <= len(documents[fn.doc_id].text):
            shown.add(fn.n)
            bs = [k + 1 for k in fn.bullets]
            intervals[fn.doc_id].append(
                _Interval(fn.start, fn.end, f"c{fn.n}", fn=fn.n, bullets=bs)
            )
    for i, row in enumerate(figs):
        for _s, _e, v, link in row:
            if link.target and link.doc_id in intervals and link.span:
                iv = _Interval(
                    link.span.start, link.span.end, link.target, fig=link.target, verdict=v.verdict
                )
                iv.bullets = [i + 1]
                iv.label = f"bullet {i + 1}: “{v.figure.text}” {LABEL[v.verdict]}"
                sf = v.source_figure
                iv.exact = sf is not None and (sf.start, sf.end) == (iv.start, iv.end)
                intervals[link.doc_id].append(iv)

    title = ", ".join(doc_label(summary, d.id) for d in summary.documents) or "documents"
    parts = footer_parts(summary)
    counts = _verdict_chips(summary)
    status = (
        '<span class="status ok">✓ verified</span>'
        if summary.verified
        else '<span class="status bad">⚠ NOT verified</span>'
    )
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Summary of {esc(one_line(title, 120))}</title>",
        f"<style>{_CSS}</style></head><body>",
        "<header>",
        f"<h1>Summary of {esc(title)}</h1>",
        f'<p class="meta">{status} {esc(parts[0])} {counts}</p>',
        f'<p class="meta dim">{esc(" · ".join(parts[2:]))}</p>',
    ]
    if summary.notice:
        out.append(f'<p class="notice">{esc(summary.notice)}</p>')
    out.append('</header><main><section class="summary" aria-label="Summary"><h2>Summary</h2>')
    out.append('<ol class="bullets">')
    for i, b in enumerate(summary.bullets):
        out.append(_bullet_html(i, b, per_bullet[i], figs[i], shown))
    out.append("</ol>")
    if notes:
        out.append('<h2>Sources</h2><ol class="sources">')
        out.extend(_source_item(fn, summary, shown) for fn in notes)
        out.append("</ol>")
    out.append(_LEGEND)
    out.append('</section><section class="source" aria-label="Source text">')
    for k, doc_id in enumerate(shown_docs):
        doc = documents[doc_id]
        out.append(f'<article class="doc" id="doc-{k + 1}"><h2>{esc(doc.title or doc.id)}</h2>')
        out.append(f'<p class="dim small">{esc(doc.source)} · {len(doc.text):,} characters</p>')
        out.append(f'<div class="text">{_source_html(doc.text, intervals[doc_id])}</div></article>')
    out.append(f"</section></main><script>{_JS}</script></body></html>")
    return "\n".join(out) + "\n"


def _source_item(fn: Footnote, summary: Summary, shown: set[int]) -> str:
    quote = esc(one_line(fn.text, 240))
    where = f"{fn.start}–{fn.end}"
    if len(summary.documents) > 1:
        where = f"{doc_label(summary, fn.doc_id)} · {where}"
    quote = f'<a href="#c{fn.n}">“{quote}”</a>' if fn.n in shown else f"“{quote}”"
    back = " ".join(
        f'<a href="#b{k + 1}" title="back to bullet {k + 1}">↩{k + 1}</a>' for k in fn.bullets
    )
    return f'<li value="{fn.n}">{quote} <span class="dim small">{esc(where)}</span> {back}</li>'


def _verdict_chips(summary: Summary) -> str:
    from .render_summary import verdict_counts

    vc = verdict_counts(summary)
    return " ".join(
        f'<span class="chip v-{k}">{MARK[k]} {n} {LABEL[k]}</span>' for k, n in vc.items() if n
    )


_LEGEND = (
    '<p class="legend small dim">Figures: '
    + " ".join(f'<span class="fig v-{k}" data-mark="{MARK[k]}">{LABEL[k]}</span>' for k in LABEL)
    + ' · <mark class="cite">cited span</mark> <mark class="cite multi">cited by several</mark>'
    + " · hover or focus a figure for its evidence</p>"
)

_CSS = """
:root{--ok:#137333;--bad:#c5221f;--nf:#a15c00;--el:#8e24aa;--cite:#fff3b0;--multi:#ffd95a;
--ink:#1f1f1f;--dim:#5f6368;--line:#dadce0;--link:#1a56c4;
-webkit-print-color-adjust:exact;print-color-adjust:exact}
*{box-sizing:border-box}
body{margin:0;font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
color:var(--ink);background:#fafafa}
header{padding:14px 24px 10px;border-bottom:1px solid var(--line);background:#fff}
h1{font-size:1.3rem;margin:0 0 6px;line-height:1.3}
h2{font-size:1.05rem;margin:0 0 8px}
.meta{margin:2px 0;font-size:.92rem}
.dim{color:var(--dim)}.small{font-size:.85rem}
.notice{margin:6px 0 0;padding:6px 10px;background:#e8f0fe;border-radius:6px;font-size:.9rem}
.status{font-weight:700;padding:1px 8px;border-radius:10px;margin-right:6px}
.status.ok{color:#fff;background:var(--ok)}.status.bad{color:#fff;background:var(--bad)}
.chip{display:inline-block;font-size:.8rem;padding:0 7px;border-radius:10px;border:1px solid;
margin-left:4px;font-weight:600}
.chip.v-supported{color:var(--ok)}.chip.v-contradicted{color:var(--bad)}
.chip.v-not_found{color:var(--nf)}.chip.v-cited_elsewhere{color:var(--el)}
main{display:grid;grid-template-columns:minmax(0,5fr) minmax(0,6fr);gap:24px;padding:16px 24px;
max-width:1600px;margin:0 auto}
.summary{position:sticky;top:0;align-self:start;max-height:100vh;overflow:auto;
padding:4px 4px 16px 0}
.source{min-width:0}
.bullets{padding-left:1.6em;margin:0 0 18px}
.bullet{position:relative;margin:0 0 12px;padding:8px 10px;background:#fff;
border:1px solid var(--line);border-left:4px solid var(--ok);border-radius:6px}
.bullet.o-extractive{border-left-color:#0b7285;background:#f3fafb}
.bullet.unverified{border-left-color:var(--nf)}
.bullet.flagged{border-left-color:var(--bad);background:#fdf1f0}
.bullet:target,.bullet.hit{outline:2px solid var(--link)}
.badge{display:inline-block;font-size:.75rem;font-weight:700;padding:0 6px;border-radius:4px;
vertical-align:1px;white-space:nowrap}
.badge.flag{color:#fff;background:var(--bad)}
.badge.quoted{color:#0b7285;border:1px solid #0b7285;font-style:italic}
.badge.repaired{color:var(--dim);border:1px solid var(--dim)}
.bullet.o-extractive .text{font-style:italic}
sup.fn a,.sources a,sup.back a{color:var(--link);text-decoration:none}
sup.fn a{font-weight:700;margin-left:1px}
.why{margin:6px 0 0;padding-left:1.1em;font-size:.88rem;color:var(--dim)}
.why li{margin:2px 0}
.problem{margin:4px 0 0;font-size:.85rem;color:#8a5a00}
.model{margin:4px 0 0;font-size:.85rem;color:var(--dim)}
.model q{font-style:normal;text-decoration:line-through;text-decoration-color:#9aa0a6}
.fig{font-weight:700;text-decoration:none;border-bottom:2px solid;
padding:0 1px;border-radius:2px}
.fig::after{content:attr(data-mark);font-size:.7em;vertical-align:super;margin-left:1px}
.fig.v-supported{color:var(--ok);background:#e6f4ea}
.fig.v-contradicted{color:var(--bad);background:#fce8e6}
.fig.v-not_found{color:var(--nf);background:#fef7e0}
.fig.v-cited_elsewhere{color:var(--el);background:#f3e8fd}
.tip{display:none;position:absolute;left:8px;right:8px;top:calc(100% - 4px);z-index:10;
padding:8px 10px;background:#202124;color:#f1f3f4;font-weight:400;font-size:.85rem;
line-height:1.4;border-radius:6px;box-shadow:0 2px 8px rgba(0,0,0,.3);white-space:normal}
.tip q{color:#fff;font-style:italic}.tip small{color:#bdc1c6}
.fig:hover .tip,.fig:focus .tip{display:block}
.sources{padding-left:1.8em;font-size:.88rem;margin:0 0 14px}
.sources li{margin:0 0 6px}
.sources a{color:var(--ink)}
.legend .fig{font-size:.8rem}
.legend .fig,.legend mark{white-space:nowrap}
.doc{background:#fff;border:1px solid var(--line);border-radius:6px;padding:14px 18px;
margin-bottom:16px}
.doc .text{white-space:pre-wrap;overflow-wrap:anywhere;font-size:.95rem;line-height:1.6}
mark{background:transparent;color:inherit;padding:0;border-radius:2px}
mark.cite{background:var(--cite)}
mark.cite.multi{background:var(--multi)}
mark.ev{border-bottom:3px solid}
mark.evfig{font-weight:700}
mark.ev.v-supported{border-color:var(--ok)}
mark.ev.v-contradicted{border-color:var(--bad)}
mark.ev.v-not_found{border-color:var(--nf)}
mark.ev.v-cited_elsewhere{border-color:var(--el)}
mark.hit,mark.lit{outline:2px solid var(--link);background:#d2e3fc}
sup.back{font-size:.7rem;color:var(--link);margin:0 2px;white-space:nowrap}
sup.back a{margin-left:2px}
.anchor{scroll-margin-top:40vh}
@media (max-width:900px){
main{grid-template-columns:1fr;padding:12px}
.summary{position:static;max-height:none;overflow:visible}
header{padding:12px}
}
@media print{
body{background:#fff;font-size:11pt}
main{display:block;padding:0}
.summary{position:static;max-height:none;overflow:visible}
.bullet{break-inside:avoid-page}
.tip{display:none}
sup.back a,.legend{display:none}
a{color:inherit}
}
"""

_JS = """
(function(){
function clear(c){document.querySelectorAll('.'+c).forEach(function(e){e.classList.remove(c)})}
function hit(){
clear('hit');var id=decodeURIComponent(location.hash.slice(1)),m,sel;if(!id)return;
if((m=/^c(\\d+)$/.exec(id)))sel='mark[data-c~="'+m[1]+'"]';
else if(/^f\\d+-\\d+$/.test(id))sel='mark[data-f~="'+id+'"]';
else{var el=document.getElementById(id);if(el)el.classList.add('hit');return}
document.querySelectorAll(sel).forEach(function(e){e.classList.add('hit')})}
window.addEventListener('hashchange',hit);hit();
document.querySelectorAll('li.bullet').forEach(function(li){
li.addEventListener('mouseenter',function(){
document.querySelectorAll('mark[data-b~="'+li.dataset.pos+'"]').forEach(function(e){
e.classList.add('lit')})});
li.addEventListener('mouseleave',function(){clear('lit')})})
})();
"""
