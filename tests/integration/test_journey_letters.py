"""The letter says what is so (issue 13, item 8): mandate length and retention period
from the council's settings, and what accepting means at the person's rank."""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import pytest


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "lettre.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                         check=True, text=True).stdout
    return " ".join(out.split())


@pytest.mark.skipif(not Path("/usr/bin/pdftotext").exists(), reason="poppler-utils absent")
def test_letter_reads_the_council_settings_and_explains_the_rank(tmp_path: Path) -> None:
    from service.courriers.documents import SAMPLE_COUNCIL, SAMPLE_LETTER, preview_pdf
    from service.courriers.documents_wording import LetterWording

    council = dataclasses.replace(SAMPLE_COUNCIL, mandate_years=4, retention_days=365)
    letter = dataclasses.replace(SAMPLE_LETTER, rank=19, seats=1)
    text = _text(preview_pdf(LetterWording(), council, letter), tmp_path)
    assert "Le mandat dure 4 ans" in text and "trois ans" not in text
    assert "effacées 1 an après la clôture" in text and "six mois" not in text
    assert "rang n° 19" in text or "rang n°\xa019" in text
    assert "suppléante" in text  # Madame: accepting may make her a suppléante
    assert "18 personnes classées avant vous" in text

    first = dataclasses.replace(SAMPLE_LETTER, civilite="Monsieur", rank=2, seats=6)
    text = _text(preview_pdf(LetterWording(), SAMPLE_COUNCIL, first), tmp_path)
    assert "vous siégerez comme titulaire" in text and "suppléant" not in text
    assert "Le mandat dure 3 ans" in text and "effacées 6 mois après" in text


def test_durations_in_words() -> None:
    from service.courriers.documents import duration_days, duration_years, rank_meaning

    assert duration_years(1) == "1 an" and duration_years(3) == "3 ans"
    assert duration_days(183) == "6 mois" and duration_days(365) == "1 an"
    assert duration_days(45) == "45 jours" and duration_days(1) == "1 jour"
    assert rank_meaning(19, 0, "e") == ""  # seats unknown: nothing said rather than a guess


def test_table_cells_never_cut_a_word(tmp_path: Path) -> None:
    from reportlab.platypus import SimpleDocTemplate

    from domain.labels import stratum_label
    from service.documents.page import fit_columns, mm, text_width
    from service.tirage.documents import _table

    rows = [["Strate", "Résultat", "Détail"],
            [stratum_label("F/sans-bureau"), "Avertissement", "un texte assez long " * 6]]
    widths = [14 * mm, 12 * mm, 120 * mm]  # the first two too narrow for their words
    fitted = fit_columns(rows, widths, "Helvetica", 8.5)
    assert abs(sum(fitted) - sum(widths)) < 0.01
    assert fitted[1] >= text_width("Avertissement", "Helvetica", 8.5) + 12
    path = tmp_path / "table.pdf"
    SimpleDocTemplate(str(path)).build([_table(rows, widths)])
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    words = set(text.split())
    assert "Avertissement" in words and "Femmes," in words and "bureau" in words
    assert "sans-bureau" not in text  # the code never reaches the page
