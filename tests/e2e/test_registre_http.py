"""Registers over HTTP: API uploads (raw body), problem+json naming line and field, the
lead's pages from upload to report, access, and no names in the logs."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest

from tests.conftest import SHARED, World, bearer, web_login

pytestmark = pytest.mark.anyio

SAMPLES = SHARED / "data" / "registre-exemple"
HEADER = (
    "NomdeNaissance;NomDusage;Prenoms;Sexe;DateNaissance;Adresse1;Adresse2;CodePostal;Commune;"
    "BureauVote\n"
)


def _url(world: World, tail: str = "") -> str:
    return f"/api/v1/conseils/{world.ids['council_a']}/registre{tail}"


async def _upload(
    client: Any, world: World, name: str, data: bytes, who: str = "lead_a", **params: Any
) -> Any:
    return await client.post(
        _url(world, "/imports"),
        params={"nom": name, **params},
        content=data,
        headers=bearer(world, who),
    )


async def test_api_imports_samples_and_builds_pool(client: Any, world: World, caplog: Any) -> None:
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="conseil")
    for name in ("perimetre.csv", "exclusions.csv", "liste_electorale.csv", "bailleur.csv"):
        r = await _upload(client, world, name, (SAMPLES / name).read_bytes())
        assert r.status_code == 201, r.text
    report = r.json()
    assert report["kind"] == "bailleur" and report["rapport"]["personnes"] == 3839
    listing = await client.get(_url(world, "/imports"), headers=bearer(world, "lead_a"))
    assert [s["kind"] for s in listing.json()] == ["bailleur", "liste", "exclusions", "perimetre"]
    found = await client.get(
        _url(world, "/personnes"), params={"q": "fernandes"}, headers=bearer(world, "lead_a")
    )
    assert found.status_code == 200 and found.json()["total"] >= 1
    assert all(
        "FERNANDES" in (p["nom_naissance"] + p["nom_usage"]).upper() for p in found.json()["items"]
    )
    pairs = await client.get(_url(world, "/paires"), headers=bearer(world, "lead_a"))
    assert len(pairs.json()) == 6
    elig = await client.post(
        _url(world, "/eligibilite"),
        json={"date_reference": "2026-01-01"},
        headers=bearer(world, "lead_a"),
    )
    assert elig.status_code == 200 and elig.json()["eligibles"] == 3020
    pool = await client.post(
        _url(world, "/viviers"),
        headers=bearer(world, "lead_a"),
        json={"date_reference": "2026-01-01", "stratification": "sexe"},
    )
    assert pool.status_code == 201, pool.text
    assert pool.json()["size"] == 3020 and len(pool.json()["digest"]) == 64
    # Logs hold counts, never a name from the files.
    logged = caplog.text
    assert "import registre" in logged
    for name in ("FERNANDES", "Isaac", "Dupont", "Marcelle"):
        lines = [line for line in logged.splitlines() if name in line]
        assert not lines, lines[0][:300]


async def test_bad_rows_are_refused_with_line_and_field(client: Any, world: World) -> None:
    body = (
        HEADER
        + "MARTIN;;Jeanne;F;12/03/1980;3 Rue des Tilleuls;;37990;VALMONT;0101\n"
        + "DURAND;;Paul;M;31/02/1980;5 Rue des Tilleuls;;37990;VALMONT;0101\n"
        + ";;Luc;M;01/01/1970;7 Rue des Tilleuls;;37990;VALMONT;0101\n"
        + "ROUX;;Marc;M;01/01/1970;11 Rue des Tilleuls;;37990\n"
        + '"LEROY; dit Roy";;Eve;F;02/02/1990;13 Rue des Tilleuls;;37990;VALMONT;0101\n'
    )
    r = await _upload(client, world, "liste.csv", body.encode("cp1252"))
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["code"] == "lignes-rejetees" and problem["lignes_rejetees"] == 3
    errors = {(e["line"], e["field"]): e for e in problem["errors"]}
    assert errors[(3, "date_naissance")]["message"].startswith("date impossible")
    assert errors[(4, "nom_naissance")]["code"] == "nom-manquant"
    assert errors[(5, "ligne")]["code"] == "nombre-colonnes"
    assert (6, "ligne") not in errors  # the quoted delimiter is part of the name
    listing = await client.get(_url(world, "/imports"), headers=bearer(world, "lead_a"))
    assert listing.json() == []
    kept = await _upload(client, world, "liste.csv", body.encode("cp1252"), garder_valides="true")
    assert kept.status_code == 201 and kept.json()["imported"] == 2
    rejected = await client.get(
        _url(world, f"/imports/{kept.json()['id']}/rejets.csv"), headers=bearer(world, "lead_a")
    )
    assert rejected.status_code == 200 and rejected.headers["content-type"].startswith("text/csv")
    assert "31/02/1980" in rejected.content.decode("utf-8-sig")


async def test_unknown_civility_and_header(client: Any, world: World) -> None:
    body = (
        "Civilité,Nom,Prénom,Adresse,Code postal,Ville\n"
        "Mme,DUPONT,Marcelle,52 Allée Maryse Bastié,37990,Valmont\n"
        "Docteur,MARTIN,Paul,3 Rue des Tilleuls,37990,Valmont\n"
    )
    r = await _upload(client, world, "bailleur.csv", ("\ufeff" + body).encode("utf-8"))
    assert r.status_code == 422
    assert r.json()["errors"][0] == {
        "field": "civilite",
        "line": 3,
        "code": "civilite-invalide",
        "message": r.json()["errors"][0]["message"],
    }
    assert "Docteur" in r.json()["errors"][0]["message"]
    unknown = await _upload(client, world, "x.csv", b"Truc;Machin\n1;2\n")
    assert unknown.status_code == 422 and unknown.json()["code"] == "en-tete-non-reconnu"
    assert "liste_electorale" in unknown.json()["colonnes_attendues"]


async def test_wrong_type_oversize_and_reimport(client: Any, world: World, ctx: Any) -> None:
    png = await _upload(client, world, "photo.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    assert png.status_code == 422 and png.json()["code"] == "type-fichier"
    pdf = await _upload(client, world, "liste.csv", b"%PDF-1.7 bla bla")
    assert pdf.status_code == 422 and pdf.json()["code"] == "type-fichier"
    ctx.settings = ctx.settings.with_(upload_max_bytes=1000)
    big = await _upload(client, world, "liste.csv", (SAMPLES / "liste_electorale.csv").read_bytes())
    assert big.status_code in (413, 422) and big.json()["code"] == "fichier-trop-volumineux"
    ctx.settings = ctx.settings.with_(upload_max_bytes=200 * 1024 * 1024)
    first = await _upload(client, world, "bailleur.csv", (SAMPLES / "bailleur.csv").read_bytes())
    assert first.status_code == 201
    again = await _upload(client, world, "copie.csv", (SAMPLES / "bailleur.csv").read_bytes())
    assert again.status_code == 409 and again.json()["code"] == "deja-importe"


async def test_preview_stores_nothing(client: Any, world: World) -> None:
    r = await client.post(
        _url(world, "/apercu"),
        params={"nom": "liste_electorale.csv"},
        content=(SAMPLES / "liste_electorale.csv").read_bytes(),
        headers=bearer(world, "lead_a"),
    )
    assert r.status_code == 200, r.text
    p = r.json()
    assert p["encoding"] == "cp1252" and p["delimiter"] == ";" and p["kind"] == "liste"
    assert p["mapping"]["nom_naissance"] == "NomdeNaissance" and len(p["rows"]) == 10
    listing = await client.get(_url(world, "/imports"), headers=bearer(world, "lead_a"))
    assert listing.json() == []


async def test_only_leads_and_admins_read_the_register(client: Any, world: World) -> None:
    await _upload(client, world, "bailleur.csv", (SAMPLES / "bailleur.csv").read_bytes())
    for who in ("auditor_37", "member_a", "secretary_a", "lead_b"):
        r = await client.get(_url(world, "/personnes"), headers=bearer(world, who))
        assert r.status_code == 403, who
    assert (
        await client.get(_url(world, "/personnes"), headers=bearer(world, "admin"))
    ).status_code == 200


async def test_pages_upload_preview_import_report(client: Any, world: World) -> None:
    cid = world.ids["council_a"]
    await web_login(client, world.emails["lead_a"])
    council = await client.get(f"/conseils/{cid}")
    assert f"/conseils/{cid}/registre" in council.text
    page = await client.get(f"/conseils/{cid}/registre")
    assert page.status_code == 200 and 'type="file"' in page.text
    csrf = client.cookies.get("cc_csrf")
    data = (SAMPLES / "liste_electorale.csv").read_bytes()
    r = await client.post(
        f"/conseils/{cid}/registre/depot",
        params={"_csrf": csrf},
        files={"fichier": ("liste_electorale.csv", data, "text/csv")},
        data={"type": "", "encodage": "", "separateur": ""},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:500]
    preview_url = r.headers["location"]
    preview = await client.get(preview_url)
    assert preview.status_code == 200
    assert "cp1252" in preview.text and "point-virgule" in preview.text
    assert "FERNANDES" in preview.text  # first rows shown to the lead
    assert 'id="deja-importe"' not in preview.text
    # The mapping to keep is the API's MappingIn: its name's limit is the page's, next to the field.
    form = {"_csrf": csrf, "action": "importer", "type": "", "encodage": "", "separateur": "",
            "champ_nom_naissance": "NomdeNaissance", "champ_prenoms": "Prenoms"}
    r = await client.post(preview_url, data={**form, "enregistrer_sous": "L" * 101})
    assert r.status_code == 422
    assert ('id="erreur-enregistrer_sous">Nom de la correspondance : Texte trop long.</p>'
            in r.text)
    r = await client.post(preview_url, data={**form, "enregistrer_sous": "Liste électorale"},
                          follow_redirects=False)
    assert r.status_code == 303
    kept = await client.get(_url(world, "/correspondances"), headers=bearer(world, "lead_a"))
    assert [(m["name"], m["mapping"]) for m in kept.json()] == [
        ("Liste électorale", {"nom_naissance": "NomdeNaissance", "prenoms": "Prenoms"})]
    # The finished task's page moves on to the report by itself (issue 13, point 12).
    task = await client.get(r.headers["location"], follow_redirects=False)
    assert task.status_code == 303 and re.search(r"/registre/imports/\d+\?ok=import-termine$", task.headers["location"])
    report = await client.get(task.headers["location"])
    assert report.status_code == 200 and "Lignes lues" in report.text and "Import terminé" in report.text
    assert "Évaluer l'éligibilité" in report.text  # the next step is offered
    # Counts written the French way: « 3 000 », never « 3000 ».
    assert "<dd>3\u202f000</dd>" in report.text and "<dd>3000</dd>" not in report.text
    register = await client.get(f"/conseils/{cid}/registre")
    assert "<td>3\u202f000</td>" in register.text and "<td>3000</td>" not in register.text
    listing = await client.get(f"/conseils/{cid}/registre/personnes", params={"q": "fern"})
    assert "FERNANDES" in listing.text
    # The same file again: the preview says it was already imported, before « Importer ».
    r = await client.post(
        f"/conseils/{cid}/registre/depot",
        params={"_csrf": csrf},
        files={"fichier": ("liste.csv", data, "text/csv")},
        data={"type": "", "encodage": "", "separateur": ""},
        follow_redirects=False,
    )
    again = await client.get(r.headers["location"])
    assert 'id="deja-importe"' in again.text and "déjà été importé" in again.text


async def test_page_upload_refuses_wrong_type_and_bad_rows_report(
    client: Any, world: World
) -> None:
    cid = world.ids["council_a"]
    await web_login(client, world.emails["lead_a"])
    await client.get(f"/conseils/{cid}/registre")
    csrf = client.cookies.get("cc_csrf")
    r = await client.post(
        f"/conseils/{cid}/registre/depot",
        params={"_csrf": csrf},
        files={"fichier": ("photo.png", b"\x89PNG....", "image/png")},
    )
    assert r.status_code == 422 and "Type de fichier non pris en charge" in r.text
    no_csrf = await client.post(
        f"/conseils/{cid}/registre/depot", files={"fichier": ("a.csv", b"x;y\n", "text/csv")}
    )
    assert no_csrf.status_code == 403
    bad = (HEADER + "DURAND;;Paul;M;31/02/1980;5 Rue des Tilleuls;;37990;VALMONT;0101\n").encode()
    r = await client.post(
        f"/conseils/{cid}/registre/depot",
        params={"_csrf": csrf},
        files={"fichier": ("l.csv", bad, "text/csv")},
        follow_redirects=False,
    )
    r = await client.post(
        r.headers["location"], data={"_csrf": csrf, "action": "importer"}, follow_redirects=False
    )
    task = await client.get(r.headers["location"])
    assert "échoué" in task.text and "date impossible" in task.text, task.text[
        task.text.find("<main") :
    ][:1500]
    assert "<td>2</td>" in task.text


async def test_report_page_links_the_rejected_rows_download_for_the_lead(client: Any, world: World) -> None:
    """The page links the API's CSV, which the lead's web session may read."""
    import re

    body = ("NomdeNaissance;NomDusage;Prenoms;Sexe;DateNaissance;Adresse1;Adresse2;CodePostal;Commune;BureauVote\r\n"
            "DURAND;;Anne;F;31/02/1980;3 rue des Lilas;;37990;VALMONT;0101\r\n"
            "MARTIN;;Luc;M;01/02/1980;3 rue des Lilas;;37990;VALMONT;0101\r\n")
    r = await _upload(client, world, "l.csv", body.encode("cp1252"), garder_valides="true")
    assert r.status_code == 201, r.text
    await web_login(client, "lead.a@test.fr")  # from here on, the lead's web session only
    page = await client.get(f"/conseils/{world.ids['council_a']}/registre/imports/{r.json()['id']}")
    link = re.search(r'href="([^"]*rejets\.csv)"', page.text)
    assert link is not None
    csv = await client.get(link.group(1))
    assert csv.status_code == 200 and "31/02/1980" in csv.text


async def test_eligibility_page_explains_the_household_rule_and_its_count(
    client: Any, world: World
) -> None:
    """Issue 13 §5: the page says what « une personne par foyer » does, the source's
    household identifier included, and how many people it sets aside."""
    header = "Civilité;Nom;Prénom;Date de naissance;Adresse;Code postal;Ville;Numéro de ménage\n"
    rows = (
        "Mme;DIALLO;Awa;12/03/1980;10 Rue des Tilleuls;37990;Valmont;M-7\n"
        "M.;KONE;Issa;02/05/1978;10 Rue des Tilleuls;37990;Valmont;M-7\n"
        "M.;DIALLO;Moussa;14/01/2001;10 Rue des Tilleuls;37990;Valmont;M-8\n"
    )
    for name, data in (("perimetre.csv", (SAMPLES / "perimetre.csv").read_bytes()),
                       ("menages.csv", (header + rows).encode())):
        r = await _upload(client, world, name, data)
        assert r.status_code == 201, r.text
    assert r.json()["mapping"]["foyer"] == "Numéro de ménage"
    elig = await client.post(_url(world, "/eligibilite"), json={"date_reference": "2026-01-01"},
                             headers=bearer(world, "lead_a"))
    body = elig.json()
    assert (body["eligibles"], body["foyers"], body["ecartes_foyer"]) == (3, 2, 1)
    assert body["foyers_identifiant_source"] == 2

    await web_login(client, world.emails["lead_a"])
    url = f"/conseils/{world.ids['council_a']}/registre/eligibilite"
    form = await client.get(url)
    assert "identifiant de foyer" in form.text and "même adresse et le même logement" in form.text
    page = await client.post(url, data={"_csrf": client.cookies.get("cc_csrf"),
                                        "date_reference": "2026-01-01"})
    assert page.status_code == 200, page.text
    count = page.text.split('id="ecartes-foyer">')[1].split("</p>")[0]
    assert "écartera 1 personne éligible sur 3" in count
    assert "2 foyers sont désignés par l&#39;identifiant de foyer" in count or \
        "2 foyers sont désignés par l'identifiant de foyer" in count


async def test_a_wrong_date_in_the_eligibility_form_comes_back_next_to_its_field(
    client: Any, world: World
) -> None:
    """Issue 15 §4: the page decodes its form into the API's model; a date the model refuses
    is the page again (422) with the French message next to the date field, never a 500."""
    api = await client.post(_url(world, "/eligibilite"), json={"date_reference": "31/12/2026"},
                            headers=bearer(world, "lead_a"))
    assert api.status_code == 422 and api.json()["errors"] == [
        {"field": "date_reference", "message": "Date invalide (format attendu : AAAA-MM-JJ).",
         "code": "invalide"}]  # the same words, the field named (not « corps : Valeur invalide »)
    await web_login(client, world.emails["lead_a"])
    url = f"/conseils/{world.ids['council_a']}/registre/eligibilite"
    await client.get(url)
    cases = {
        "31/12/2026": "Date de référence : Date invalide (format attendu : AAAA-MM-JJ).",
        "2026-02-31": "Date de référence : Date invalide (format attendu : AAAA-MM-JJ).",
        "": "Date de référence : Champ obligatoire.",
    }
    for typed, message in cases.items():
        r = await client.post(url, data={"_csrf": client.cookies.get("cc_csrf"),
                                         "date_reference": typed, "accepter_date_inconnue": "oui"})
        assert r.status_code == 422, (typed, r.status_code)
        field = r.text.split('id="champ-date_reference"')[1].split("</div>")[0]
        assert f'<p class="message-erreur" id="erreur-date_reference">{message}</p>' in field, typed
        assert f'name="date_reference" value="{typed}"' in field  # kept as typed
        assert 'name="accepter_date_inconnue" value="oui" checked' in r.text


async def test_pool_and_pair_forms_answer_with_the_api_models_messages(
    client: Any, world: World
) -> None:
    """The pool's age bounds are the API's list of integers; a rule count that is not a number
    is a 422 (it was a 500); an unknown pair decision is the pairs page with its message."""
    await web_login(client, world.emails["lead_a"])
    base = f"/conseils/{world.ids['council_a']}/registre"
    await client.get(f"{base}/vivier")
    csrf = client.cookies.get("cc_csrf")
    r = await client.post(f"{base}/vivier", data={"_csrf": csrf, "date_reference": "2026-01-01",
                                                  "stratification": "sexe-age",
                                                  "tranches": "30; quarante"})
    assert r.status_code == 422
    assert ('id="erreur-tranches">Bornes des tranches d&#39;âge : Doit être un nombre entier.</p>'
            in r.text)
    r = await client.post(f"{base}/paires/regle", data={"_csrf": csrf, "attendu": "beaucoup"})
    assert r.status_code == 422 and "Paires attendues : un nombre entier est attendu." in r.text
    r = await client.post(f"{base}/paires/1", data={"_csrf": csrf, "decision": "peut-etre"})
    assert r.status_code == 422, r.status_code
    assert "Décision inconnue : « peut-etre »" in r.text.split('id="erreur-decision"')[1]
