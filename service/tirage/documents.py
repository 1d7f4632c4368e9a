"""The procès-verbal of a draw by lot (PDF), from ``service.tirage.usecases.records.pv_data``.

Two copies of the same document: the lead's (ranked keys with the names of invited
people) and the public one (keys only). Built with the toolkit's page template and a
platypus story, since the ranked results make a multi-page table.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from domain.genre import lead_title
from domain.i18n import _
from domain.labels import stratum_label
from service.documents.fonts import BOLD, REGULAR
from service.documents.formatting import format_datetime_long, format_number
from service.documents.page import Letterhead, PageTemplate, fit_columns, mm
from service.documents.render import DocumentInfo, render_story

PARIS = ZoneInfo("Europe/Paris")
NBSP = "\u00a0"

_BODY = ParagraphStyle("pv-corps", fontName=REGULAR, fontSize=10, leading=13.5, spaceAfter=5)
_TITLE = ParagraphStyle(
    "pv-titre", parent=_BODY, fontName=BOLD, fontSize=15, leading=19, spaceAfter=10
)
_H2 = ParagraphStyle(
    "pv-h2", parent=_BODY, fontName=BOLD, fontSize=11.5, leading=15, spaceBefore=8, spaceAfter=5
)
_MONO = ParagraphStyle("pv-empreinte", parent=_BODY, fontSize=8.5, leading=11, wordWrap="CJK")
_CELL = ParagraphStyle("pv-cellule", parent=_BODY, fontSize=8.5, leading=10.5, spaceAfter=0)


def _num(n: int) -> str:
    return format_number(n, thousands_sep=NBSP)


def _when(moment: dt.datetime | None) -> str:
    if moment is None:
        return "—"
    return format_datetime_long(moment.astimezone(PARIS))


def _p(text: str, style: ParagraphStyle = _BODY) -> Paragraph:
    return Paragraph(escape(text), style)


def _table(rows: list[list[str]], widths: list[float], header: bool = True) -> Table:
    data: list[list[object]] = [[Paragraph(escape(str(c)), _CELL) for c in row] for row in rows]
    t = Table(data, colWidths=fit_columns(data, widths), repeatRows=1 if header else 0)
    grid = TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ])
    if header:
        grid.add("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.89, 0.89, 0.99))
    t.setStyle(grid)
    return t


REPLY_WORDS = {
    "accepted": "a accepté",
    "declined": "a refusé",
    "no_reply": "sans réponse",
    "returned_npai": "NPAI",
    "": "en attente",
}


def _summary(data: dict[str, Any]) -> list[Flowable]:
    """The result at a glance, first: titulaires and suppléants per stratum."""
    rows_in = data.get("summary") or []
    if not rows_in:
        return []
    rows = [[_("Strate"), _("Sièges"), _("Titulaires"), _("Suppléants"), _("Sièges vacants")]]
    total = {"seats": 0, "titulaires": 0, "suppleants": 0, "empty": 0}
    for r in rows_in:
        rows.append([stratum_label(r["stratum"]), _num(r["seats"]), _num(r["titulaires"]),
                     _num(r["suppleants"]), _num(r["empty"])])
        for k in total:
            total[k] += int(r[k])
    rows.append([_("Total"), _num(total["seats"]), _num(total["titulaires"]),
                 _num(total["suppleants"]), _num(total["empty"])])
    table = _table(rows, [61 * mm, 24 * mm, 26 * mm, 26 * mm, 28 * mm])
    table.setStyle(TableStyle([("BACKGROUND", (0, -1), (-1, -1), colors.Color(0.95, 0.95, 0.95))]))
    return [_p(_("Résultat en bref : titulaires et suppléants par strate"), _H2), table, Spacer(1, 2 * mm),
            _p(_("Situation à la date d'édition de ce procès-verbal, d'après les réponses enregistrées."))]


def story(data: dict[str, Any]) -> list[Flowable]:
    council = data["council"]
    out: list[Flowable] = [
        _p(_("Procès-verbal du tirage au sort {ref}").format(ref=data["reference"]), _TITLE),
        _p(
            _("Copie {de_la_cheffe_de_projet} (avec les noms des personnes invitées)").format(
                de_la_cheffe_de_projet=lead_title(data.get("lead_genre"), article="de"))
            if data["lead_copy"]
            else _("Copie publique (clés seulement, sans donnée personnelle)")
        ),
        _p(
            _("Conseil citoyen : {name}{qpv}").format(
                name=council["name"],
                qpv=(" — " + ", ".join(council["qpv"])) if council.get("qpv") else "",
            )
        ),
        _p(
            _("Liste tirée : {kind}, {n} personnes.").format(
                kind=_("volontaires") if data["kind"] == "volontaires" else _("habitants"),
                n=_num(data["pool_size"]),
            )
        ),
        _p(_("Date de la séance : {d}").format(d=_when(data["date"]))),
        _p(_("Lieu : {p}").format(p=data["place"] or "—")),
    ]
    out.extend(_summary(data))
    out.append(_p(_("Personnes présentes :"), _H2))
    out.extend(_p("• " + p) for p in data["present"]) if data["present"] else out.append(_p("—"))

    out.append(_p(_("Liste et plan engagés"), _H2))
    seats = data["plan"].get("seats") or {}
    rows = [[_("Strate"), _("Personnes dans la liste"), _("Sièges"), _("Invitations du 1er tour")]]
    rows += [
        [stratum_label(s), _num(n), str(seats.get(s, "—")), str(data["plan"]["quotas"].get(s, 0))]
        for s, n in data["strata_counts"].items()
    ]
    out.append(_table(rows, [45 * mm, 45 * mm, 30 * mm, 45 * mm]))
    out.append(
        _p(
            _("Une personne par foyer : {v}.").format(
                v=_("oui") if data["plan"]["one_per_household"] else _("non")
            )
        )
    )
    out.append(_p(_("Empreinte de la liste (SHA-256) :")))
    out.append(_p(data["pool_digest"], _MONO))
    out.append(_p(_("Engagement publié le {d} :").format(d=_when(data["committed_at"]))))
    out.append(_p(data["commitment"], _MONO))

    out.append(_p(_("Aléa public et graine"), _H2))
    if data["entropy"] is None:
        out.append(_p(_("L'aléa n'a pas encore été saisi.")))
    else:
        kind = (
            _("faces de dés lues en séance")
            if data["entropy_kind"] == "dice"
            else _("résultat public")
        )
        out.append(
            _p(
                _("Aléa ({kind}), saisi par {who} le {d} :").format(
                    kind=kind, who=data["entropy_by"], d=_when(data["entropy_at"])
                )
            )
        )
        out.append(_p(data["entropy"], _MONO))
        out.append(_p(_("Graine = SHA-256(engagement LF aléa) :")))
        out.append(_p(data["seed"], _MONO))
    if data["ranking_digest"]:
        counts = ", ".join(f"{stratum_label(s)}{NBSP}: {_num(n)}" for s, n in data["ranked_counts"].items())
        out.append(
            _p(
                _(
                    "Classement établi : {counts} ; {k} personne(s) écartée(s) (un membre du foyer mieux "
                    "classé). Empreinte du classement : {d}."
                ).format(
                    counts=counts, k=_num(data["skipped_count"]), d=data["ranking_digest"][:16]
                )
            )
        )
    if data["rounds"]:
        out.append(_p(_("Tours d'invitations"), _H2))
        for r in data["rounds"]:
            invited = ", ".join(f"{stratum_label(s)}{NBSP}: {n}" for s, n in r["invited"].items())
            out.append(
                _p(
                    _("Tour {n} ({d}) : {invited}.").format(
                        n=r["round"], d=_when(dt.datetime.fromisoformat(r["at"])), invited=invited
                    )
                )
            )
        out.append(_p(_("Résultats : personnes invitées, dans l'ordre du classement"), _H2))
        header = [_("Strate"), _("Rang"), _("Clé"), _("Tour"), _("Réponse")]
        widths = [25 * mm, 15 * mm, 50 * mm, 15 * mm, 30 * mm]
        if data["lead_copy"]:
            header.append(_("Nom"))
            widths = [22 * mm, 13 * mm, 42 * mm, 12 * mm, 25 * mm, 51 * mm]
        rows = [header]
        for r in data["ranked"]:
            row = [
                stratum_label(r["stratum"]),
                str(r["rank"]),
                r["key"],
                str(r["round"] or ""),
                REPLY_WORDS.get(r["reply"], ""),
            ]
            if data["lead_copy"]:
                row.append(r.get("name", ""))
            rows.append(row)
        out.append(_table(rows, widths))
    out.append(Spacer(1, 8 * mm))
    out.append(
        KeepTogether(
            [
                _p(_("Fait pour servir et valoir ce que de droit."), _BODY),
                _table(
                    [
                        [
                            # The lead's title as their account says it (DESIGN.md §7).
                            lead_title(data.get("lead_genre"), article="le", capital=True),
                            _("Le représentant de l'État (délégué du préfet)"),
                            _("Un témoin"),
                        ],
                        ["\n\n\n", "\n\n\n", "\n\n\n"],
                    ],
                    [55 * mm, 60 * mm, 50 * mm],
                ),
            ]
        )
    )
    out.append(
        _p(
            _(
                "Vérification : python -m domain.verify REGISTRE.json LISTE.tsv (protocole cc-draw/1)."
            ),
            _MONO,
        )
    )
    return out


def render_pv(data: dict[str, Any]) -> bytes:
    council = data["council"]
    template = PageTemplate(
        Letterhead(
            organisation=council["name"],
            council=_("Tirage au sort {ref}").format(ref=data["reference"]),
        ),
        fold_marks=False,
        reserve_window=False,
    )
    created = data["committed_at"] if isinstance(data["committed_at"], dt.datetime) else None
    info = DocumentInfo(
        title=_("Procès-verbal du tirage au sort {ref}").format(ref=data["reference"]),
        author=council["name"],
        subject=_("Tirage au sort (cc-draw/1)"),
        created=created,
    )
    return render_story(lambda: story(data), template, info)
