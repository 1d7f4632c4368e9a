"""The public address of the service, as printed on documents for people outside.

A letter, its QR code, a verification address, an account invitation, an application
poster or a convocation is read away from the server: a loopback address
(``http://127.0.0.1:8000``) or one derived from ``HOST``/``PORT`` would send residents
nowhere. :func:`public_base_url_for_documents` is the one gate every such document
passes; a development setting (``ALLOW_LOOPBACK_LINKS=1``) lifts it on a workstation.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from domain.errors import InvalidState
from domain.i18n import _
from service.settings import Settings


class PublicAddressMissing(InvalidState):
    """No usable public address for a document meant for someone outside."""

    code = "adresse-publique-absente"
    title = "Adresse publique du service non configurée"


def is_loopback_url(url: str) -> bool:
    """True for an address only this machine can reach (127.0.0.0/8, ::1, localhost,
    0.0.0.0) or one without a host."""
    host = (urlsplit(url).hostname or "").lower()
    if not host or host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return ip.is_loopback or ip.is_unspecified


def public_address_problem(settings: Settings) -> str | None:
    """Why documents for outside cannot be produced now (French), or None."""
    url = settings.public_base_url
    if not settings.public_base_url_explicit:
        return _(
            "L'adresse publique du service n'est pas configurée : les lettres, leur QR code, "
            "l'adresse de vérification et les invitations porteraient « {url} », que personne "
            "d'autre ne peut ouvrir. Indiquez l'adresse à laquelle les habitants joignent le "
            "service dans le réglage PUBLIC_BASE_URL (par exemple "
            "PUBLIC_BASE_URL=https://conseil-citoyen.ma-ville.fr), puis redémarrez le service."
        ).format(url=url)
    if is_loopback_url(url):
        return _(
            "L'adresse publique du service (réglage PUBLIC_BASE_URL) est « {url} », une adresse "
            "locale que seule cette machine peut ouvrir : les lettres, leur QR code, l'adresse de "
            "vérification et les invitations n'y mèneraient personne. Indiquez l'adresse à "
            "laquelle les habitants joignent le service (par exemple "
            "https://conseil-citoyen.ma-ville.fr), puis redémarrez le service."
        ).format(url=url)
    return None


def documents_address_warning(settings: Settings) -> str | None:
    """What pages show while documents for outside would be refused (None: all is well,
    or loopback links are allowed for development)."""
    return None if settings.allow_loopback_links else public_address_problem(settings)


def public_base_url_for_documents(settings: Settings) -> str:
    """The address to print on a document for someone outside, or
    :class:`PublicAddressMissing` with a French explanation of the setting.

    ``ALLOW_LOOPBACK_LINKS=1`` (development) accepts any address."""
    if settings.allow_loopback_links:
        return settings.public_base_url
    problem = public_address_problem(settings)
    if problem:
        raise PublicAddressMissing(problem)
    return settings.public_base_url
