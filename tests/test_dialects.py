"""Release dialects (``ucxml._dialects``): CME 12.x messages read into the shared models,
written back in their release, by every reader (whole tree, chunked, streamed, records).
"""

from __future__ import annotations

import warnings

import pytest

import ucxml
from ucxml import DeviationWarning
from ucxml import _documents as documents
from ucxml import _fastpath as fastpath
from ucxml._dialects import dialect_releases, shapes
from ucxml._documents import parse_generic
from ucxml._tolerances import NOT_IN_SCHEMA
from ucxml.errors import BindingError, ParameterError
from ucxml.generated.cme import models as m

from canonical import canonical


def _device(tag: int, *, buttons: int = 1, spelled: bool = True) -> str:
    user = "ISDevUsername" if spelled else "ISDevUserName"
    lines = "".join(
        f"<ISDevLineButton><ISDevLineButtonID>{b}</ISDevLineButtonID>"
        f"<ISDevLineButtonMode>Normal</ISDevLineButtonMode></ISDevLineButton>"
        for b in range(1, buttons + 1)
    )
    box = f"<ISDevLineButtons>{lines}</ISDevLineButtons>" if buttons else ""
    return (
        f"<ISDevice><ISDevID>{tag}</ISDevID><ISDevName>SEP{tag:012X}</ISDevName>"
        f"<{user}>user{tag}</{user}>{box}<ISDevStatus>registered</ISDevStatus>"
        f"<ISTapiCLastStatus></ISTapiCLastStatus></ISDevice>"
    )


def _answer(count: int, extra: str = "") -> bytes:
    devices = "".join(_device(i) for i in range(1, count + 1))
    return f"<response><ISDevices>{devices}{extra}</ISDevices></response>".encode()


@pytest.fixture(params=["whole", "chunked", "streamed"])
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each reader of ``ucxml.parse``: whole tree, runs of a few records, streamed."""
    monkeypatch.setattr(documents, "STREAM_BYTES", 10**12 if request.param == "whole" else 0)
    monkeypatch.setattr(fastpath, "CHUNK_BYTES", 200 if request.param == "chunked" else 0)
    return str(request.param)


def test_the_manifest_gives_cme_one_dialect_release() -> None:
    assert [r.name for r in dialect_releases("cme")] == ["12.x"]
    assert dialect_releases("em") == () and shapes("uccn").release is None
    found = shapes("cme")
    assert found.named and found.release == "12.x"
    assert found.lifts[("response", "ISDevices")] == ("ISDevice", "ISDevice")
    assert found.lifts[("response", "ISUrlServices")] == ("ISUrlService", "ISUrlServices")
    assert found.spellings[("ISDevice", "ISDevUsername")] == "ISDevUserName"


def test_a_12x_answer_is_the_2008_model(reader: str) -> None:
    data = _answer(30)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeviationWarning)  # the dialect is no deviation
        obj = ucxml.parse(data, api="cme")
    assert type(obj) is m.ISgetDeviceResponse
    assert [d.dev_id for d in obj.device] == list(range(1, 31))
    assert obj.device[4].dev_user_name == "user5"  # ISDevUsername, the 12.x spelling
    assert [b.dev_line_button_id for b in obj.device[0].dev_line_button] == [1]
    assert obj.device[0].dev_tapi_clast_status == ""
    assert obj.release == "12.x"
    assert obj == parse_generic(data, api="cme")
    enveloped = ucxml.serialize(obj)
    assert b"SOAP-ENV:Envelope" in enveloped and b"<ISDevice>" in enveloped
    again = ucxml.parse(enveloped, api="cme")
    assert again == obj and again.release == "2008"


def test_written_back_in_12x_byte_for_byte_canonical(reader: str) -> None:
    data = _answer(5)
    obj = ucxml.parse(data, api="cme")
    out = ucxml.serialize(obj, release="12.x")
    assert canonical(out) == canonical(data)
    assert out.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<response><ISDevices>')


def test_no_devices_is_an_empty_container_both_ways(reader: str) -> None:
    empty = b"<response><ISDevices/></response>"
    obj = ucxml.parse(empty, api="cme")
    assert type(obj) is m.ISgetDeviceResponse and obj.device == []
    assert canonical(ucxml.serialize(obj, release="12.x")) == canonical(empty)


def test_a_container_holding_more_than_its_items_is_kept_not_dropped(reader: str) -> None:
    # An element no release knows inside the container: the container is left as it
    # came, so its whole content is kept as unknown content and written back in place.
    data = _answer(3, extra="<ISDevFuture>x</ISDevFuture>")
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always", DeviationWarning)
        obj = ucxml.parse(data, api="cme")
    assert any(NOT_IN_SCHEMA in str(w.message) for w in seen)
    assert obj.extra is not None
    assert b"<ISDevFuture>x</ISDevFuture>" in ucxml.serialize(obj, release="12.x")


def test_iter_records_reads_through_the_container() -> None:
    data = _answer(40)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeviationWarning)
        records = list(ucxml.iter_records(data, api="cme"))
    assert [r.dev_id for r in records] == list(range(1, 41))
    assert all(type(r) is m.ISDevice and r.dev_user_name for r in records)
    assert records[9].dev_line_button[0].dev_line_button_mode == "Normal"


def test_a_result_wrapper_and_its_inner_container(reader: str) -> None:
    data = (
        b"<response><ISGlobal><ISAddress>10.0.0.1</ISAddress><ISMode>cme</ISMode>"
        b"<ISUrlServices><ISUrlService><ISUrlType>EPHONE_URL_INFO</ISUrlType>"
        b"<ISUrlLink>http://x/i</ISUrlLink></ISUrlService><ISUrlService>"
        b"<ISUrlType>EPHONE_URL_SERVICES</ISUrlType><ISUrlLink>http://x/s</ISUrlLink>"
        b"</ISUrlService></ISUrlServices></ISGlobal></response>"
    )
    obj = ucxml.parse(data, api="cme")
    assert type(obj) is m.ISgetGlobalResponse and obj.release == "12.x"
    assert [u.url_link for u in obj.url_services] == ["http://x/i", "http://x/s"]
    assert canonical(ucxml.serialize(obj, release="12.x")) == canonical(data)


def test_the_2008_form_of_a_container_name_is_still_the_2008_record(reader: str) -> None:
    # ISUrlServices is a container in 12.x and the record itself in 2008: told apart by
    # what it holds.
    data = (
        b'<response xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
        b' xsi:type="ISgetGlobalResponse"><ISAddress>10.0.0.1</ISAddress>'
        b"<ISUrlServices><ISUrlType>EPHONE_URL_INFO</ISUrlType><ISUrlLink>http://x/i</ISUrlLink>"
        b"</ISUrlServices></response>"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeviationWarning)  # bare, with xsi:type: T-BARE
        obj = ucxml.parse(data, api="cme")
    assert [u.url_type for u in obj.url_services] == ["EPHONE_URL_INFO"]


def test_a_request_is_named_by_its_child_and_detected() -> None:
    data = b"<request><ISgetDevice><ISDevID>1</ISDevID></ISgetDevice></request>"
    report = ucxml.validate(data)
    assert (report.api, report.message, report.release, report.issues) == (
        "cme",
        "ISgetDevice",
        "12.x",
        (),
    )
    obj = ucxml.parse(data)
    assert type(obj) is m.ISgetDevice and obj.get_device.dev_id == [1]
    assert canonical(ucxml.serialize(obj, release="12.x")) == canonical(data)


def test_a_message_named_by_nothing_known_is_a_clear_error() -> None:
    data = b"<response><ISNoSuchThing>1</ISNoSuchThing></response>"
    report = ucxml.validate(data, api="cme")
    assert not report.valid
    assert "names none of the cme responses" in report.errors[0].message
    assert report.errors[0].line == 1
    with pytest.raises(BindingError, match="ISNoSuchThing"):
        ucxml.parse(data, api="cme")


def test_an_unknown_release_to_write_is_refused() -> None:
    obj = m.ISgetGlobal(get_global=m.NoParams())
    with pytest.raises(ParameterError, match="cme release must be one of"):
        ucxml.serialize(obj, release="13")
    assert ucxml.serialize(obj, release="2008") == ucxml.serialize(obj)


def test_a_value_beyond_the_known_ones_of_an_open_type_is_read_as_sent(reader: str) -> None:
    # Open types (values known from the guides or the IOS command, any other text read as
    # is): a router's newer keyword must not make its answer unreadable.
    data = (
        _answer(2)
        .replace(
            b"<ISDevStatus>",
            b"<paging-dn><dn>0</dn><mode>broadcast</mode></paging-dn><ISDevStatus>",
        )
        .replace(b"<ISDevLineButtonMode>Normal<", b"<ISDevLineButtonMode>SILENT_RING<")
    )
    report = ucxml.validate(data, api="cme")
    assert report.valid and not report.issues, report.issues
    obj = ucxml.parse(data, api="cme")
    assert obj.device[0].paging_dn is not None and obj.device[0].paging_dn.mode == "broadcast"
    assert obj.device[1].dev_line_button[0].dev_line_button_mode == "SILENT_RING"
    assert isinstance(obj.device[1].dev_line_button[0].dev_line_button_mode, str)
    assert canonical(ucxml.serialize(obj, release="12.x")) == canonical(data)
