"""The whole meetings cycle in a real Chromium: a secretary creates a meeting, builds its
agenda and sends the convocations; a member acknowledges and gives a proxy through their
personal link; the secretary records attendance on the tablet page (quorum reached), the
minutes are drafted, adopted at the next meeting and published, and anyone reads them on
the public page, also at a phone's width. Every page is photographed (screenshots/)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import SCREENSHOTS, axe_violations, login, run, seed, tab_to

pytestmark = pytest.mark.browser
PARIS = ZoneInfo("Europe/Paris")
TOKEN = "lien-personnel-de-test-emma-0001"


async def _council_with_members(ctx: Any, ids: dict[str, int]) -> dict[str, int]:
    from service.comptes.tables import RoleAssignment
    from service.comptes.usecases.accounts import _create_account
    from tests.conftest import PASSWORD
    from tests.reunions_support import add_members

    async with ctx.db.transaction():
        secretary = await _create_account(ctx, "secretaire@test.fr", "Sam Secrétaire", PASSWORD, ctx.now())
        await RoleAssignment.insert(RoleAssignment(account=secretary, role="secretaire", council=ids["council"]))
        member = await _create_account(ctx, "emma@test.fr", "Emma Membre", PASSWORD, ctx.now())
        await RoleAssignment.insert(RoleAssignment(account=member, role="membre", council=ids["council"]))
    # Alice, Bruno, Chloé, David, Emma (Emma's seat is linked to her account).
    members = await add_members(ids["council"], 5, account_ids={4: member})
    return {**ids, "emma": members[4]}


async def _db(settings: Any, work: Any) -> Any:
    from service.db.engine import bind_engine, make_engine

    db = bind_engine(make_engine(settings))
    await db.start()
    try:
        return await work()
    finally:
        await db.stop()


def _off_loop(settings: Any, work: Any) -> Any:
    """Playwright's sync API holds this thread's event loop: database work mid-test runs
    in a thread of its own."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: run(_db(settings, work))).result()


def _time_passes(settings: Any, reunion_id: int, days: int) -> None:
    """The live service runs on the real clock: instead of waiting, the meeting is moved
    ``days`` into the past (as if those days had gone by since it was convened)."""
    from service.reunions.tables import Reunion

    async def work() -> None:
        row = await Reunion.select(Reunion.debut, Reunion.fin).where(Reunion.id == reunion_id).first()
        await Reunion.update({Reunion.debut: row["debut"] - timedelta(days=days),
                              Reunion.fin: row["fin"] - timedelta(days=days)}).where(Reunion.id == reunion_id)

    _off_loop(settings, work)


def _personal_link(settings: Any, reunion_id: int, membre_id: int) -> str:
    """The member's link is printed on their convocation (or mailed); only its digest is
    stored, so the test gives Emma's convocation a link it knows."""
    from service.reunions.tables_convocations import Convocation
    from service.security import token_digest

    async def work() -> None:
        await Convocation.update({Convocation.ack_token_hash: token_digest(TOKEN)}).where(
            (Convocation.reunion_id == reunion_id) & (Convocation.membre_id == membre_id)
            & Convocation.replaced_by.is_null())

    _off_loop(settings, work)
    return f"/convocations/{TOKEN}"


def _shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"reunions-{name}.png"), full_page=True)
    # RGAA: each page is checked with axe-core as shown, in the session that sees it (the
    # fixture's check after the test only reaches the public pages once logged out).
    problems = axe_violations(page)
    assert not problems, "Accessibilité (axe-core, RGAA/WCAG 2.1 AA) :\n" + "\n".join(problems)


def _local(days: int, hour: int, minute: int = 0) -> str:
    day = datetime.now(PARIS) + timedelta(days=days)
    return day.replace(hour=hour, minute=minute).strftime("%Y-%m-%dT%H:%M")


def _create_meeting(page: Any, council: int, titre: str, days: int) -> int:
    page.goto(f"/conseils/{council}/reunions/gestion")
    page.locator("#champ-titre").fill(titre)
    page.locator("#champ-debut").fill(_local(days, 18, 30))
    page.locator("#champ-fin").fill(_local(days, 20, 30))
    page.locator("#champ-lieu").fill("Maison de quartier des Tilleuls, 3 place du Marché")
    page.locator("#champ-publique").check()
    page.get_by_role("button", name="Créer la réunion").click()
    page.wait_for_url("**/reunions/*?ok=reunion-creee")
    return int(page.url.split("/reunions/")[1].split("?")[0])


def _add_item(page: Any, titre: str, parent: str = "", rapporteur: str = "", minutes: str = "") -> None:
    page.locator("#champ-np-titre").fill(titre)
    if parent:
        page.locator("#champ-np-parent_id").select_option(label=parent)
    page.locator("#champ-np-rapporteur").fill(rapporteur)
    page.locator("#champ-np-duree_minutes").fill(minutes)
    page.get_by_role("button", name="Ajouter à l'ordre du jour").click()
    page.wait_for_url("**ok=point-ajoute**")


def _row(page: Any, name: str) -> Any:
    return page.locator("ul.emargement > li").filter(has=page.locator(".qui").get_by_text(name, exact=True))


def _hold(page: Any, reunion_id: int, present: list[str], absent: list[str]) -> None:
    page.goto(f"/reunions/{reunion_id}/presences")
    # One tap per member: the page updates in place (static/reunions.js), the tapped
    # state shows pressed.
    for name in present:
        _row(page, name).get_by_role("button", name="Présent").click()
        _row(page, name).get_by_role("button", name="Présent", pressed=True).wait_for()
    for name in absent:
        _row(page, name).get_by_role("button", name="Absent", exact=True).click()
        _row(page, name).get_by_role("button", name="Absent", exact=True, pressed=True).wait_for()
    assert "ok=presence" not in page.url  # no reload: the page was updated in place


@pytest.fixture
def ids(test_settings: Any) -> dict[str, int]:
    return dict(run(seed(test_settings, _council_with_members)))


def test_meetings_cycle(ids: dict[str, int], page: Any, test_settings: Any) -> None:
    council = ids["council"]
    login(page, "secretaire@test.fr")
    # From the council page to its meetings.
    page.goto(f"/conseils/{council}")
    page.get_by_role("link", name="Réunions, ordres du jour, convocations et comptes rendus").click()
    page.wait_for_url(f"**/conseils/{council}/reunions/gestion")
    _shot(page, "01-gestion-vide")
    # Bad input first: the end before the start, said next to the field.
    page.locator("#champ-titre").fill("Séance plénière")
    page.locator("#champ-debut").fill(_local(14, 18, 30))
    page.locator("#champ-fin").fill(_local(14, 17, 0))
    page.get_by_role("button", name="Créer la réunion").click()
    assert "la fin doit suivre le début" in page.locator("#erreur-fin").inner_text()
    _shot(page, "02-erreur-fin")
    first = _create_meeting(page, council, "Séance plénière d'hiver", 14)
    _add_item(page, "Accueil et approbation de l'ordre du jour", minutes="10")
    _add_item(page, "Budget participatif 2027", rapporteur="Alice NOM0", minutes="45")
    _add_item(page, "Jardin partagé de la rue des Lilas", parent="Sous-point de 2 Budget participatif 2027")
    agenda = page.locator("#ordre-du-jour + ol")
    assert "2.1 Jardin partagé" in " ".join(agenda.inner_text().split())
    _shot(page, "03-ordre-du-jour")
    # Convocations: one per member, each with its fingerprint.
    page.get_by_role("link", name="Convocations").click()
    page.get_by_role("button", name="Envoyer les convocations").click()
    page.wait_for_url("**ok=convocations-envoyees")
    assert page.locator("table tbody tr").count() == 5
    _shot(page, "04-convocations")
    # Emma answers through her personal link: she gives her proxy to Alice.
    link = _personal_link(test_settings, first, ids["emma"])
    page.goto("/compte")
    page.get_by_role("button", name="Se déconnecter").click()
    page.goto(link)
    page.get_by_role("button", name="J'accuse réception de cette convocation").click()
    assert "Réception accusée le" in page.content()
    page.get_by_label("Je donne pouvoir à un autre membre").check()
    page.get_by_label("Membre à qui vous donnez pouvoir").select_option(label="Alice NOM0")
    page.get_by_role("button", name="Envoyer ma réponse").click()
    assert "Votre réponse est enregistrée" in page.content()
    _shot(page, "05-accuse-pouvoir")
    # Emma's own page lists the meeting and her answer.
    login(page, "emma@test.fr")
    page.goto("/mes-reunions")
    assert "Séance plénière d'hiver" in page.content() and "pouvoir donné" in page.content()
    _shot(page, "06-mes-reunions")
    page.get_by_role("button", name="Se déconnecter").click()
    # The meeting day: the secretary taps each member on the tablet page.
    _time_passes(test_settings, first, 20)
    login(page, "secretaire@test.fr")
    page.set_viewport_size({"width": 1024, "height": 1366})
    _hold(page, first, ["Alice NOM0", "Bruno NOM1", "Chloé NOM2"], ["David NOM3"])
    emma = _row(page, "Emma NOM4")
    assert "a répondu : pouvoir donné à Alice NOM0" in emma.inner_text()
    emma.get_by_role("button", name="Enregistrer le pouvoir").click()
    page.get_by_text("Pouvoir enregistré.").wait_for()
    assert "porte le pouvoir de Emma NOM4" in _row(page, "Alice NOM0").inner_text()
    _shot(page, "07-emargement-tablette")
    page.get_by_role("button", name="Clore l'émargement et constater le quorum").click()
    page.wait_for_url("**ok=emargement-clos**")
    assert "Quorum atteint : 3 présents, 3 requis sur 5 membres." in page.locator("#quorum").inner_text()
    _shot(page, "08-quorum")
    page.set_viewport_size({"width": 1280, "height": 900})
    # Decisions and the draft minutes.
    page.get_by_role("link", name="Décisions").click()
    section = page.locator("section", has_text="Budget participatif 2027").first
    section.get_by_label("Pour").fill("3")
    section.get_by_label("Contre").fill("1")
    section.get_by_label("Abstention").fill("0")
    section.get_by_role("button", name="Enregistrer la décision").click()
    page.wait_for_url("**ok=decision**")
    assert "3 pour, 1 contre" in page.content()
    _shot(page, "09-decisions")
    page.get_by_role("link", name="Compte rendu").click()
    page.get_by_role("button", name="Rédiger le compte rendu à partir de l'ordre du jour").click()
    page.wait_for_url("**ok=cr-cree**")
    text = page.locator("#champ-texte").input_value()
    assert "Budget participatif 2027" in text
    _shot(page, "10-compte-rendu-brouillon")
    # The next meeting, convened and held, adopts the minutes.
    second = _create_meeting(page, council, "Séance plénière de janvier", 14)
    _add_item(page, "Adoption du compte rendu précédent")
    page.goto(f"/reunions/{second}/convocations")
    page.get_by_role("button", name="Envoyer les convocations").click()
    page.wait_for_url("**ok=convocations-envoyees")
    _time_passes(test_settings, second, 15)
    # The tablet page works with the keyboard alone: Tab reaches the button, focus shows, Enter taps.
    page.goto(f"/reunions/{second}/presences")
    tab_to(page, _row(page, "Alice NOM0").get_by_role("button", name="Présent"))
    _shot(page, "07b-emargement-clavier")
    page.keyboard.press("Enter")
    # The script updates the row in place (no reload), as a tap does.
    _row(page, "Alice NOM0").get_by_role("button", name="Présent", pressed=True).wait_for()
    _hold(page, second, ["Alice NOM0", "Bruno NOM1", "Chloé NOM2", "David NOM3"], [])
    page.get_by_role("button", name="Clore l'émargement et constater le quorum").click()
    page.wait_for_url("**ok=emargement-clos**")
    page.goto(f"/reunions/{first}/compte-rendu")
    page.get_by_label("Réunion qui adopte ce compte rendu").select_option(index=0)
    page.get_by_role("button", name="Enregistrer l'adoption").click()
    page.wait_for_url("**ok=cr-adopte**")
    _shot(page, "11-compte-rendu-adopte")
    page.get_by_role("button", name="Publier sur la page publique").click()
    page.wait_for_url("**ok=cr-publie**")
    _shot(page, "12-compte-rendu-publie")
    page.get_by_role("button", name="Se déconnecter").click()
    # Anyone, on a phone: the public page, the published minutes, the question form.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/conseils/{council}/reunions")
    assert "Compte rendu publié" in page.content()
    _shot(page, "13-public-telephone")
    page.get_by_role("link", name="Compte rendu publié").first.click()
    assert "Budget participatif 2027" in page.content()
    _shot(page, "14-compte-rendu-public-telephone")
    page.goto(f"/conseils/{council}/questions/nouvelle")
    page.get_by_label("Votre question").fill("Quand l'éclairage du parking sera-t-il réparé ?")
    page.get_by_role("button", name="Envoyer ma question").click()
    assert page.locator("#erreur-consentement").is_visible()
    _shot(page, "15-question-erreur-telephone")
    page.locator("#champ-consentement").check()
    page.get_by_role("button", name="Envoyer ma question").click()
    page.wait_for_url("**envoyee=oui")
    page.goto(f"/conseils/{council}/reunions")
    assert "éclairage du parking" in page.content()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/conseils/{council}/reunions")
    _shot(page, "16-public-bureau")
