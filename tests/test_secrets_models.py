"""No secret an example carries shows in the repr of the model it is read into.

Data-driven: every XML example of every API (documented, corrected, real and their
twins). A secret is the text of a field whose element names one (``ISpassword``, ``password``…,
see ``ucxml.bindings.is_secret_name``), or a PIN or CAPF authentication string of the
CME 12.x records; the repr of the model holding it must mask it.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

import ucxml
from ucxml._registry import api_names, binding
from ucxml.bindings import is_secret_name
from ucxml.errors import UcxmlError

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
XML_APIS = tuple(n for n in api_names() if binding(n).info.envelope != "json")
EXAMPLES = sorted(
    (api, path)
    for api in XML_APIS
    for kind in ("corrected", "realworld", "realworld/corrected")
    for path in (SCHEMAS / api / "examples" / kind).glob("*.xml")
)
#: Credentials whose element names say nothing of a secret.
OTHER_SECRETS = frozenset({"pin", "ISuserPin", "capf-auth-str"})


def _secret_fields(obj: object) -> Iterator[tuple[object, str]]:
    """(model, field name) of every secret text in the model tree of ``obj``."""
    if isinstance(obj, list):
        for item in obj:
            yield from _secret_fields(item)
        return
    if not dataclasses.is_dataclass(obj) or isinstance(obj, type):
        return
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        wire = str(f.metadata.get("name", f.name))
        local = wire.rpartition("}")[2]
        secret = is_secret_name(local) or local in OTHER_SECRETS or f.name in OTHER_SECRETS
        # The web admin "secret" of CME is the encryption type (-1, 5), not a secret.
        if secret and isinstance(value, str) and value:
            yield obj, f.name
        else:
            yield from _secret_fields(value)


@pytest.mark.parametrize("case", EXAMPLES, ids=lambda c: f"{c[0]}/{c[1].parent.name}/{c[1].name}")
def test_no_secret_in_the_repr(case: tuple[str, Path]) -> None:
    api, path = case
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            obj = ucxml.parse(path.read_bytes(), api=api)
    except UcxmlError:
        pytest.skip("a payload ucxml rejects (judged by the golden tests)")
    for model, name in _secret_fields(obj):
        value = getattr(model, name)
        shown = repr(model)
        assert f"{name}='***'" in shown or f"{name}={value!r}" not in shown, (
            f"{type(model).__name__}.{name} shows in its repr ({path.name})"
        )


def test_the_12x_records_carry_secrets_to_hide() -> None:
    # The test above would pass vacuously if no example held one.
    device = SCHEMAS / "cme/examples/realworld/adm-ISgetDevice-response.xml"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        obj = ucxml.parse(device.read_bytes(), api="cme")
    names = {name for _, name in _secret_fields(obj)}
    assert {"password", "pin", "capf_auth_str"} <= names
