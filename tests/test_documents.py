"""parse / serialize / detect on CME messages, including the failures they must name."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

import ucxml
from ucxml import DeviationWarning
from ucxml.errors import BindingError, UnknownApiError, UnknownMessageError, XmlSyntaxError
from ucxml.generated.cme import models as m

from canonical import canonical

CORRECTED = Path(__file__).resolve().parents[1] / "schemas/cme/examples/corrected"


def _example(name: str) -> bytes:
    return (CORRECTED / name).read_bytes()


def test_parse_returns_the_typed_model() -> None:
    obj = ucxml.parse(_example("11-ISgetDevice-sccp-response.xml"))
    assert isinstance(obj, m.ISgetDeviceResponse)
    device = obj.device[0]
    assert device.dev_id == 1
    assert device.dev_name == "SEP00036B09538A"
    assert device.dev_status is m.DeviceStatus.REGISTERED
    assert device.key_phone is False
    assert device.phone_line_list is not None
    assert device.phone_line_list.ext_map_status[0].line_state is m.LineState.IDLE
    assert device.tapi_cchange_time == ""
    assert device.dev_dnd is m.YesNo.NO


def test_parse_accepts_text_and_paths() -> None:
    path = CORRECTED / "29-ISgetUser-response.xml"
    assert ucxml.parse(path) == ucxml.parse(path.read_text()) == ucxml.parse(str(path))


def test_serialize_sends_declared_namespace_well_formed_xml() -> None:
    request = m.ISgetUser(get_user=m.ISgetUserParams(user_id="peter"))
    data = ucxml.serialize(request)
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert b'xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"' in data
    assert b'xsi:type="ISgetUser"' in data
    assert ucxml.validate(data).valid
    assert ucxml.parse(data) == request


def test_detect() -> None:
    assert ucxml.detect(_example("01-ISexecCLI-request.xml")) == "cme"
    assert ucxml.detect(b'<response xsi:type="ISgetGlobalResponse"/>') == "cme"
    with pytest.raises(UnknownApiError):
        ucxml.detect(b"<html><body/></html>")


def test_bare_body_and_undeclared_prefix_warn() -> None:
    data = (
        b'<response xsi:type="ISgetEvtCountsResponse"><ISDevEvtCount>1</ISDevEvtCount>'
        b"<ISExtEvtCount>2</ISExtEvtCount></response>"
    )
    with pytest.warns(DeviationWarning) as record:
        obj = ucxml.parse(data)
    messages = [str(w.message) for w in record]
    assert any("undeclared prefix 'xsi'" in msg for msg in messages)
    assert any("bare <response>" in msg for msg in messages)
    assert obj == m.ISgetEvtCountsResponse(dev_evt_count=1, ext_evt_count=2)


def test_tolerated_spellings_are_read_as_the_schemas() -> None:
    data = _example("15-ISgetExtension-sccp-response.xml").replace(
        b"<firstName>Peter</firstName>", b"<firstname>Peter</firstname>"
    )
    with pytest.warns(DeviationWarning, match="element 'firstname' read as 'firstName'"):
        obj = ucxml.parse(data)
    assert obj.extension[0].first_name == "Peter"


def test_response_typed_as_request_is_read_with_a_warning() -> None:
    data = _example("05-ISSaveConfig-response-success.xml").replace(
        b'"ISSaveConfigResponse"', b'" ISSaveConfig"'
    )
    with pytest.warns(DeviationWarning, match="read as 'ISSaveConfigResponse'"):
        obj = ucxml.parse(data)
    assert obj == m.ISSaveConfigResponse(save_config_result=m.SaveConfigResult.SUCCESS)
    report = ucxml.validate(data)
    assert report.valid and [i.hint for i in report.warnings] == ["E03"]


def test_unknown_element_is_kept_and_reported_never_dropped() -> None:
    data = _example("29-ISgetUser-response.xml").replace(
        b"<ISuserTag>6</ISuserTag>", b"<ISuserTag>6</ISuserTag><ISuserColor>red</ISuserColor>"
    )
    with pytest.warns(DeviationWarning, match="ISuserColor"):
        obj = ucxml.parse(data)
    assert canonical(ucxml.serialize(obj)) == canonical(data)  # written back in place
    report = ucxml.validate(data)
    assert report.valid
    (issue,) = [i for i in report.warnings if i.code == "T-UNKNOWN"]
    assert (
        "ISuserColor" in issue.message and "not in the schema of any known release" in issue.message
    )
    assert issue.path.endswith("/ISuser/ISuserColor")
    lines = data.decode().splitlines()
    assert issue.line is not None and issue.column is not None
    assert lines[issue.line - 1][issue.column - 1 :].startswith("<ISuserColor>")


def test_bad_value_is_an_error() -> None:
    data = _example("23-ISgetEvtCounts-response.xml").replace(b">12<", b">twelve<")
    with pytest.raises(BindingError):
        ucxml.parse(data)
    (issue,) = ucxml.validate(data).errors
    assert issue.line is not None and issue.column is not None
    assert "ISDevEvtCount" in issue.path


def test_unknown_xsi_type() -> None:
    data = _example("08-ISgetGlobal-request.xml").replace(b'"ISgetGlobal"', b'"ISgetEverything"')
    with pytest.raises(UnknownMessageError):
        ucxml.parse(data)
    assert not ucxml.validate(data).valid


def test_wrong_namespace_envelope_is_not_cme() -> None:
    data = _example("08-ISgetGlobal-request.xml").replace(
        b"http://schemas.xmlsoap.org/soap/envelope/", b"http://www.w3.org/2003/05/soap-envelope"
    )
    with pytest.raises(UnknownApiError):
        ucxml.parse(data)
    report = ucxml.validate(data)
    assert not report.valid and "API not detected" in report.errors[0].message


def test_malformed_raises_syntax_error() -> None:
    with pytest.raises(XmlSyntaxError):
        ucxml.parse(b"<response>")


def test_passwords_stay_out_of_reprs() -> None:
    request = m.ISupdateUser(update_user=m.ISupdateUserParams(user_id="peter", password="s3cret"))
    assert "s3cret" not in repr(request)
    assert "peter" in repr(request)


def test_all_apis_bindings_are_lazy() -> None:
    import subprocess
    import sys

    code = "import sys, ucxml; assert 'ucxml.generated.cme' not in sys.modules; print('ok')"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"


def test_parse_warnings_can_be_silenced() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ucxml.parse(_example("23-ISgetEvtCounts-response.xml"))  # no warning for clean input


@pytest.mark.parametrize(
    ("payload", "api"),
    [
        # CME 12.x writes bare messages without xsi:type: the IS... child names the method.
        (b"<request><ISgetGlobal></ISgetGlobal></request>", "cme"),
        (b"<response><ISuser><ISuserID>a</ISuserID></ISuser></response>", "cme"),
        (
            b'<request xsi:type="ISgetGlobal" xmlns:xsi="http://www.w3.org/2001/'
            b'XMLSchema-instance"><ISgetGlobal/></request>',
            "cme",
        ),
        (b"<request><appInfo><appID>a</appID></appInfo><logoutAll/></request>", "em"),
        (b"<response><success/></response>", "em"),
        (b"<response><deviceUserResults/></response>", "em"),
    ],
)
def test_detect_tells_bare_cme_from_em(payload: bytes, api: str) -> None:
    assert ucxml.detect(payload) == api
