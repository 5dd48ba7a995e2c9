"""Stage 5b: the typed client shells of an XML API (``generated/<api>/client.py``).

A client is the generated operation stubs plus the runtime's shared client base
(:mod:`ucxml.client`); what differs between APIs that need no behaviour of their own is
data of the manifest entry: the endpoint, the envelope's content type and the releases. An
API whose manifest entry names a hand-written client (``client = "ucxml.em"``) gets none;
one whose behaviour is a check of each answer names a ``result_check`` (CME).
"""

from __future__ import annotations

from ucxml._envelopes import envelope_format
from ucxml.codegen.manifest import ApiSpec

__all__ = ["ClientError", "client_class", "client_context"]


def client_class(api: ApiSpec) -> str:
    """The name of the generated sync client of ``api`` (``FixtureClient``)."""
    return api.name.capitalize() + "Client"


class ClientError(ValueError):
    """The manifest entry asks for a generated client that cannot be made."""


def client_context(api: ApiSpec) -> dict[str, object] | None:
    """What the client template needs for ``api``, or None when it gets no generated
    client (a hand-written one, a REST API, or no operations)."""
    if api.client is not None or api.kind != "xml" or not api.operations:
        return None
    # The style's media type (EnvelopeFormat.content_type); the manifest's wins.
    content_type = api.content_type or envelope_format(api.envelope).content_type
    if content_type is None:
        raise ClientError(
            f"{api.name}: envelope {api.envelope!r} has no generated client (its requests are "
            'no XML document); name a hand-written one (client = "module")'
        )
    if not api.endpoints:
        raise ClientError(f"{api.name}: a client needs the API's path (endpoints)")
    releases = list(api.releases)
    default = next((r.name for r in api.releases if r.default), None)
    check_module, _, check = (api.result_check or "").rpartition(".")
    return dict(
        check_module=check_module,
        check=check,
        client=client_class(api),
        operations=api.name.capitalize() + "Operations",
        endpoint=api.endpoints[0],
        content_type=content_type,
        releases=releases,
        default_release=default,
        release_type=api.name.capitalize() + "Release",
        client_doc=api.client_doc,
    )
