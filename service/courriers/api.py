"""API of the letters: a council's letter wording, and the letters of a draw's round.

The files themselves (PDF, CSV) are served by the same URLs as the pages
(``…/courriers/lettres.pdf`` and ``…/adresses.csv``), which accept an API token too.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post, put
from litestar.background_tasks import BackgroundTask
from litestar.response import Response

from domain.access import Action
from domain.errors import NotFound
from domain.i18n import _
from service.courriers.documents_wording import PLACEHOLDERS, LetterWording
from service.courriers.schemas import LetterBatchOut, LetterTemplateIn, LetterTemplateOut, WithheldOut
from service.courriers.store import BatchRow
from service.courriers.usecases import batches as lb
from service.courriers.usecases import templates as uc
from service.courriers.usecases.templates import LetterTemplateView
from service.http.auth import allow
from service.http.common import actor_of, ctx_of
from service.tirage.usecases import records


def _template_out(t: LetterTemplateView) -> LetterTemplateOut:
    return LetterTemplateOut(
        **{k: getattr(t.wording, k) for k in LetterWording.editable_fields()},
        version=t.version,
        saved=t.saved,
        has_logo=t.has_logo,
        placeholders=PLACEHOLDERS,
    )


def _batch_out(b: BatchRow, council_id: int) -> LetterBatchOut:
    base = f"/conseils/{council_id}/tirages/{b.draw_id}/tours/{b.round_no}/courriers"
    return LetterBatchOut(
        id=b.id,
        draw_id=b.draw_id,
        round_no=b.round_no,
        status=b.status,
        status_label=b.status_label,
        total=b.total,
        done=b.done,
        mailed=b.mailed,
        withheld=[WithheldOut(**w.as_dict()) for w in b.withheld],
        pages=b.pages,
        pdf_sha256=b.pdf_digest,
        pdf_url=f"{base}/lettres.pdf" if b.ready else None,
        csv_url=f"{base}/adresses.csv" if b.ready else None,
        created_at=b.created_at,
        finished_at=b.finished_at,
    )


class LettersController(Controller):
    path = "/api/v1/conseils/{council_id:int}"
    tags = ["Courriers"]

    @get(
        "/lettre",
        operation_id="getLetterTemplate",
        summary="Modèle de la lettre aux personnes tirées au sort",
        opt=allow(Action.RUN_DRAW, "council_id"),
    )
    async def get_template(self, council_id: int) -> LetterTemplateOut:
        return _template_out(await uc.get_template(council_id))

    @put(
        "/lettre",
        operation_id="saveLetterTemplate",
        summary="Enregistrer le modèle de lettre (champs inconnus refusés)",
        opt=allow(Action.RUN_DRAW, "council_id"),
    )
    async def save_template(
        self, request: Request[Any, Any, Any], council_id: int, data: LetterTemplateIn
    ) -> LetterTemplateOut:
        values = data.model_dump(exclude={"version"})
        saved = await uc.save_template(
            ctx_of(request), actor_of(request), council_id, values, version=data.version
        )
        return _template_out(saved)

    @post(
        "/tirages/{draw_id:int}/tours/{round_no:int}/courriers",
        operation_id="generateRoundLetters",
        summary="Lancer la génération des lettres d'un tour (en arrière-plan)",
        opt=allow(Action.RUN_DRAW, "council_id"),
        status_code=202,
    )
    async def generate(
        self, request: Request[Any, Any, Any], council_id: int, draw_id: int, round_no: int
    ) -> Response[LetterBatchOut]:
        ctx = ctx_of(request)
        batch_id = await lb.start_batch(ctx, actor_of(request), council_id, draw_id, round_no)
        batch = await lb.get_batch(council_id, draw_id, round_no, ctx.now())
        assert batch is not None and batch.id == batch_id
        return Response(
            _batch_out(batch, council_id),
            status_code=202,
            background=BackgroundTask(lb.run_batch, ctx, batch_id),
        )

    @get(
        "/tirages/{draw_id:int}/tours/{round_no:int}/courriers",
        operation_id="getRoundLetters",
        summary="État de la dernière génération des lettres d'un tour",
        opt=allow(Action.RUN_DRAW, "council_id"),
    )
    async def status(
        self, request: Request[Any, Any, Any], council_id: int, draw_id: int, round_no: int
    ) -> LetterBatchOut:
        await records.get_draw(draw_id, council_id)
        batch = await lb.get_batch(council_id, draw_id, round_no, ctx_of(request).now())
        if batch is None:
            raise NotFound(
                _("Les lettres de ce tour n'ont pas encore été générées."), code="lot-absent"
            )
        return _batch_out(batch, council_id)


API_CONTROLLERS: list[Any] = [LettersController]
