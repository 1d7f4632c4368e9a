"""The project lead's journey on the sample registers, in a real Chromium: what the
forms say before the lead confirms (issue 13)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.browser.conftest import SCREENSHOTS, login, run, seed
from tests.conftest import SHARED

pytestmark = pytest.mark.browser

SAMPLES = SHARED / "data" / "registre-exemple"


async def _sample_pool(ctx: Any, ids: dict[str, int]) -> int:
    from service.audit import Actor
    from service.registre.usecases import common as common_uc
    from service.registre.usecases import eligibility as eligibility_uc
    from service.registre.usecases import imports as imports_uc

    actor = Actor.system()
    council = ids["council"]
    for name, kind in (("perimetre.csv", "perimetre"), ("liste_electorale.csv", None),
                       ("bailleur.csv", None)):
        await imports_uc.import_file(ctx, actor, council, SAMPLES / name, name,
                             common_uc.ImportOptions(kind=kind, keep_valid=True))
    await eligibility_uc.build_pool(ctx, actor, council, date(2026, 12, 1), {"mode": "sexe"}, label="Exemple")
    return council


@pytest.fixture
def sample_council(test_settings: Any) -> int:
    return int(run(seed(test_settings, _sample_pool, territory="Valmont")))


async def _sample_round(ctx: Any, ids: dict[str, int]) -> tuple[int, int]:
    """The sample registers' pool, a draw of 4 seats ranked, round 1 open, no reply yet."""
    from domain.draw import plan as draw_plan
    from service.audit import Actor
    from service.tirage.usecases import ceremony, rounds
    from service.tirage.usecases import pools as pools_uc
    from tests.tirage_support import DICE

    council = await _sample_pool(ctx, ids)
    lead = Actor.system("test")
    pool = (await pools_uc.list_pools(council))[0]
    d = await ceremony.prepare_draw(ctx, lead, council, pool["id"], draw_plan.PlanInput(seats=4))
    await ceremony.commit_draw(ctx, lead, council, d["id"])
    await ceremony.enter_entropy(ctx, lead, council, d["id"], DICE)
    await ceremony.rank_draw(ctx, lead, council, d["id"])
    await rounds.open_round(ctx, lead, council, d["id"])
    return council, int(d["id"])


async def _sample_round_with_auditor(ctx: Any, ids: dict[str, int]) -> dict[str, Any]:
    """As ``_sample_round``, plus an auditor of the département, and the first invited
    person's letter code, name and birth year (to answer online as they would)."""
    from service.comptes.tables import RoleAssignment
    from service.comptes.usecases.accounts import _create_account
    from service.registre.tables import RegisterPerson
    from service.tirage.usecases import rounds
    from tests.conftest import PASSWORD

    council, draw = await _sample_round(ctx, ids)
    async with ctx.db.transaction():
        account = await _create_account(ctx, "auditeur@test.fr", "Dominique Audit", PASSWORD,
                                        ctx.now())
        await RoleAssignment.insert(RoleAssignment(account=account, role="auditeur",
                                                   departement="37"))
    first = (await rounds.round_recipients(ctx, draw, 1))[0]
    person = await RegisterPerson.select().where(RegisterPerson.id == first.subject_id).first()
    assert person is not None
    return {"council": council, "draw": draw, "code": first.reply_code, "key": first.key,
            "nom": person["nom_usage"] or person["nom_naissance"], "prenom": person["prenoms"],
            "annee": person["date_naissance"][:4]}


@pytest.fixture
def with_auditor(test_settings: Any) -> dict[str, Any]:
    return dict(run(seed(test_settings, _sample_round_with_auditor, territory="Valmont")))


@pytest.fixture
def sample_round(test_settings: Any) -> tuple[int, int]:
    council, draw = run(seed(test_settings, _sample_round, territory="Valmont"))
    return int(council), int(draw)


def test_household_rule_says_what_it_does_and_how_many_it_sets_aside(
    sample_council: int, page: Any
) -> None:
    login(page)
    page.goto(f"/conseils/{sample_council}/tirages/nouveau")
    aide = page.locator("#aide-foyer").inner_text()
    assert "même adresse et le même logement" in aide
    assert "même nom de famille" in aide
    count = page.locator("#ecartes-foyer").inner_text()
    # 1,502 of 3,065 were set aside when a building counted as one household.
    number = int(count.split("écarte ")[1].split(" personne")[0].replace("\u202f", "").replace("\xa0", ""))
    assert 0 < number < 300, count
    assert "sur 3\u202f068" in count, count  # no exclusion list imported here
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "tirage-nouveau-foyer.png"), full_page=True)


def test_next_round_waits_for_the_first_answers(sample_round: tuple[int, int], page: Any) -> None:
    council, draw = sample_round
    login(page)
    page.goto(f"/conseils/{council}/tirages/{draw}")
    note = page.locator("#attente-reponses")
    assert note.is_visible() and "Aucune réponse" in note.inner_text()
    for field in page.locator("input[name^='counts.']").all():
        assert field.input_value() == "0"  # 240 letters were proposed here before
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "tirage-tour-suivant-attente.png"), full_page=True)


def _answer(page: Any, code: str, year: str, **contact: str) -> None:
    page.goto(f"/repondre?code={code}")
    page.get_by_label("Année de naissance", exact=False).fill(year)
    page.get_by_label("J'accepte", exact=False).check()
    for label, value in contact.items():
        page.locator(f"#champ-{label}").fill(value)
    page.get_by_role("button", name="Envoyer ma réponse").click()
    page.wait_for_selector("text=Votre réponse est enregistrée")


def test_lead_sees_names_contacts_and_finds_people(with_auditor: dict[str, Any], page: Any) -> None:
    w = with_auditor
    dispo = ("le mardi et le jeudi après 18 h 30, sauf pendant les vacances scolaires " * 3)[:198]
    email = "marie-habitante.du-quartier-des-tilleuls@association-des-locataires.exemple.fr"
    # Together more than the 300 characters the single merged field used to keep.
    _answer(page, w["code"], w["annee"], telephone="06 12 34 56 78",
            email=email, disponibilites=dispo)
    # Answering again without retyping them keeps the details.
    _answer(page, w["code"], w["annee"])
    login(page)
    base = f"/conseils/{w['council']}/tirages/{w['draw']}"
    page.goto(base)
    row = page.locator("#personnes-invitees tbody tr", has_text=w["key"])
    cells = [c.strip() for c in row.locator("td").all_inner_texts()]
    assert w["nom"] in cells[2] and w["prenom"].split()[0] in cells[2]
    assert "06 12 34 56 78" in cells and email in cells
    assert " ".join(dispo.split()) in cells  # whole, in its own column, not cut at 300
    # Names next to keys in the reply list and the seats table too.
    assert w["nom"] in page.locator("#champ-key").inner_text()  # one element with this id now
    assert w["nom"] in page.locator("#sieges").inner_text()
    # Search by name, then by the letter's code (typed as people do, with a dash).
    page.get_by_label("Rechercher une personne invitée", exact=False).fill(w["nom"].lower())
    page.get_by_role("button", name="Rechercher").click()
    assert w["key"] in page.locator("#personnes-invitees").inner_text()
    assert "trouvée" in page.locator("#resultat-recherche").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "tirage-recherche-nom.png"), full_page=True)
    code = w["code"][:5] + "-" + w["code"][5:]
    page.get_by_label("Rechercher une personne invitée", exact=False).fill(code.lower())
    page.get_by_role("button", name="Rechercher").click()
    assert page.locator("#personnes-invitees tbody tr").count() == 1
    assert w["key"] in page.locator("#personnes-invitees").inner_text()
    # The auditor never sees names: not this page, and not on the audit page.
    page.get_by_role("button", name="Se déconnecter").click()
    login(page, "auditeur@test.fr")
    assert page.goto(base).status == 403
    page.goto(base + "/audit")
    assert w["key"] in page.content() or page.locator("main").count() == 1
    assert w["nom"] not in page.content()


async def _sample_register(ctx: Any, ids: dict[str, int]) -> int:
    from service.audit import Actor
    from service.registre.usecases import common as common_uc
    from service.registre.usecases import imports as imports_uc

    for name in ("liste_electorale.csv", "bailleur.csv"):
        await imports_uc.import_file(ctx, Actor.system(), ids["council"], SAMPLES / name, name,
                             common_uc.ImportOptions())
    return ids["council"]


@pytest.fixture
def sample_register(test_settings: Any) -> int:
    return int(run(seed(test_settings, _sample_register, territory="Valmont")))


def test_duplicate_pairs_side_by_side_ranked_and_resolved_by_rule(
    sample_register: int, page: Any
) -> None:
    login(page)
    page.goto(f"/conseils/{sample_register}/registre/paires")
    assert "restent dans le registre comme deux personnes" in page.locator(
        "#regle-non-tranchees").inner_text()
    head = page.locator("section.paire thead").first.inner_text()
    for column in ("Nom de naissance", "Nom d'usage", "Naissance", "Adresse"):
        assert column in head
    titles = page.locator("section.paire h2").all_inner_texts()
    ranks = [0 if "Très probable" in t else 1 if "Probable" in t else 2 for t in titles]
    assert ranks == sorted(ranks) and len(titles) == 6
    preview = page.locator("#apercu-regle").inner_text()
    assert "non tranchées" in preview
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "registre-paires.png"), full_page=True)
    button = page.get_by_role("button", name="Appliquer la règle", exact=False)
    if button.count():
        button.click()
        assert "par la règle" in page.inner_text("main")
