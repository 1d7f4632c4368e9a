"""French labels for the codes the code keeps (never shown to people as such): strata
keys, rule codes and audit-journal actions. One place, so pages, documents and the CLI
say the same thing.

Strata: ``F`` / ``M`` then optional sub-strata after ``/``: a polling station
(``0102``, or ``sans-bureau``) or an age band (``16-29``, ``60+``), as the register's
stratification writes them.
"""

from __future__ import annotations

import re

from domain.i18n import _

__all__ = ["action_label", "rule_label", "stratum_label", "subject_label"]

_AGE_BAND = re.compile(r"^(\d+)-(\d+)$")
_AGE_FROM = re.compile(r"^(\d+)\+$")


def _sub_stratum(part: str) -> str:
    if part == "sans-bureau":
        return _("sans bureau de vote")
    if part == "age-inconnu":
        return _("âge inconnu")
    if m := _AGE_BAND.match(part):
        return _("{a} à {b} ans").format(a=m.group(1), b=m.group(2))
    if m := _AGE_FROM.match(part):
        return _("{a} ans et plus").format(a=m.group(1))
    if part.isdigit():
        return _("bureau de vote {n}").format(n=part)
    return part.replace("-", " ")


def stratum_label(stratum: str) -> str:
    """« F/sans-bureau » → « Femmes, sans bureau de vote »; « M/0102 » → « Hommes, bureau
    de vote 0102 »; « F » → « Femmes »; an unknown key is returned readable, not hidden."""
    head, _sep, rest = (stratum or "").partition("/")
    sex = {"F": _("Femmes"), "M": _("Hommes")}.get(head)
    if sex is None:
        return stratum
    parts = [sex, *(_sub_stratum(p) for p in rest.split("/") if p)]
    return ", ".join(parts)


def rule_label(code: str) -> str:
    """The name of a rule from its stable code."""
    names = {
        "parite-habitants": _("Parité femmes-hommes dans le collège des habitants"),
        "part-habitants": _("Part des habitants parmi les titulaires"),
        "volontaires-seuls-regime-2014": _("Pas de collège des habitants fait de seuls "
                                           "volontaires (régime 2014)"),
        "sieges-volontaires": _("Sièges réservés aux volontaires"),
        "taille-recommandee": _("Taille recommandée du conseil"),
        "echeance-mandats": _("Échéance des mandats"),
        "personne-ineligible": _("Personnes inéligibles (liste d'exclusion)"),
        "deja-membre": _("Déjà membre du conseil"),
        "hors-perimetre": _("Adresse hors du périmètre"),
        "age-minimum": _("Âge minimum"),
        "date-naissance-inconnue": _("Date de naissance inconnue"),
        "liste-exclusion": _("Liste d'exclusion"),
        "sexe-inconnu": _("Sexe inconnu"),
        "representant-et-habitant": _("Pas de double siège : représentant de structure et "
                                      "habitant tiré au sort"),
        "absences-fin-mandat": _("Absences répétées (fin de mandat proposée)"),
        "delai-convocation": _("Délai de convocation"),
        "quorum": _("Quorum"),
    }
    return names.get(code, code.replace("-", " ").capitalize())


def action_label(action: str) -> str:
    """An audit-journal action in words: « membre.creation » → « Membre : création »."""
    subjects = {
        "appel": _("Appel à candidatures"), "candidature": _("Candidature"),
        "candidatures": _("Candidatures"), "compte": _("Compte"), "conseil": _("Conseil"),
        "courrier": _("Courriers"), "invitation": _("Invitation"), "jeton_api": _("Jeton d'API"),
        "qpv": _("Quartier"), "registre": _("Registre"), "territoire": _("Territoire"),
        "vivier": _("Vivier"), "membre": _("Membre"), "tirage": _("Tirage"),
        "reunion": _("Réunion"), "formation": _("Formation"), "courriel": _("Courriel"),
    }
    verbs = {
        "creation": _("création"), "modification": _("modification"), "depot": _("dépôt"),
        "purge": _("purge"), "activation": _("activation"),
        "changement_mot_de_passe": _("changement de mot de passe"),
        "connexion": _("connexion"), "creation_administrateur": _("création d'un administrateur"),
        "installation": _("installation"), "demande": _("demande"), "genere": _("générés"),
        "acceptation": _("acceptation"), "revocation": _("révocation"),
        "correspondance": _("correspondance des colonnes"), "eligibilite": _("éligibilité"),
        "decision": _("décision"), "regle": _("règle appliquée"), "archivage": _("archivage"),
        "depart": _("départ"), "promotion": _("promotion"), "import": _("import"),
        "reponses": _("réponses"), "lot": _("lot"), "modele": _("modèle"),
        "paire": _("paire de doublons"), "paires": _("paires de doublons"),
        "liste": _("liste électorale"), "bailleur": _("fichier de bailleur"),
        "perimetre": _("périmètre"), "exclusions": _("liste d'exclusion"), "autre": _("autre"),
        "restauration": _("restauration"),
        # draws
        "preparation": _("préparation"), "engagement": _("engagement publié"),
        "alea": _("aléa public saisi"), "classement": _("classement"),
        "tour": _("tour d'invitations"), "seance": _("séance"), "abandon": _("abandon"),
        # meetings
        "annulation": _("annulation"), "report": _("report"),
        "calendrier": _("calendrier"), "lien": _("lien"),
        "cloture_presences": _("émargement clos"), "presence": _("présence"),
        "compte_rendu": _("compte rendu"), "brouillon": _("brouillon"),
        "adoption": _("adoption"), "correction": _("correction"),
        "publication": _("publication"), "convocation": _("convocation"),
        "convocations": _("convocations"), "postees": _("envoi postal"),
        "seconde_convocation": _("seconde convocation"), "accuse": _("accusé de réception"),
        "reponse": _("réponse"), "point": _("point de l'ordre du jour"), "ajout": _("ajout"),
        "deplacement": _("déplacement"), "suppression": _("suppression"),
        "piece_jointe": _("pièce jointe"), "pouvoir": _("pouvoir"), "retrait": _("retrait"),
        "proposition": _("proposition"), "acceptee": _("acceptée"), "refusee": _("refusée"),
        "question": _("question"), "destinataire": _("destinataire"),
        # trainings, accounts, applications
        "inscription": _("inscription"), "desinscription": _("désinscription"),
        "emargement": _("émargement"), "attente": _("liste d'attente"),
        "desactivation": _("désactivation"), "refus": _("refus"), "adresse": _("adresse"),
        "envoi": _("envoi"),
    }
    head, _sep, rest = (action or "").partition(".")
    subject = subjects.get(head)
    if subject is None:
        return action
    words = [verbs.get(p, p.replace("_", " ")) for p in rest.split(".") if p]
    return f"{subject} : {' — '.join(words)}" if words else subject


def subject_label(subject_type: str | None, subject_id: object = None) -> str:
    """What an audit-journal event is about, in words: « registre_source », 3 → « fichier
    importé n° 3 ». An unknown type is shown readable (underscores as spaces)."""
    names = {
        "appel_candidatures": _("appel à candidatures"), "candidature": _("candidature"),
        "candidature_structure": _("candidature d'une structure"), "compte": _("compte"),
        "conseil": _("conseil"), "convocation": _("convocation"), "courriel": _("courriel"),
        "formation": _("formation"), "formation_inscription": _("inscription à une formation"),
        "formation_seance": _("séance de formation"), "invitation": _("invitation"),
        "jeton_api": _("jeton d'API"), "lot_courrier": _("lot de lettres"), "membre": _("membre"),
        "qpv": _("quartier"), "registre_correspondance": _("correspondance des colonnes"),
        "registre_paire": _("paire de doublons"), "registre_source": _("fichier importé"),
        "resident": _("habitant"), "reunion": _("réunion"),
        "reunion_compte_rendu": _("compte rendu"), "reunion_decision": _("décision"),
        "reunion_piece_jointe": _("pièce jointe"), "reunion_point": _("point de l'ordre du jour"),
        "reunion_proposition": _("proposition"), "reunion_question": _("question d'habitant"),
        "territoire": _("territoire"), "tirage": _("tirage"), "vivier": _("vivier"),
    }
    if not subject_type:
        return ""
    name = names.get(subject_type, subject_type.replace("_", " "))
    if subject_id is None or subject_id == "":
        return name
    return _("{name} n° {id}").format(name=name, id=subject_id)
