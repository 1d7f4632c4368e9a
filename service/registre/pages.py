"""French pages of the registers for the council's lead: upload, mapping preview, import
progress and report, register search, ambiguous pairs, eligibility, pool creation.

The upload form is streamed (``multipart/form-data`` parsed chunk by chunk into a
temporary file, never held whole in memory); its CSRF token travels in the query string
for that reason (see ``service/http/csrf.py``). A confirmed import runs after the response
(a background task) and the task page refreshes until it is done.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.background_tasks import BackgroundTask
from litestar.response import Redirect, Template

from domain.access import Action
from domain.errors import DomainError
from domain.i18n import _, ngettext
from domain.registre.households import HOUSEHOLD_RULE
from domain.registre.mapping import CANONICAL_FIELDS
from service.http.auth import allow
from service.http.common import actor_of, ctx_of
from service.http.errors import status_of
from service.http.forms import decode, form_values, optional_int
from service.http.render import form_errors, render, see_other
from service.organisation import usecases as org
from service.organisation.store import CouncilRow
from service.registre import uploads
from service.registre.api import EligibilityIn, MappingIn, PairDecision, PoolIn
from service.registre.streamed_form import streamed_form
from service.registre.usecases import common as common_uc
from service.registre.usecases import eligibility as eligibility_uc
from service.registre.usecases import imports as imports_uc
from service.registre.usecases import mapping as mapping_uc
from service.registre.usecases import pairs as pairs_uc
from service.registre.usecases import sources as sources_uc
from service.registre.usecases import tasks as tasks_uc

ENCODINGS = [
    ("", "détecter"),
    ("utf-8", "UTF-8"),
    ("cp1252", "Windows-1252"),
    ("latin_1", "Latin-1 (ISO-8859-1)"),
    ("utf-16", "UTF-16"),
]
DELIMITERS = [
    ("", "détecter"),
    (";", "point-virgule (;)"),
    (",", "virgule (,)"),
    ("tab", "tabulation"),
    ("|", "barre (|)"),
]
STRATIFICATIONS = [
    ("sexe", "par sexe"),
    ("sexe-bureau", "sexe × bureau de vote"),
    ("sexe-age", "sexe × tranche d'âge"),
]


def _labels() -> dict[str, str]:
    """The forms' labels, naming the field in the API models' French messages."""
    return {
        "date_reference": _("Date de référence"),
        "accepter_date_inconnue": _("Accepter les personnes sans date de naissance"),
        "stratification": _("Strates"),
        "tranches": _("Bornes des tranches d'âge"),
        "libelle": _("Libellé"),
        "nom": _("Nom de la correspondance"),
        "champs": _("Correspondance"),
        "decision": _("Décision"),
    }


# Refusals no encoding or delimiter chosen on the preview can lift.
_UNREADABLE = frozenset({"tableur-trop-grand", "tableur-endommage", "type-fichier"})


def _fil(council: CouncilRow, *tail: dict[str, str]) -> list[dict[str, str]]:
    cid = council.id
    return [
        {"href": "/", "label": _("Tableau de bord")},
        {"href": f"/conseils/{cid}", "label": council.name},
        {"href": f"/conseils/{cid}/registre", "label": _("Registre")},
        *tail,
    ]


def _options_from(values: dict[str, Any]) -> common_uc.ImportOptions:
    mapping = values.get("mapping") or None
    sep = values.get("delimiter") or None
    return common_uc.ImportOptions(
        kind=values.get("kind") or None,
        encoding=values.get("encoding") or None,
        delimiter="\t" if sep == "tab" else sep,
        mapping=mapping,
        mapping_name=values.get("mapping_name") or None,
        keep_valid=bool(values.get("keep_valid")),
    )


class RegisterPages(Controller):
    path = "/conseils/{council_id:int}/registre"
    include_in_schema = False

    async def _index(
        self,
        request: Request[Any, Any, Any],
        council_id: int,
        erreurs: dict[str, str] | None = None,
        status: int = 200,
        form: dict[str, str] | None = None,
    ) -> Template:
        council = await org.get_council(council_id)
        return render(
            request,
            "registre/index.html",
            status_code=status,
            titre=_("Registre des habitants"),
            conseil=council,
            apercu=await sources_uc.register_overview(council_id),
            imports=await sources_uc.list_sources(council_id),
            erreurs=erreurs or {},
            form=form or {},
            kinds=[(k, _(common_uc.KIND_LABELS[k])) for k in common_uc.KINDS],
            encodings=ENCODINGS,
            delimiters=DELIMITERS,
            max_mo=ctx_of(request).settings.upload_max_bytes // (1024 * 1024),
            fil=[*_fil(council)[:-1], {"label": _("Registre")}],
        )

    @get("/", opt=allow(Action.READ_REGISTER, "council_id"))
    async def index(self, request: Request[Any, Any, Any], council_id: int) -> Template:
        return await self._index(request, council_id)

    @post("/depot", opt=allow(Action.MANAGE_REGISTER, "council_id"))
    async def upload(self, request: Request[Any, Any, Any], council_id: int) -> Template | Redirect:
        ctx = ctx_of(request)
        await org.get_council(council_id)
        try:
            form = await streamed_form(request)
        except DomainError as exc:  # 413 when too large, however the body was sent
            return await self._index(request, council_id, form_errors(exc),
                                     status=status_of(exc))
        assert form.upload is not None
        options = {
            "kind": form.fields.get("type", ""),
            "encoding": form.fields.get("encodage", ""),
            "delimiter": form.fields.get("separateur", ""),
        }
        token = uploads.keep(form.upload, ctx.settings.var_dir, council_id, options)
        return see_other(f"/conseils/{council_id}/registre/apercu/{token}")

    async def _preview(
        self,
        request: Request[Any, Any, Any],
        council_id: int,
        token: str,
        options: dict[str, Any],
        erreurs: dict[str, str] | None = None,
        status: int = 200,
        details: list[dict[str, Any]] | None = None,
    ) -> Template:
        ctx = ctx_of(request)
        council = await org.get_council(council_id)
        upload, _saved = uploads.kept(ctx.settings.var_dir, council_id, token)
        try:
            data = await mapping_uc.preview(
                ctx, council_id, upload.path, upload.file_name, _options_from(options)
            )
        except DomainError as exc:
            if exc.code in _UNREADABLE:  # no option can make it readable: not kept
                uploads.forget(ctx.settings.var_dir, council_id, token)
            return await self._index(request, council_id, form_errors(exc), status=422)
        mapping = options.get("mapping") or data["mapping"]
        return render(
            request,
            "registre/apercu.html",
            status_code=status,
            titre=_("Aperçu du fichier"),
            conseil=council,
            token=token,
            apercu=data,
            options=options,
            correspondance=mapping,
            erreurs=erreurs or {},
            details=details or [],
            taille=upload.size,
            deja_importe=await imports_uc.already_imported(council_id, upload.digest),
            kinds=[(k, _(common_uc.KIND_LABELS[k])) for k in common_uc.KINDS],
            encodings=ENCODINGS,
            delimiters=DELIMITERS,
            fil=_fil(council, {"label": _("Aperçu")}),
        )

    @get("/apercu/{token:str}", opt=allow(Action.MANAGE_REGISTER, "council_id"))
    async def preview(
        self, request: Request[Any, Any, Any], council_id: int, token: str
    ) -> Template:
        _upload, options = uploads.kept(ctx_of(request).settings.var_dir, council_id, token)
        return await self._preview(request, council_id, token, options)

    @post("/apercu/{token:str}", opt=allow(Action.MANAGE_REGISTER, "council_id"))
    async def confirm(
        self, request: Request[Any, Any, Any], council_id: int, token: str
    ) -> Template | Redirect:
        ctx = ctx_of(request)
        upload, _saved = uploads.kept(ctx.settings.var_dir, council_id, token)
        form = await request.form()
        mapping = {f: str(form.get(f"champ_{f}", "")).strip() for f in CANONICAL_FIELDS}
        mapping = {f: t for f, t in mapping.items() if t}
        options: dict[str, Any] = {
            "kind": str(form.get("type", "")),
            "encoding": str(form.get("encodage", "")),
            "delimiter": str(form.get("separateur", "")),
            "keep_valid": form.get("garder_valides") == "oui",
            # An edited mapping replaces detection only when the user asked for it.
            "mapping": mapping if form.get("correspondance_manuelle") == "oui" else None,
        }
        uploads.update_options(ctx.settings.var_dir, council_id, token, options)
        if form.get("action") != "importer":
            return await self._preview(request, council_id, token, options)
        actor = actor_of(request)
        save_as = str(form.get("enregistrer_sous", "")).strip()
        if save_as and mapping:
            try:
                saved = decode(MappingIn, {"nom": save_as, "champs": mapping}, _labels())
                await mapping_uc.save_mapping(ctx, actor, council_id, saved.nom, saved.champs)
            except DomainError as exc:
                return await self._preview(
                    request,
                    council_id,
                    token,
                    options,
                    {"enregistrer_sous": exc.detail},
                    status=422,
                )
        task_id = await tasks_uc.start_task(ctx, actor, council_id, options["kind"], upload.file_name)

        def done() -> None:
            uploads.forget(ctx.settings.var_dir, council_id, token)

        return Redirect(
            f"/conseils/{council_id}/registre/taches/{task_id}",
            status_code=303,
            background=BackgroundTask(
                tasks_uc.run_import_task,
                ctx,
                actor,
                council_id,
                task_id,
                upload.path,
                upload.file_name,
                _options_from(options),
                upload.digest,
                done,
            ),
        )

    @get("/taches/{task_id:int}", opt=allow(Action.READ_REGISTER, "council_id"))
    async def task(
        self, request: Request[Any, Any, Any], council_id: int, task_id: int
    ) -> Template | Redirect:
        council = await org.get_council(council_id)
        task = await tasks_uc.get_task(council_id, task_id, ctx_of(request).now())
        if task["status"] == "termine" and task.get("source"):
            # The page refreshes itself while the import runs, then moves on to the report.
            return see_other(f"/conseils/{council_id}/registre/imports/{task['source']}?ok=import-termine")
        return render(
            request,
            "registre/tache.html",
            titre=_("Import en cours") if task["status"] == "en-cours" else _("Import"),
            conseil=council,
            tache=task,
            fil=_fil(council, {"label": _("Import")}),
        )

    @get("/imports/{source_id:int}", opt=allow(Action.READ_REGISTER, "council_id"))
    async def report(
        self, request: Request[Any, Any, Any], council_id: int, source_id: int
    ) -> Template:
        council = await org.get_council(council_id)
        source = await sources_uc.get_source(council_id, source_id, with_rejections=500)
        return render(
            request,
            "registre/rapport.html",
            titre=_("Rapport d'import"),
            conseil=council,
            source=source,
            fil=_fil(council, {"label": _("Rapport d'import")}),
        )

    @get("/personnes", opt=allow(Action.READ_REGISTER, "council_id"))
    async def people(
        self, request: Request[Any, Any, Any], council_id: int, q: str = "", page: int = 1
    ) -> Template:
        council = await org.get_council(council_id)
        result = await sources_uc.search_people(council_id, q, page)
        return render(
            request,
            "registre/personnes.html",
            titre=_("Recherche dans le registre"),
            conseil=council,
            resultat=result,
            fil=_fil(council, {"label": _("Recherche")}),
        )

    async def _pairs_page(self, request: Request[Any, Any, Any], council_id: int,
                          erreur: str = "", status: int = 200, message: str = "") -> Template:
        council = await org.get_council(council_id)
        return render(
            request,
            "registre/paires.html",
            status_code=status,
            titre=_("Doublons possibles à trancher"),
            conseil=council,
            paires=await pairs_uc.ranked_pairs(council_id),
            apercu=await pairs_uc.preview_rule(council_id),
            regle_non_tranchees=_(pairs_uc.UNDECIDED_RULE),
            erreur=erreur,
            **({"message": {"kind": "succes", "text": message}} if message else {}),
            fil=_fil(council, {"label": _("Doublons possibles")}),
        )

    @get("/paires", opt=allow(Action.READ_REGISTER, "council_id"))
    async def pairs(self, request: Request[Any, Any, Any], council_id: int) -> Template:
        return await self._pairs_page(request, council_id)

    @post("/paires/{pair_id:int}", opt=allow(Action.MANAGE_REGISTER, "council_id"))
    async def decide(
        self, request: Request[Any, Any, Any], council_id: int, pair_id: int
    ) -> Redirect | Template:
        values = form_values(await request.form(), ("decision",))
        try:
            data = decode(PairDecision, values, _labels())
            await pairs_uc.decide_pair(
                ctx_of(request), actor_of(request), council_id, pair_id, data.decision)
        except DomainError as exc:
            return await self._pairs_page(request, council_id, exc.detail, status_of(exc))
        return see_other(f"/conseils/{council_id}/registre/paires#paire-{pair_id}")

    @post("/paires/regle", opt=allow(Action.MANAGE_REGISTER, "council_id"))
    async def apply_rule(self, request: Request[Any, Any, Any], council_id: int
                         ) -> Template:
        values = form_values(await request.form(), ("attendu",))
        try:
            # The count previewed (a hidden field); without it the preview counts as stale.
            expected = optional_int(values["attendu"], "attendu", _("Paires attendues"))
            done = await pairs_uc.apply_rule(
                ctx_of(request), actor_of(request), council_id,
                -1 if expected is None else expected)
        except DomainError as exc:
            return await self._pairs_page(request, council_id, exc.detail, status_of(exc))
        return await self._pairs_page(request, council_id, message=ngettext(
            "{n} paire tranchée « même personne » par la règle.",
            "{n} paires tranchées « même personne » par la règle.",
            done["fusionnees"]).format(n=done["fusionnees"]))

    async def _eligibility(
        self,
        request: Request[Any, Any, Any],
        council_id: int,
        resume: dict[str, Any] | None = None,
        erreurs: dict[str, str] | None = None,
        status: int = 200,
        form: dict[str, Any] | None = None,
    ) -> Template:
        council = await org.get_council(council_id)
        return render(
            request,
            "registre/eligibilite.html",
            status_code=status,
            titre=_("Éligibilité"),
            conseil=council,
            resume=resume,
            regle_foyer=HOUSEHOLD_RULE,
            erreurs=erreurs or {},
            form=form or {"date_reference": ctx_of(request).now().date().isoformat()},
            fil=_fil(council, {"label": _("Éligibilité")}),
        )

    @get("/eligibilite", opt=allow(Action.READ_REGISTER, "council_id"))
    async def eligibility_form(self, request: Request[Any, Any, Any], council_id: int) -> Template:
        return await self._eligibility(request, council_id)

    @post("/eligibilite", opt=allow(Action.MANAGE_REGISTER, "council_id"))
    async def eligibility(self, request: Request[Any, Any, Any], council_id: int) -> Template:
        form = await request.form()
        values: dict[str, Any] = {
            **form_values(form, ("date_reference",)),
            "accepter_date_inconnue": form.get("accepter_date_inconnue") == "oui",  # a checkbox
        }
        try:
            data = decode(EligibilityIn, _filled(values), _labels())
            resume = await eligibility_uc.evaluate_eligibility(
                ctx_of(request), actor_of(request), council_id, data.date_reference,
                data.accepter_date_inconnue,
            )
        except DomainError as exc:
            return await self._eligibility(
                request,
                council_id,
                erreurs=form_errors(exc),
                status=status_of(exc),
                form=values,
            )
        return await self._eligibility(request, council_id, resume=resume, form=values)

    async def _pool(
        self,
        request: Request[Any, Any, Any],
        council_id: int,
        vivier: dict[str, Any] | None = None,
        erreurs: dict[str, str] | None = None,
        status: int = 200,
        form: dict[str, Any] | None = None,
    ) -> Template:
        from service.tirage.usecases.pools import list_pools

        council = await org.get_council(council_id)
        return render(
            request,
            "registre/vivier.html",
            status_code=status,
            titre=_("Vivier du tirage"),
            conseil=council,
            vivier=vivier,
            viviers=await list_pools(council_id, "residents"),
            erreurs=erreurs or {},
            stratifications=STRATIFICATIONS,
            form=form
            or {
                "date_reference": ctx_of(request).now().date().isoformat(),
                "stratification": "sexe",
                "tranches": "30, 45, 60",
            },
            fil=_fil(council, {"label": _("Vivier")}),
        )

    @get("/vivier", opt=allow(Action.READ_REGISTER, "council_id"))
    async def pool_form(self, request: Request[Any, Any, Any], council_id: int) -> Template:
        return await self._pool(request, council_id)

    @post("/vivier", opt=allow(Action.MANAGE_REGISTER, "council_id"))
    async def pool(self, request: Request[Any, Any, Any], council_id: int) -> Template:
        form = await request.form()
        values: dict[str, Any] = {
            **form_values(form, ("date_reference", "stratification", "tranches", "libelle")),
            "accepter_date_inconnue": form.get("accepter_date_inconnue") == "oui",  # a checkbox
        }
        body = _filled(values)
        # The bounds count for « sexe × tranche d'âge » only; typed « 30, 45 » or « 30; 45 ».
        bounds = body.pop("tranches", "")
        if body.get("stratification") == "sexe-age":
            body["tranches"] = [t.strip() for t in bounds.replace(";", ",").split(",") if t.strip()]
        try:
            data = decode(PoolIn, body, _labels())
            spec: dict[str, Any] = {"mode": data.stratification}
            if data.tranches:
                spec["tranches"] = data.tranches
            vivier = await eligibility_uc.build_pool(
                ctx_of(request),
                actor_of(request),
                council_id,
                data.date_reference,
                spec,
                label=data.libelle,
                accept_unknown_birth_date=data.accepter_date_inconnue,
            )
        except DomainError as exc:
            return await self._pool(
                request,
                council_id,
                erreurs=form_errors(exc),
                status=status_of(exc),
                form=values,
            )
        return await self._pool(request, council_id, vivier=vivier, form=values, status=201)


def _filled(values: dict[str, Any]) -> dict[str, Any]:
    """The form's values without its empty fields: the model's defaults apply to those, and
    a required one is « obligatoire »."""
    return {k: v for k, v in values.items() if v != ""}


REGISTRE_PAGES = [RegisterPages]
