"""The investigation report: one offline HTML page (``index.html``) built from an
:class:`~kpgraph.investigation.Investigation`.

Every string from the data is escaped (``html.escape`` in the page, escaped JSON for the
route networks, which the page's script draws with labels on the canvas and tooltips
built with ``textContent``). vis-network is inline once; a Content-Security-Policy forbids
every request. The same investigation gives the same bytes.
"""

from __future__ import annotations

import re
from html import escape
from importlib import resources

from ..contract import contract
from .charts import line_chart, paired_bars
from .view import _assets, _script_json

__all__ = ["render_report", "TYPOLOGY_TITLES"]

TYPOLOGY_TITLES = {
    "origin_laundering": "Origin laundering",
    "mixed_origin_recertification": "Mixed-origin recertification",
    "round_tripping": "Round tripping",
    "hub_value_manipulation": "Hub value manipulation",
    "polishing_mass_balance": "Polishing mass balance",
    "certificate_abuse": "Certificate abuse",
    "sanctioned_trade": "Sanctioned trade",
    "shell_company": "Shell companies",
    "statistical_anomaly": "KP statistics anomalies",
}


def _day(v) -> str:
    """A date kept on one line: a hyphen is a place where browsers may break a line."""
    return f'<span class="day">{_e(v)}</span>'


def _e(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return escape(f"{v:,.4g}" if abs(v) < 1000 else f"{v:,.0f}")
    return escape(str(v))


def _cell(v) -> str:
    """A table cell; numbers right-aligned, so that their digits line up."""
    number = isinstance(v, (int, float)) and not isinstance(v, bool)
    return f'<td class="num">{_e(v)}</td>' if number else f"<td>{_e(v)}</td>"


def _table(rows: list[dict], columns: list[tuple[str, str]], cls: str = "") -> str:
    if not rows:
        return '<p class="none">None.</p>'
    head = "".join(f"<th>{escape(title)}</th>" for _, title in columns)
    body = "".join("<tr>" + "".join(_cell(r.get(k)) for k, _ in columns) + "</tr>"
                   for r in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _finding_rows(findings, bundles: dict) -> str:
    if not findings:
        return '<p class="none">None.</p>'
    out = ['<table><thead><tr><th>severity</th><th>finding</th><th>period</th>'
           '<th>evidence</th></tr></thead><tbody>']
    for f in findings:
        link = bundles.get(f.id)
        ev = (f'<a href="{escape(link)}">{escape(link)}</a>' if link else "")
        out.append(f"<tr><td class=\"num\">{f.severity:.2f}</td><td><b>{escape(f.rule)}</b> "
                   f"<span class=\"id\">{escape(f.id)}</span><br>{escape(f.summary)}</td>"
                   f"<td>{_day(f.period.get('from'))} to {_day(f.period.get('to'))}</td>"
                   f"<td>{ev}</td></tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _summary(inv, top_findings) -> str:
    counts = inv.counts["nodes"]
    by_typ: dict[str, int] = {}
    for f in inv.all_findings():
        by_typ[f.typology] = by_typ.get(f.typology, 0) + 1
    facts = [f"{counts.get('Shipment', 0):,} shipments", f"{counts.get('Company', 0):,} companies",
             f"{counts.get('Certificate', 0):,} certificates",
             f"{counts.get('Country', 0):,} countries"]
    period = (f"from {inv.period[0]} to {inv.period[1]}" if inv.period[0] else "no shipments")
    rows = "".join(f"<tr><td>{escape(TYPOLOGY_TITLES.get(t, t))}</td><td>{n}</td></tr>"
                   for t, n in sorted(by_typ.items(), key=lambda kv: (-kv[1], kv[0])))
    top = "".join(f"<li><b>{f.severity:.2f}</b> {escape(f.summary)} "
                  f"<span class=\"id\">{escape(f.id)}</span></li>" for f in top_findings)
    return (f"<p>{escape(', '.join(facts))}; trade {escape(period)}. "
            f"{len(inv.flagged_routes):,} routes flagged among those from the risky origins "
            f"and the round trips; {len(inv.findings):,} red-flag findings.</p>"
            f"<table class=\"narrow\"><thead><tr><th>typology</th><th>findings</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
            f"<h3>Top findings</h3><ol class=\"top\">{top}</ol>")


def _routes(routes, views: dict, bundles: dict) -> tuple[str, list]:
    html, data = [], []
    for n, r in enumerate(routes):
        reasons = "".join(f"<li>{escape(x['text'])}</li>" for x in r.reasons)
        view = views.get(r.id)
        links = []
        if view:
            links.append(f'<a href="{escape(view["file"])}">full view</a>')
        if r.id in bundles:
            links.append(f'<a href="{escape(bundles[r.id])}">evidence bundle</a>')
        steps = "".join(
            f"<tr>{_cell(i)}<td>{escape(sid)}</td><td>{_day(d)}</td>"
            f"<td>{escape(a)} &rarr; {escape(b)}</td>{_cell(ct)}{_cell(v)}</tr>"
            for i, (sid, d, a, b, ct, v) in enumerate(
                zip(r.shipments, r.dates, r.companies, r.companies[1:], r.carats, r.values), 1))
        more = (r.same_companies or 1) - 1
        along = (f" (and {more} more route{'s' if more > 1 else ''} along these companies)"
                 if more else "")
        html.append(
            f'<section class="route"><h3>{n + 1}. Route <span class="id">{escape(r.id)}</span> '
            f"score {r.score:.2f}</h3><p>{escape(' > '.join(r.companies))}{along}</p>"
            f'<div class="cols"><div><ul>{reasons}</ul>'
            f"<table><thead><tr><th>step</th><th>shipment</th><th>date</th><th>from &rarr; to"
            f"</th><th>carats</th><th>USD</th></tr></thead><tbody>{steps}</tbody></table>"
            f"<p>{' · '.join(links)}</p></div>"
            f'<div class="net" data-route="{len(data)}"></div></div></section>')
        data.append({"nodes": view["nodes"], "edges": view["edges"]} if view else
                    {"nodes": [], "edges": []})
    return "".join(html), data


def _charts(inv) -> str:
    out = []
    for iso3, series in inv.countries.items():
        out.append(line_chart(f"{iso3}: production (carats)", series["labels"],
                              {"production carats": series["production"]}))
        out.append(line_chart(f"{iso3}: value per carat (USD)", series["labels"],
                              {"USD per carat": series["vpc"]}))
    if inv.hubs:
        labels = [str(h["company_id"]) for h in inv.hubs]
        out.append(paired_bars("Hubs: value per carat in and out (USD)", labels,
                               [h["vpc_in"] for h in inv.hubs], [h["vpc_out"] for h in inv.hubs],
                               ("in", "out")))
    return "".join(f'<figure>{svg}</figure>' for svg in out) or '<p class="none">None.</p>'


def render_report(inv, views: dict, bundles: dict, created: str, version: str,
                  top_routes: list, fingerprints: tuple[str, ...] = ()) -> str:
    """The report page. ``top_routes`` are the routes shown (chosen by the investigation,
    which drew their views and bundles); ``views`` maps a route id to its view data plus
    ``file`` (the full view's relative path); ``bundles`` maps a finding or route id to its
    bundle's path; ``fingerprints`` name the dataset's files (SHA-256 over them, as
    evidence manifests record it), so that a printed report says which data it read."""
    js, css, _ = _assets()
    page = resources.files("kpgraph.render").joinpath("report.html").read_text("utf-8")
    every = inv.all_findings()
    typologies = list(contract().typologies)
    sections = []
    for typ in typologies:
        rule_f = [f for f in inv.findings if f.typology == typ]
        route_f = [f for f in inv.route_findings if f.typology == typ]
        if not rule_f and not route_f:
            continue
        sections.append(
            f'<section id="t-{escape(typ)}"><h3>{escape(TYPOLOGY_TITLES.get(typ, typ))}</h3>'
            f"<p class=\"def\">{escape(contract().typologies[typ])}</p>"
            f"<p>{len(rule_f)} finding(s) from the red-flag rules, {len(route_f)} flagged "
            f"route(s).</p>{_finding_rows(rule_f, bundles)}"
            + (f"<details><summary>{len(route_f)} flagged route(s)</summary>"
               f"{_finding_rows(route_f[:50], bundles)}</details>" if route_f else "")
            + "</section>")
    routes_html, nets = _routes(top_routes, views, bundles)
    brokers = _table(inv.brokers, [("company_id", "company"), ("name", "name"),
                                   ("country", "country"), ("role", "role"),
                                   ("betweenness", "betweenness")])
    hubs = _table(inv.hubs, [("company_id", "hub"), ("name", "name"), ("country", "country"),
                             ("free_zone", "free zone"), ("carats_in", "carats in"),
                             ("carats_out", "carats out"), ("vpc_in", "USD/ct in"),
                             ("vpc_out", "USD/ct out"), ("origins_in", "origins"),
                             ("destinations_out", "destinations")])
    # no year since an audit is no audit at all
    audited = [{**r, "years_since_audit": "never" if r.get("years_since_audit") is None
                else r["years_since_audit"]} for r in inv.audit]
    audit = _table(audited, [("company_id", "company"), ("name", "name"),
                               ("country", "country"), ("role", "role"), ("score", "score"),
                               ("centrality", "centrality"), ("volume", "volume"),
                               ("open_findings", "open findings"),
                               ("years_since_audit", "years since audit"),
                               ("audit_gap", "audit gap")])
    evidence = "".join(f'<li><a href="{escape(p)}">{escape(p)}</a></li>'
                       for p in sorted(set(bundles.values())))
    parts = {
        "TITLE": escape(f"kpgraph investigation: {inv.dataset}"),
        "META": escape(f"{inv.dataset} · {inv.backend} backend · kpgraph {version} · "
                       f"{created}" + "".join(f" · dataset SHA-256 {fp}"
                                              for fp in fingerprints)),
        "SUMMARY": _summary(inv, every[:10]),
        "TYPOLOGIES": "".join(sections) or '<p class="none">No findings.</p>',
        "ROUTES": routes_html or '<p class="none">No routes.</p>',
        "BROKERS": brokers, "HUBS": hubs, "AUDIT": audit, "CHARTS": _charts(inv),
        "EVIDENCE": f"<ul>{evidence}</ul>" if evidence else '<p class="none">None.</p>',
        "VIS_CSS": css, "VIS_JS": js, "DATA": _script_json({"routes": nets}),
    }
    keys = "|".join(parts)
    return re.sub(r"\{\{(" + keys + r")\}\}", lambda m: parts[m.group(1)], page)
