"""Stage 5b: the typed client shells of an XML API (``generated/<api>/client.py``).

A client is the generated operation stubs plus the runtime's shared client base
(:mod:`ucxml.client`); what differs between APIs that need no behaviour of their own is
data of the manifest entry: the endpoint, the envelope's content type and the releases. An
API whose manifest entry names a hand-written client (``client = "ucxml.cme"``) gets none.
"""

from __future__ import annotations

from ucxml.codegen.manifest import ApiSpec

__all__ = ["CONTENT_TYPES", "ClientError", "client_class", "client_context"]

#: The Content-Type of a request, by envelope style (the manifest's ``content_type`` wins).
#: EM's ``em-form`` is a form field, which only its hand-written client writes.
CONTENT_TYPES = {
    "cme-axl": "text/xml; charset=utf-8",
    "soap12": "application/soap+xml; charset=utf-8",
    "document": "application/xml; charset=utf-8",
}


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
    content_type = api.content_type or CONTENT_TYPES.get(api.envelope)
    if content_type is None:
        raise ClientError(
            f"{api.name}: envelope {api.envelope!r} has no generated client; name a "
            f'hand-written one (client = "module") or use one of {sorted(CONTENT_TYPES)}'
        )
    if not api.endpoints:
        raise ClientError(f"{api.name}: a client needs the API's path (endpoints)")
    releases = [r.name for r in api.releases]
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
    )
