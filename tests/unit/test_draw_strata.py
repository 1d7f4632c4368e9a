"""French labels of draw strata (no internal key shown to people)."""

from domain.labels import stratum_label


def test_stratum_labels_in_french() -> None:
    assert stratum_label("F") == "Femmes"
    assert stratum_label("M") == "Hommes"
    assert stratum_label("F/sans-bureau") == "Femmes, sans bureau de vote"
    assert stratum_label("M/0102") == "Hommes, bureau de vote 0102"
    assert stratum_label("F/30-44") == "Femmes, 30 à 44 ans"
    assert stratum_label("M/75+") == "Hommes, 75 ans et plus"
    assert stratum_label("F/age-inconnu") == "Femmes, âge inconnu"
    assert stratum_label("autre") == "autre"
