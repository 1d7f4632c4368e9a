"""French summaries of the API operations, by operation id, for the OpenAPI document
(``/schema``): a route that declares no French summary of its own gets its line here.
Applied once by ``create_app``; a summary written on the route itself wins."""

from __future__ import annotations

from typing import Any

from domain.i18n import _

__all__ = ["SUMMARIES", "apply_french_summaries"]

SUMMARIES: dict[str, str] = {
    "archiveTerritory": "Archiver un territoire",
    "createTerritory": "Créer un territoire",
    "createCouncil": "Créer un conseil citoyen dans le territoire",
    "listQpvs": "Quartiers prioritaires du territoire",
    "createQpv": "Ajouter un quartier prioritaire au territoire",
    "getTerritory": "Lire un territoire",
    "updateTerritory": "Modifier un territoire",
    "archiveQpv": "Archiver un quartier prioritaire",
    "getQpv": "Lire un quartier prioritaire",
    "updateQpv": "Modifier un quartier prioritaire",
    "archiveCouncil": "Archiver un conseil citoyen",
    "getCouncil": "Lire un conseil citoyen",
    "updateCouncil": "Modifier un conseil citoyen et ses réglages",
    "listTokens": "Mes jetons d'API",
    "createToken": "Créer un jeton d'API",
    "getMe": "Mon compte et mes rôles",
    "changePassword": "Changer mon mot de passe",
    "revokeToken": "Révoquer un de mes jetons d'API",
    "acceptInvitation": "Accepter une invitation et créer son compte",
    "listAccounts": "Comptes visibles",
    "activateAccount": "Réactiver un compte",
    "deactivateAccount": "Désactiver un compte",
    "createInvitation": "Inviter une personne (chef de projet, secrétaire, membre, auditeur)",
    "listAuditEvents": "Événements du journal d'audit",
    "verifyAuditTrail": "Vérifier la chaîne du journal d'audit",
    "listCalls": "Appels à candidatures du conseil",
    "createCall": "Ouvrir un appel à candidatures",
    "reviewStructureApplication": "Accepter ou refuser la candidature d'une structure",
    "reviewVolunteerApplication": "Accepter ou refuser la candidature d'un habitant volontaire",
    "getStructureApplication": "Lire la candidature d'une structure",
    "listStructureApplications": "Candidatures des associations et acteurs locaux",
    "updateCall": "Modifier un appel à candidatures",
    "getVolunteerApplication": "Lire la candidature d'un habitant volontaire",
    "listVolunteerApplications": "Candidatures des habitants volontaires",
    "getPublicCall": "Lire un appel à candidatures ouvert (public)",
    "submitApplication": "Déposer une candidature (public)",
    "getRecognitionOrderDraft": "Projet d'arrêté de reconnaissance (ODT modifiable)",
    "getComposition": "Composition du conseil et règles évaluées",
    "createMember": "Ajouter un membre",
    "recordDeparture": "Enregistrer le départ d'un membre",
    "appointApplicant": "Nommer un candidat accepté",
    "createMembersFromDraw": "Nommer les titulaires et suppléants d'un tirage",
    "getMember": "Lire un membre",
    "updateMember": "Modifier un membre",
    "getCompositionHistory": "Historique de la composition",
    "getParityTimeline": "Parité femmes-hommes au fil du mandat",
    "getReplacementProposal": "Suppléant proposé pour remplacer un membre",
    "promoteReplacement": "Remplacer un membre par un suppléant",
    "getCompositionReportCsv": "Rapport de composition (CSV)",
    "getCompositionReportPdf": "Rapport de composition (PDF)",
    "buildVolunteerPool": "Constituer la liste des volontaires à tirer au sort",
    "abandonDraw": "Abandonner un tirage",
    "getDrawAuditRecord": "Registre complet du tirage (auditeur)",
    "commitDraw": "Publier l'engagement du tirage",
    "recordDrawDeparture": "Enregistrer le départ d'une personne tirée au sort",
    "enterDrawEntropy": "Saisir l'aléa public (dés) du tirage",
    "getDraw": "Lire un tirage",
    "listDraws": "Tirages du conseil",
    "prepareDraw": "Préparer un tirage (plan à parité)",
    "openDrawRound": "Ouvrir un tour d'invitations",
    "getDrawPoolFile": "Fichier de la liste tirée (cc-draw/1, pseudonymes)",
    "proposeDrawPlan": "Proposer un plan de tirage",
    "proposeDrawRound": "Proposer la taille du tour suivant",
    "rankDraw": "Établir le classement du tirage",
    "listRoundRecipients": "Destinataires d'un tour (courriers)",
    "proposeDrawReplacement": "Suppléant proposé pour un siège libéré",
    "recordDrawReply": "Enregistrer des réponses d'habitants",
    "getDrawProgress": "Avancement du tirage par strate",
    "reverifyDraw": "Revérifier le tirage avec le vérificateur indépendant",
    "lookupDrawKey": "Rang d'une clé dans un tirage (public)",
    "getDrawPublicRecord": "Registre public du tirage",
    "replyOnline": "Répondre en ligne à un courrier (public)",
    "decideAmbiguousPair": "Trancher une paire de doublons possibles",
    "evaluateEligibility": "Évaluer l'éligibilité des personnes du registre",
    "getRegisterImport": "Rapport d'un import de registre",
    "listRegisterImports": "Imports de registre du conseil",
    "listSavedMappings": "Correspondances de colonnes enregistrées",
    "saveMapping": "Enregistrer une correspondance de colonnes",
    "listAmbiguousPairs": "Paires de doublons possibles",
    "searchRegister": "Rechercher dans le registre",
}


def _needs_summary(summary: Any, operation_id: Any) -> bool:
    text = str(summary or "")
    # Litestar derives "CreateCouncil" from the handler name when no summary is given.
    return not text or (text.isalpha() and text.isascii() and text[:1].isupper() and " " not in text)


def apply_french_summaries(app: Any) -> None:
    """Give every API handler without a French summary its line from ``SUMMARIES``."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            op = getattr(handler, "operation_id", None)
            if isinstance(op, str) and op in SUMMARIES and _needs_summary(handler.summary, op):
                handler.summary = _(SUMMARIES[op])
