"""The composition report (PDF, CSV) and the draft « arrêté portant reconnaissance de la
composition du conseil citoyen » (ODT) for the préfecture.

Both show members' names, colleges and sex — a council is a public body — and never
contact data. The ODT is written by hand (zipfile + content.xml): a minimal valid
OpenDocument text whose first entry is the uncompressed ``mimetype``, so LibreOffice and
Word open it and the préfecture can edit the considérants before signing.
"""

from __future__ import annotations

import io
import zipfile
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from domain.composition import College, Origin
from domain.departements import of_departement
from domain.i18n import _, ngettext
from domain.labels import rule_label
from service.documents.csv_export import CsvExport
from service.documents.fonts import BOLD, REGULAR
from service.documents.formatting import format_date_long, french_spacing
from service.documents.page import Letterhead, PageTemplate
from service.documents.render import DocumentInfo, render_story

if TYPE_CHECKING:
    from service.composition.rows import MemberRow
    from service.composition.usecases.report import CompositionView as View

_H1 = ParagraphStyle("h1", fontName=BOLD, fontSize=14, leading=18, spaceAfter=8)
_H2 = ParagraphStyle("h2", fontName=BOLD, fontSize=11.5, leading=15, spaceBefore=10, spaceAfter=5)
_P = ParagraphStyle("p", fontName=REGULAR, fontSize=9.5, leading=12.5, spaceAfter=4)
_CELL = ParagraphStyle("cell", fontName=REGULAR, fontSize=8.5, leading=10.5)
_CELL_B = ParagraphStyle("cellb", fontName=BOLD, fontSize=8.5, leading=10.5)
_CODE = ParagraphStyle("code", fontName=REGULAR, fontSize=7.5, leading=9.5)

STATUS_MARK = {True: "respectée", False: "non respectée"}


def _t(text: str) -> str:
    """Text for a platypus paragraph: escaped, French spacing, and no U+202F (drawn as a box
    by some fonts)."""
    return escape(french_spacing(text)).replace("\u202f", "\u00a0")


def _rule_label(result: Any) -> str:
    if result.ok:
        return _("Respectée")
    return _("Non respectée") if result.severity.value == "bloquant" else _("Avertissement")


def composition_pdf(view: View, points: list[Any] | None = None, audit_head: dict[str, Any] | None = None) -> bytes:
    """``points``: the parity timeline (ParityPoint), shown as a table when given.
    ``audit_head``: the audit chain's head (service.audit.current_head), printed so that
    whoever keeps the report can later prove the trail was not rewritten."""
    council = view.council
    template = PageTemplate(
        Letterhead(
            organisation=council.territory_name,
            council=council.name,
            footer_note=_(
                "Composition établie le {d} — document sans coordonnées personnelles."
            ).format(d=format_date_long(view.today, weekday=False)),
        ),
        reserve_window=False,
        fold_marks=False,
    )
    info = DocumentInfo(
        title=_("Composition du conseil citoyen — {c}").format(c=council.name),
        author=council.territory_name,
        subject=_("Rapport de composition"),
        keywords=("conseil citoyen", "composition", "parité"),
    )

    def story() -> list[Flowable]:
        out: list[Flowable] = [
            Paragraph(
                _t(_("Composition du conseil citoyen « {c} »").format(c=council.name)), _H1
            ),
            Paragraph(
                _t(
                    _("Situation au {d}. Régime : {r}.").format(
                        d=format_date_long(view.today, weekday=False), r=council.regime
                    )
                ),
                _P,
            ),
            Paragraph(_t(_("Vérification des règles")), _H2),
        ]
        rows = [
            [
                Paragraph(_t(_("Règle")), _CELL_B),
                Paragraph(_t(_("Résultat")), _CELL_B),
                Paragraph(_t(_("Détail")), _CELL_B),
            ]
        ]
        for r in view.results:
            rows.append(
                [
                    Paragraph(_t(rule_label(r.code)), _CELL),
                    Paragraph(_t(_rule_label(r)), _CELL_B if not r.ok else _CELL),
                    Paragraph(_t(r.message), _CELL),
                ]
            )
        out.append(_table(rows, [46, 27, 97]))
        counts = view.counts()
        out.append(Paragraph(_t(_("Titulaires par collège et par sexe")), _H2))
        crow = [
            [
                Paragraph(_t(h), _CELL_B)
                for h in (_("Collège"), _("Femmes"), _("Hommes"), _("Total"))
            ]
        ]
        for c in College:
            n = counts[c.value]
            crow.append(
                [
                    Paragraph(_t(c.label), _CELL),
                    Paragraph(str(n["F"]), _CELL),
                    Paragraph(str(n["M"]), _CELL),
                    Paragraph(str(n["total"]), _CELL),
                ]
            )
        out.append(_table(crow, [80, 30, 30, 30]))
        for c in College:
            members = [m for m in view.members if m.college == c.value]
            out.append(Paragraph(_t(c.label), _H2))
            if not members:
                out.append(Paragraph(_t(_("Aucun membre.")), _P))
                continue
            mrows = [
                [
                    Paragraph(_t(h), _CELL_B)
                    for h in (
                        _("Nom"),
                        _("Sexe"),
                        _("Siège"),
                        _("Origine"),
                        _("Mandat"),
                        _("Statut"),
                    )
                ]
            ]
            for m in members:
                name = f"{m.nom.upper()} {m.prenom}"
                if m.structure:
                    name += f" ({m.structure})"
                mandate = f"{m.mandate_start.strftime('%d/%m/%Y')} – {m.mandate_end.strftime('%d/%m/%Y')}"
                status = m.status_label
                if m.status_since and m.status != "actif":
                    status += f" ({m.status_since.strftime('%d/%m/%Y')})"
                mrows.append(
                    [
                        Paragraph(_t(name), _CELL),
                        Paragraph(_t(m.sexe_label), _CELL),
                        Paragraph(_t(m.seat_label), _CELL),
                        Paragraph(_t(m.origin_label), _CELL),
                        Paragraph(_t(mandate), _CELL),
                        Paragraph(_t(status), _CELL),
                    ]
                )
            out.append(_table(mrows, [44, 17, 20, 35, 27, 27]))
        if points:
            out.append(Paragraph(_t(_("La parité au fil du mandat")), _H2))
            prow = [
                [
                    Paragraph(_t(h), _CELL_B)
                    for h in (_("À partir du"), _("Collège"), _("Femmes"), _("Hommes"))
                ]
            ]
            for p in points:
                prow.append(
                    [
                        Paragraph(p.day.strftime("%d/%m/%Y"), _CELL),
                        Paragraph(_t(p.college.label), _CELL),
                        Paragraph(str(p.women), _CELL),
                        Paragraph(str(p.men), _CELL),
                    ]
                )
            out.append(_table(prow, [30, 80, 30, 30]))
        out.append(Spacer(1, 8))
        if audit_head is not None:
            out.append(Paragraph(_t(_("Tête du journal d'audit à l'établissement de ce document : événement n° {n}.").format(
                n=audit_head["seq"])), _P))
            out.append(Paragraph(_t(str(audit_head["hash"])), _CODE))
        return out

    return render_story(story, template, info)


def _table(rows: list[list[Any]], widths_mm: list[float]) -> Table:
    from service.documents.page import fit_columns, mm

    t = Table(rows, colWidths=fit_columns(rows, [w * mm for w in widths_mm]), repeatRows=1)
    t.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return t


CSV_COLUMNS = [
    "college",
    "nom",
    "prenom",
    "sexe",
    "structure",
    "siege",
    "origine",
    "debut_mandat",
    "fin_mandat",
    "statut",
    "statut_depuis",
]


def composition_csv(view: View) -> bytes:
    """UTF-8 with BOM and « ; » separators: what French spreadsheets open directly."""
    w = CsvExport()
    w.row(CSV_COLUMNS)
    for m in view.members:
        w.row(
            [
                m.college,
                m.nom,
                m.prenom,
                m.sexe,
                m.structure or "",
                m.seat,
                m.origin,
                m.mandate_start.isoformat(),
                m.mandate_end.isoformat(),
                m.status,
                m.status_since.isoformat() if m.status_since else "",
            ]
        )
    w.row([])
    w.row(["regle", "respectee", "gravite", "message"])
    for r in view.results:
        w.row([r.code, "oui" if r.ok else "non", r.severity.value, r.message])
    return w.to_bytes()


# --- the draft arrêté (ODT) --------------------------------------------------------------

_ODT_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'office:version="1.3"'
)

_STYLES = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-styles {_ODT_NS}>
<office:styles>
<style:default-style style:family="paragraph"><style:paragraph-properties fo:margin-bottom="0.2cm"/>
<style:text-properties style:font-name="Liberation Serif" fo:font-size="11pt" fo:language="fr" fo:country="FR"/>
</style:default-style>
<style:style style:name="Titre" style:family="paragraph"><style:paragraph-properties fo:text-align="center"
 fo:margin-bottom="0.4cm"/><style:text-properties fo:font-size="14pt" fo:font-weight="bold"/></style:style>
<style:style style:name="Centre" style:family="paragraph"><style:paragraph-properties fo:text-align="center"/>
</style:style>
<style:style style:name="Article" style:family="paragraph"><style:paragraph-properties fo:margin-top="0.3cm"/>
<style:text-properties fo:font-weight="bold"/></style:style>
<style:style style:name="Heading_20_2" style:display-name="Heading 2" style:family="paragraph">
<style:text-properties fo:font-size="12pt" fo:font-weight="bold"/></style:style>
</office:styles>
</office:document-styles>
"""

_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
 <manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>
 <manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>
</manifest:manifest>
"""


def _p(text: str, style: str = "") -> str:
    attr = f' text:style-name="{style}"' if style else ""
    return f"<text:p{attr}>{escape(text)}</text:p>"


def _cell(text: str) -> str:
    return f'<table:table-cell office:value-type="string">{_p(text)}</table:table-cell>'


def _prefect_heading(code: str) -> str:
    """« PRÉFET D'INDRE-ET-LOIRE » from the territory's département code."""
    of = of_departement(code) if code else None
    if of is None:
        return _("PRÉFET DU DÉPARTEMENT ({d})").format(d=code or "…")
    return _("PRÉFET {de}").format(de=of).upper()


def _residents_recital(view: View, sitting: list[MemberRow]) -> str:
    """What the residents' college is made of, as it is: drawn from the registers, from
    volunteers, or both (never « drawn by lot » when volunteers sit in it)."""
    residents = [m for m in sitting if m.college == College.HABITANTS.value]
    drawn = sum(1 for m in residents if m.origin == Origin.TIRE_AU_SORT_REGISTRE.value)
    drawn_volunteers = sum(1 for m in residents if m.origin == Origin.TIRE_AU_SORT_VOLONTAIRES.value)
    volunteers = sum(1 for m in residents if m.origin == Origin.VOLONTAIRE.value)
    how: list[str] = []
    if drawn:
        how.append(ngettext("{n} membre tiré au sort sur les listes (liste électorale, fichiers des bailleurs)",
                            "{n} membres tirés au sort sur les listes (liste électorale, fichiers des bailleurs)",
                            drawn).format(n=drawn))
    if drawn_volunteers:
        how.append(ngettext("{n} membre tiré au sort parmi les habitants volontaires",
                            "{n} membres tirés au sort parmi les habitants volontaires",
                            drawn_volunteers).format(n=drawn_volunteers))
    if volunteers:
        how.append(ngettext("{n} habitant volontaire", "{n} habitants volontaires", volunteers).format(n=volunteers))
    parity = next((r for r in view.results if r.code == "parite-habitants"), None)
    parity_text = (_("dans le respect de la parité entre les femmes et les hommes")
                   if parity is None or parity.ok
                   else _("sans que la parité entre les femmes et les hommes soit atteinte (voir l'article 2)"))
    if not how:
        return _("Considérant que le collège des habitants ne compte encore aucun membre ;")
    share = next((r for r in view.results if r.code == "part-habitants"), None)
    share_text = (_("et que les habitants représentent au moins la moitié des membres du conseil")
                  if share is None or share.ok
                  else _("les habitants ne représentant pas encore la moitié des membres du conseil (voir l'article 2)"))
    return _("Considérant que le collège des habitants est composé de {how}, {parity}, {share} ;").format(
        how=_join_fr(how), parity=parity_text, share=share_text)


def _join_fr(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + _(" et ") + parts[-1]


def arrete_content(view: View) -> str:
    council = view.council
    qpv = ", ".join(f"{q.code} {q.name}" for q in council.qpvs)
    sitting = [m for m in view.members if m.status == "actif"]
    parts: list[str] = [
        _p(_prefect_heading(council.departement), "Centre"),
        _p(_("PROJET — document de travail à compléter et à relire avant signature"), "Centre"),
        _p(
            _(
                "Arrêté n° … portant reconnaissance de la composition du conseil citoyen « {c} »"
            ).format(c=council.name),
            "Titre",
        ),
        _p(_("Le préfet,")),
        _p(
            _(
                "Vu la loi n° 2014-173 du 21 février 2014 de programmation pour la ville et la "
                "cohésion urbaine, "
                "notamment son article 7 ;"
            )
        ),
        _p(
            _("Vu le contrat de ville du territoire « {t} » ;").format(
                t=council.territory_name or "…"
            )
        ),
        _p(_("Vu le cadre de référence des conseils citoyens ;")),
        _p(
            _(
                "Après consultation du maire et du président de l'établissement public de "
                "coopération "
                "intercommunale ;"
            )
        ),
        _p(_residents_recital(view, sitting)),
        _p(_("ARRÊTE"), "Titre"),
        _p(_("Article 1er"), "Article"),
        _p(
            _("La composition du conseil citoyen « {c} »{q} est reconnue comme suit :").format(
                c=council.name, q=f" ({qpv})" if qpv else ""
            )
        ),
    ]
    for c in College:
        members = [m for m in sitting if m.college == c.value]
        parts.append(_p(c.label, "Heading_20_2"))
        if not members:
            parts.append(_p(_("(aucun membre)")))
            continue
        rows = "".join(
            "<table:table-row>"
            + _cell(f"{m.nom.upper()} {m.prenom}")
            + _cell(m.sexe_label)
            + _cell(m.seat_label)
            + _cell(m.structure or m.origin_label)
            + "</table:table-row>"
            for m in members
        )
        head = (
            "<table:table-row>"
            + "".join(
                _cell(h) for h in (_("Nom"), _("Sexe"), _("Siège"), _("Origine ou structure"))
            )
            + "</table:table-row>"
        )
        parts.append(
            f'<table:table table:name="{escape(c.value)}"><table:table-column table:number-columns-repeated="4"/>'
            f"{head}{rows}</table:table>"
        )
    parts += [
        _p(_("Article 2"), "Article"),
        _p(
            _("Vérification des règles de composition au {d} :").format(
                d=format_date_long(view.today, weekday=False)
            )
        ),
    ]
    for r in view.results:
        parts.append(_p(f"— {rule_label(r.code)} : {_rule_label(r)}. {r.message}"))
    parts += [
        _p(_("Article 3"), "Article"),
        _p(
            _(
                "Le présent arrêté sera notifié au conseil citoyen et publié au recueil des "
                "actes administratifs de "
                "la préfecture. Il peut faire l'objet d'un recours devant le tribunal "
                "administratif dans un délai de "
                "deux mois à compter de sa publication."
            )
        ),
        _p(_("Fait à …, le …")),
        _p(_("Le préfet")),
    ]
    body = "".join(parts)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {_ODT_NS}>'
        f"<office:body><office:text>{body}</office:text></office:body></office:document-content>\n"
    )


def arrete_odt(view: View) -> bytes:
    meta = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<office:document-meta '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.3"><office:meta>'
        f"<dc:title>{escape(_('Projet d’arrêté — conseil citoyen {c}').format(c=view.council.name))}</dc:title>"
        "<dc:language>fr-FR</dc:language></office:meta></office:document-meta>\n"
    )
    buf = io.BytesIO()
    fixed = (1980, 1, 1, 0, 0, 0)  # fixed timestamps: the same composition gives the same bytes
    with zipfile.ZipFile(buf, "w") as z:
        # The ODF package rule: « mimetype » first, stored (not compressed), no extra field.
        z.writestr(
            zipfile.ZipInfo("mimetype", fixed),
            "application/vnd.oasis.opendocument.text",
            compress_type=zipfile.ZIP_STORED,
        )
        for name, data in (
            ("content.xml", arrete_content(view)),
            ("styles.xml", _STYLES),
            ("meta.xml", meta),
            ("META-INF/manifest.xml", _MANIFEST),
        ):
            z.writestr(
                zipfile.ZipInfo(name, fixed),
                data.encode("utf-8"),
                compress_type=zipfile.ZIP_DEFLATED,
            )
    return buf.getvalue()
