"""The checks every client makes of an HTTP answer before it reads the body: written once.

Credentials refused (401/403), another status outside 2xx (after the API's own look for an
error the body carries: a SOAP fault, an AXL error), an empty body, an HTML page or a body
that is not the markup the API speaks: each is a typed error, its text masked of the
client's secrets. The CME, EM, EPAS and generated clients (:class:`ucxml._clientcore.ClientCore`),
the CC-Gateway client and :func:`ucxml.axl.read_response` all call :func:`check_answer`.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Collection
from typing import Literal

from ucxml._jsondocs import looks_like_json
from ucxml._redaction import excerpt, scrub
from ucxml.errors import AuthenticationError, HttpStatusError, MalformedResponseError
from ucxml.transport import HttpResponse

__all__ = ["check_answer", "looks_like_xml"]

#: A document in UTF-16/32 (or UTF-8 with a mark) starts with its byte order mark.
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def looks_like_xml(content: bytes) -> bool:
    """True when ``content`` starts like markup: ``<`` after whitespace, or a byte order mark."""
    return content.lstrip()[:1] == b"<" or content.startswith(_BOMS)


def check_answer(
    answer: HttpResponse,
    what: str,
    *,
    expect: Literal["XML", "JSON"],
    secrets: Collection[str] = (),
    source: str = "",
    carried: Callable[[HttpResponse], None] | None = None,
) -> bytes:
    """The body of ``answer`` when it is a successful one in the API's markup.

    Args:
        answer: The HTTP answer.
        what: What was asked (the operation's name), which every error text starts with.
        expect: The markup the API answers in.
        secrets: Masked in every text an error quotes (the reason phrase, the body).
        source: Who answered (a URL), named when the body is empty.
        carried: Raises the error the body of an answer outside 2xx carries, when it
            carries one (a SOAP fault); returns otherwise.

    Raises:
        AuthenticationError: HTTP 401 or 403.
        HttpStatusError: another status outside 2xx, its body carrying no error.
        MalformedResponseError: an empty body, an HTML page, or no ``expect`` markup.
    """
    reason = scrub(answer.reason, secrets)
    if answer.status in (401, 403):
        raise AuthenticationError(answer.status, reason or "credentials refused")
    content = answer.content
    if not 200 <= answer.status < 300:
        if carried is not None:
            carried(answer)
        raise HttpStatusError(answer.status, reason, excerpt=excerpt(content, secrets))
    if not content.strip():
        raise MalformedResponseError(
            f"{what}: empty answer" + (f" from {source}" if source else "")
        )
    looks = looks_like_xml(content) if expect == "XML" else looks_like_json(content)
    if "html" in answer.content_type or not looks:
        raise MalformedResponseError(
            f"{what}: expected {expect}, got {answer.content_type or 'no content type'}: "
            f"{excerpt(content, secrets)}"
        )
    return content
