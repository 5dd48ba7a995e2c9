"""Release variants (manifest ``[[apis.<api>.releases]]``): checked manifest, detection on
real payloads (``expected.toml``), the release on objects and reports, and ``release=``."""

from __future__ import annotations

import logging
import textwrap
import tomllib
import warnings
from pathlib import Path

import pytest

import ucxml
from ucxml._releases import default_release, detect_release, get_release, releases
from ucxml.codegen.manifest import ManifestError, load_manifest
from ucxml.cup import RELEASES, CupClient
from ucxml.em import EmClient
from ucxml.errors import ParameterError
from ucxml.huawei import AgentGatewayClient
from ucxml.transport import HttpRequest, HttpResponse, MockTransport

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
EXPECTED = tomllib.loads((Path(__file__).parent / "expected.toml").read_text(encoding="utf-8"))
CASES = [(api, path, release) for api, table in EXPECTED.items() for path, release in table.items()]


@pytest.mark.parametrize(("api", "path", "release"), CASES, ids=[c[1] for c in CASES])
def test_the_release_a_payload_shows_is_detected(api: str, path: str, release: str) -> None:
    data = (SCHEMAS / path).read_bytes()
    report = ucxml.validate(data)
    assert (report.api, report.release) == (api, release), report
    assert report.to_dict()["release"] == release
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        obj = ucxml.parse(data)
    assert obj.release == release  # type: ignore[attr-defined]


def test_every_api_with_releases_has_one_default_and_known_names() -> None:
    for api in ("em", "cup", "huawei", "cme"):
        names = [r.name for r in releases(api)]
        default = default_release(api)
        assert default is not None and default.name in names
        assert len(set(names)) == len(names) >= 2
    assert releases("uccn") == () and default_release("uccn") is None


def test_the_release_is_not_part_of_equality_nor_of_the_repr() -> None:
    data = (SCHEMAS / "em/examples/realworld/trace-checkuser-response.xml").read_bytes()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        read = ucxml.parse(data)
        again = ucxml.parse(ucxml.serialize(read))
    assert read.release == "12.x" and again.release == "4.0"  # type: ignore[attr-defined]
    assert read == again  # one model whatever the release: the bare form is the DTD's
    assert "release" not in repr(read)


def test_a_bare_cme_message_is_of_release_12x() -> None:
    bare = (
        b'<response xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        b' xsi:type="ISexecCLIResponse"><ISexecCLIResponse>0</ISexecCLIResponse></response>'
    )
    report = ucxml.validate(bare)
    assert (report.api, report.release) == ("cme", "12.x"), report
    assert detect_release("cme", None, ["T-BARE"]) == "12.x"
    assert detect_release("cme", None, []) == "2008"
    assert detect_release("uccn", None, ["T-BARE"]) is None


def test_an_unknown_release_names_those_there_are() -> None:
    with pytest.raises(ParameterError, match=r"'6\.0', '7\.0', '8\.0', 'latest', not '9'"):
        get_release("cup", "9")


# --------------------------------------------------------------------------- the manifest

BASE = """
[apis.x]
title = "x"
schemas = ["x.xsd"]
envelope = "document"
endpoints = []
roots = []
"""


@pytest.mark.parametrize(
    ("releases_toml", "message"),
    [
        ('[[apis.x.releases]]\nname = "a"\ndoc = "a"\n', "exactly one release must be the default"),
        (
            '[[apis.x.releases]]\nname = "a"\ndoc = "a"\ndefault = true\n'
            '[[apis.x.releases]]\nname = "a"\ndoc = "b"\n',
            "a name is repeated",
        ),
        (
            '[[apis.x.releases]]\nname = "a"\ndoc = "a"\ndefault = true\n'
            'markers = ["code T-NONE"]\n',
            "names no tolerance code",
        ),
        (
            '[[apis.x.releases]]\nname = "a"\ndoc = "a"\ndefault = true\nmarkers = ["a b"]\n',
            "is not code/name/@attr",
        ),
        ('[[apis.x.releases]]\nname = "a"\ndoc = "a"\nwhen = 1\n', "unknown keys"),
        ('hooks = "no_such_hooks"\n', "there is no module ucxml.no_such_hooks"),
    ],
)
def test_the_manifest_refuses_a_bad_release_table(
    tmp_path: Path, releases_toml: str, message: str
) -> None:
    (tmp_path / "x.xsd").write_text("<x/>", encoding="utf-8")
    head, _, _ = BASE.partition("\n[[")
    text = BASE + releases_toml if releases_toml.startswith("[[") else head + releases_toml
    (tmp_path / "manifest.toml").write_text(textwrap.dedent(text), encoding="utf-8")
    with pytest.raises(ManifestError, match=message):
        load_manifest(tmp_path / "manifest.toml")


# --------------------------------------------------------------------------- release=


def test_em_release_picks_the_service_paths() -> None:
    def client(**kw: str) -> EmClient:
        return EmClient("http://ucm", app_id="app", app_certificate="pw", **kw)

    assert client().release == "4.0"
    assert client().urls.query == "http://ucm/emservice/EMServiceServlet"
    old = client(release="3.3")
    assert (old.urls.login, old.urls.query) == (
        "http://ucm/LoginService/login.asp",
        "http://ucm/LoginService/query.asp",
    )
    assert client(version="v333").release == "3.3"
    assert client(release="12.x").urls.login == "http://ucm/emservice/EMServiceServlet"
    with pytest.raises(ParameterError, match="contradicts"):
        client(release="4.0", version="v333")
    with pytest.raises(ParameterError, match="em release must be one of"):
        client(release="5")


def test_cup_release_paths_come_from_the_manifest() -> None:
    assert dict(RELEASES) == {r.name: r.endpoints[0] for r in releases("cup")}
    sent: list[HttpRequest] = []

    def answer(request: HttpRequest) -> HttpResponse:
        sent.append(request)
        body = (SCHEMAS / "cup/examples/corrected/12-login-response-success.xml").read_bytes()
        return HttpResponse(200, body, {"content-type": "application/soap+xml"})

    for name, path in RELEASES.items():
        cup = CupClient(
            "https://cup:8443",
            username="u",
            password="p",
            release=name,
            transport=MockTransport(answer),
        )
        cup.login()
        assert sent[-1].url == "https://cup:8443" + path and cup.release == name


def _gateway(release: str | None = None) -> tuple[AgentGatewayClient, list[HttpRequest]]:
    sent: list[HttpRequest] = []
    body = (SCHEMAS / "huawei/examples/corrected/03-response-success.json").read_bytes()

    def answer(request: HttpRequest) -> HttpResponse:
        sent.append(request)
        return HttpResponse(200, body, {"content-type": "application/json"})

    kw = {"release": release} if release else {}
    return AgentGatewayClient("https://gw:8043", transport=MockTransport(answer), **kw), sent


def test_huawei_release_sets_the_agent_id_sent_without_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    documented, _ = _gateway()
    current, _ = _gateway("current")
    assert (documented.release, current.release) == ("documented", "current")
    with caplog.at_level(logging.WARNING, logger="ucxml.huawei"):
        documented._agent(70000)
    assert "largest of release 'documented'" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="ucxml.huawei"):
        assert current._agent(70000) == 70000
    assert caplog.text == ""
    with pytest.raises(ParameterError, match="101-999999"):
        current._agent(1_000_000)
    with pytest.raises(ParameterError, match="huawei release must be one of"):
        _gateway("2.0")
