"""Bring your own WSDL, proven on real ones: the CUCM serviceability WSDLs (RisPort70,
Perfmon, Control Center, Log Collection; Cisco DevNet samples), read unmodified from the
reference folder, generated into a temporary package from a manifest of three lines each,
and driven end to end: a typed call, the exact request on the wire (the WSDL's SOAPAction,
the message element in its namespace), a typed answer, a fault, and validation against the
schema the WSDL embeds.

The WSDLs are read in place and never copied into the repository; the generated code lives
in pytest's temporary folder only. Without the reference folder every test is skipped.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from lxml import etree

import ucxml
from ucxml import _registry as registry
from ucxml.errors import SoapFault
from ucxml.transport import HttpResponse, MockTransport

from canonical import canonical
from generated_api import registered_package

# The project's reference folder sits beside the clone (../shared/reference, read in place).
_BESIDE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "wsdl"
REFERENCE = Path(os.environ.get("UCXML_REFERENCE_WSDLS", str(_BESIDE)))
S11 = "http://schemas.xmlsoap.org/soap/envelope/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
AST = "http://schemas.cisco.com/ast/soap"
WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
SOAP_BINDING = "http://schemas.xmlsoap.org/wsdl/soap/"
FAULT = (
    f'<soapenv:Envelope xmlns:soapenv="{S11}"><soapenv:Body><soapenv:Fault>'
    "<faultcode>soapenv:Server</faultcode><faultstring>Service temporarily unavailable"
    "</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>"
).encode()


@dataclass(frozen=True)
class Case:
    """One operation of one WSDL, driven end to end."""

    #: The operation's wire name, as the WSDL's portType has it.
    operation: str
    #: Calls it on the generated client with typed arguments: (models module, client).
    call: Callable[[ModuleType, Any], Any]
    #: The message the client must write in the SOAP 1.1 Body (compared canonically).
    request: str
    #: The message of a hand-written answer, valid against the WSDL's schema.
    answer: str
    #: Asserts on the typed result of ``answer``.
    check: Callable[[ModuleType, Any], None]
    #: What breaks ``answer`` (old, new), the path validation must name for it, and the
    #: text (unique in the broken answer) whose start is the line and column it must give.
    broken: tuple[str, str]
    path: str
    at: str


def _ris_call(m: ModuleType, client: Any) -> Any:
    criteria = m.CmSelectionCriteria(
        max_returned_devices=200,
        device_class="Phone",
        model=255,
        status="Registered",
        node_name=None,  # nillable: sent as xsi:nil, not left out
        select_by=m.CmSelectBy.NAME,
        select_items=m.ArrayOfSelectItem(item=[m.SelectItem(item="SEP*")]),
        protocol=m.ProtocolType.ANY,
        download_status=m.DeviceDownloadStatus.ANY,
    )
    return client.select_cm_device(state_info="", cm_selection_criteria=criteria)


def _ris_check(m: ModuleType, result: Any) -> None:
    assert isinstance(result, m.SelectCmDeviceResponse)
    ret = result.select_cm_device_return
    assert ret.state_info == "state-1"
    assert ret.select_cm_device_result.total_devices_found == 1
    (node,) = ret.select_cm_device_result.cm_nodes.item
    assert (node.return_code, node.name, node.no_change) == (m.RisReturnCode.OK, "cucm1", False)
    (device,) = node.cm_devices.item
    assert (device.name, device.status, device.is_cti_controllable) == (
        "SEP001122334455",
        m.CmDevRegStat.REGISTERED,
        True,
    )
    assert device.description is None  # xsi:nil read as None


def _device(wsdl: Path) -> str:
    """A CmDevice with every element its type requires, most nil as CUCM sends them; the
    element list is read from the WSDL itself, in its order."""
    given = {
        "Name": "SEP001122334455",
        "DirNumber": "1000-Registered",
        "DeviceClass": "Phone",
        "Model": "621",
        "Product": "571",
        "BoxProduct": "0",
        "Httpd": "Yes",
        "RegistrationAttempts": "0",
        "IsCtiControllable": "true",
        "Status": "Registered",
        "StatusReason": "0",
        "PerfMonObject": "2",
        "DChannel": "0",
        "Protocol": "SIP",
        "NumOfLines": "1",
        "TimeStamp": "1700000000",
    }
    xs = "{http://www.w3.org/2001/XMLSchema}"
    (device,) = etree.parse(str(wsdl)).iterfind(f".//{xs}complexType[@name='CmDevice']")
    written = []
    for element in device.iter(f"{xs}element"):
        name = element.get("name")
        if name in given:
            written.append(f"<ns:{name}>{given[name]}</ns:{name}>")
        elif element.get("nillable") == "true":
            written.append(f'<ns:{name} xsi:nil="true"/>')
        else:
            written.append(f"<ns:{name}/>")  # IPAddress: an array with no item
    return "".join(written)


def _control_call(m: ModuleType, client: Any) -> Any:
    return client.soap_do_control_services(
        node_name="cucm1",
        control_type=m.ControlType.RESTART,
        service_list=m.ArrayOfServices(item=["Cisco Tftp"]),
    )


def _control_check(m: ModuleType, result: Any) -> None:
    ret = result.soap_do_control_services_return
    assert isinstance(ret, m.ServiceInformationResponse)
    assert (ret.return_code.value, ret.reason_code, ret.reason_string) == ("0", None, None)
    (info,) = ret.service_info_list.item
    assert (info.service_name, info.service_status, info.up_time) == (
        "Cisco Tftp",
        m.ServiceStatus.STARTED,
        5,
    )


def _perfmon_call(m: ModuleType, client: Any) -> Any:
    return client.perfmon_collect_counter_data(
        host="cucm1", object_value=m.ObjectNameType(value="Cisco CallManager")
    )


def _perfmon_check(m: ModuleType, result: Any) -> None:
    first, second = result.perfmon_collect_counter_data_return
    assert isinstance(first, m.CounterInfoType)
    assert (first.name.value, first.value, first.cstatus) == (
        r"\\cucm1\Cisco CallManager\CallsActive",
        3,
        1,
    )
    assert (second.value, second.cstatus) == (-1, 0)


def _log_call(m: ModuleType, client: Any) -> Any:
    return client.list_node_service_logs("cucm1")


def _log_check(m: ModuleType, result: Any) -> None:
    (node,) = result.list_node_service_logs_return
    assert isinstance(node, m.NodeServiceLogList)
    assert node.name == "cucm1"
    assert node.service_log.item == ["Cisco CallManager", "Cisco Tftp"]
    assert node.system_log is None


CASES = {
    "RISService70.wsdl": Case(
        operation="selectCmDevice",
        call=_ris_call,
        request=(
            f'<selectCmDevice xmlns="{AST}" xmlns:xsi="{XSI}"><StateInfo/>'
            "<CmSelectionCriteria><MaxReturnedDevices>200</MaxReturnedDevices>"
            "<DeviceClass>Phone</DeviceClass><Model>255</Model><Status>Registered</Status>"
            '<NodeName xsi:nil="true"/><SelectBy>Name</SelectBy>'
            "<SelectItems><item><Item>SEP*</Item></item></SelectItems>"
            "<Protocol>Any</Protocol><DownloadStatus>Any</DownloadStatus>"
            "</CmSelectionCriteria></selectCmDevice>"
        ),
        answer=(
            "<ns:selectCmDeviceResponse>\n<ns:selectCmDeviceReturn>\n<ns:SelectCmDeviceResult>\n"
            "<ns:TotalDevicesFound>1</ns:TotalDevicesFound>\n<ns:CmNodes><ns:item>"
            "<ns:ReturnCode>Ok</ns:ReturnCode><ns:Name>cucm1</ns:Name>"
            "<ns:NoChange>false</ns:NoChange><ns:CmDevices><ns:item>{device}</ns:item>"
            "</ns:CmDevices></ns:item></ns:CmNodes>\n</ns:SelectCmDeviceResult>\n"
            "<ns:StateInfo>state-1</ns:StateInfo>\n"
            "</ns:selectCmDeviceReturn>\n</ns:selectCmDeviceResponse>"
        ),
        check=_ris_check,
        broken=("<ns:TotalDevicesFound>1<", "<ns:TotalDevicesFound>one<"),
        path="/soapenv:Envelope/soapenv:Body/ns:selectCmDeviceResponse/ns:selectCmDeviceReturn"
        "/ns:SelectCmDeviceResult/ns:TotalDevicesFound",
        at="<ns:TotalDevicesFound>one",
    ),
    "ControlCenterServices.wsdl": Case(
        operation="soapDoControlServices",
        call=_control_call,
        request=(
            f'<soapDoControlServices xmlns="{AST}"><ControlServiceRequest>'
            "<NodeName>cucm1</NodeName><ControlType>Restart</ControlType>"
            "<ServiceList><item>Cisco Tftp</item></ServiceList>"
            "</ControlServiceRequest></soapDoControlServices>"
        ),
        answer=(
            "<ns:soapDoControlServicesResponse>\n<ns:soapDoControlServicesReturn>\n"
            '<ns:ReturnCode>0</ns:ReturnCode><ns:ReasonCode xsi:nil="true"/>'
            '<ns:ReasonString xsi:nil="true"/>\n<ns:ServiceInfoList><ns:item>'
            "<ns:ServiceName>Cisco Tftp</ns:ServiceName>"
            "<ns:ServiceStatus>Started</ns:ServiceStatus>\n<ns:ReasonCode>-1</ns:ReasonCode>"
            "<ns:ReasonCodeString>Started</ns:ReasonCodeString>"
            "<ns:StartTime>Mon Dec  1 10:00:00 2026</ns:StartTime><ns:UpTime>5</ns:UpTime>"
            "</ns:item></ns:ServiceInfoList>\n"
            "</ns:soapDoControlServicesReturn>\n</ns:soapDoControlServicesResponse>"
        ),
        check=_control_check,
        broken=("<ns:ServiceStatus>Started<", "<ns:ServiceStatus>Running<"),
        path="/soapenv:Envelope/soapenv:Body/ns:soapDoControlServicesResponse"
        "/ns:soapDoControlServicesReturn/ns:ServiceInfoList/ns:item/ns:ServiceStatus",
        at="<ns:ServiceStatus>Running",
    ),
    "PerfmonService.wsdl": Case(
        operation="perfmonCollectCounterData",
        call=_perfmon_call,
        request=(
            f'<perfmonCollectCounterData xmlns="{AST}"><Host>cucm1</Host>'
            "<Object>Cisco CallManager</Object></perfmonCollectCounterData>"
        ),
        answer=(
            "<ns:perfmonCollectCounterDataResponse>\n<ns:perfmonCollectCounterDataReturn>"
            r"<ns:Name>\\cucm1\Cisco CallManager\CallsActive</ns:Name>"
            "<ns:Value>3</ns:Value><ns:CStatus>1</ns:CStatus>"
            "</ns:perfmonCollectCounterDataReturn>\n<ns:perfmonCollectCounterDataReturn>"
            r"<ns:Name>\\cucm1\Cisco CallManager\CallsAttempted</ns:Name>"
            "<ns:Value>-1</ns:Value>\n<ns:CStatus>0</ns:CStatus>"
            "</ns:perfmonCollectCounterDataReturn>\n</ns:perfmonCollectCounterDataResponse>"
        ),
        check=_perfmon_check,
        broken=("<ns:CStatus>0<", "<ns:CStatus>-2<"),
        path="/soapenv:Envelope/soapenv:Body/ns:perfmonCollectCounterDataResponse"
        "/ns:perfmonCollectCounterDataReturn[2]/ns:CStatus",
        at="<ns:CStatus>-2",
    ),
    "LogCollectionPortTypeService.wsdl": Case(
        operation="listNodeServiceLogs",
        call=_log_call,
        request=(
            f'<listNodeServiceLogs xmlns="{AST}"><ListRequest>cucm1</ListRequest>'
            "</listNodeServiceLogs>"
        ),
        answer=(
            "<ns:listNodeServiceLogsResponse>\n<ns:listNodeServiceLogsReturn>"
            "<ns:name>cucm1</ns:name>\n<ns:ServiceLog><ns:item>Cisco CallManager</ns:item>"
            "<ns:item>Cisco Tftp</ns:item></ns:ServiceLog>"
            '<ns:SystemLog xsi:nil="true"/>'
            "</ns:listNodeServiceLogsReturn>\n</ns:listNodeServiceLogsResponse>"
        ),
        check=_log_check,
        broken=("<ns:name>cucm1</ns:name>\n", ""),
        path="/soapenv:Envelope/soapenv:Body/ns:listNodeServiceLogsResponse"
        "/ns:listNodeServiceLogsReturn/ns:ServiceLog",
        at="<ns:ServiceLog>",  # the element now where the required name was
    ),
}


def _envelope(message: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<soapenv:Envelope xmlns:soapenv="{S11}" '
        f'xmlns:ns="{AST}" xmlns:xsi="{XSI}">\n<soapenv:Body>\n{message}\n'
        "</soapenv:Body>\n</soapenv:Envelope>\n"
    ).encode()


def _wsdls() -> list[str]:
    if not REFERENCE.is_dir():
        return sorted(CASES)
    return sorted(p.name for p in REFERENCE.glob("*.wsdl"))


@dataclass
class Generated:
    """One reference WSDL generated, imported and registered."""

    wsdl: Path
    api: str
    models: ModuleType
    client_module: ModuleType
    case: Case

    def answer(self) -> bytes:
        device = _device(self.wsdl) if "{device}" in self.case.answer else ""
        return _envelope(self.case.answer.replace("{device}", device))

    def client(self, status: int, body: bytes) -> tuple[Any, MockTransport]:
        transport = MockTransport(
            lambda _: HttpResponse(status, body, {"content-type": "text/xml; charset=utf-8"})
        )
        cls = getattr(self.client_module, f"{self.api.capitalize()}Client")
        client = cls("https://cucm:8443", username="admin", password="s3cret", transport=transport)
        return client, transport


@pytest.fixture(scope="module", params=_wsdls())
def generated(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Generated]:
    """The WSDL generated from a manifest naming only it, its envelope style and a title."""
    if not REFERENCE.is_dir():
        pytest.skip(f"the reference WSDLs are not here ({REFERENCE})")
    wsdl = REFERENCE / request.param
    if request.param not in CASES:
        pytest.fail(f"{request.param}: a reference WSDL with no case in CASES")
    api = "".join(c for c in wsdl.stem.lower() if c.isalnum())
    package = f"ref_{api}"
    work = tmp_path_factory.mktemp(api)
    # Read in place: the manifest names the WSDL where it is; no schema list, no endpoint.
    (work / "manifest.toml").write_text(
        f'[apis.{api}]\ntitle = "{wsdl.stem}"\nenvelope = "soap11"\nwsdl = "{wsdl}"\n',
        encoding="utf-8",
    )
    with registered_package(work, "manifest.toml", package) as names:
        assert names == [api]
        yield Generated(
            wsdl,
            api,
            importlib.import_module(f"{package}.{api}.models"),
            importlib.import_module(f"{package}.{api}.client"),
            CASES[request.param],
        )
        for name in [m for m in sys.modules if m.split(".")[0] == package]:
            del sys.modules[name]


def _wsdl_action(wsdl: Path, operation: str) -> str:
    """The soapAction the WSDL's SOAP 1.1 binding gives ``operation``, read independently
    of the generator."""
    tree = etree.parse(str(wsdl))
    found = tree.find(
        f"{{{WSDL_NS}}}binding/{{{WSDL_NS}}}operation[@name='{operation}']"
        f"/{{{SOAP_BINDING}}}operation"
    )
    assert found is not None
    return str(found.get("soapAction"))


def _wsdl_path(wsdl: Path) -> str:
    tree = etree.parse(str(wsdl))
    (address,) = tree.iterfind(f"{{{WSDL_NS}}}service/{{{WSDL_NS}}}port/{{{SOAP_BINDING}}}address")
    return "/" + str(address.get("location")).split("/", 3)[3]


def test_the_typed_call_sends_the_wsdls_action_and_message(generated: Generated) -> None:
    case = generated.case
    op = registry.binding(generated.api).operations[case.operation]
    assert op.action == _wsdl_action(generated.wsdl, case.operation)
    client, transport = generated.client(200, generated.answer())
    with client:
        result = case.call(generated.models, client)
    (sent,) = transport.requests
    assert sent.url == "https://cucm:8443" + _wsdl_path(generated.wsdl)
    assert sent.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert sent.headers["SOAPAction"] == f'"{_wsdl_action(generated.wsdl, case.operation)}"'
    body = etree.fromstring(sent.content).find(f"{{{S11}}}Body")
    assert body is not None and body[0].tag == f"{{{AST}}}{case.operation}"
    assert canonical(sent.content) == canonical(
        f'<e:Envelope xmlns:e="{S11}"><e:Body>{case.request}</e:Body></e:Envelope>'.encode()
    )
    case.check(generated.models, result)


@pytest.mark.parametrize("status", [500, 200])
def test_a_fault_is_a_soap_fault(generated: Generated, status: int) -> None:
    client, _ = generated.client(status, FAULT)
    with pytest.raises(SoapFault) as caught, client:
        generated.case.call(generated.models, client)
    assert caught.value.code == "Server"
    assert "temporarily unavailable" in caught.value.reason


def test_the_answer_validates_and_a_broken_one_is_located(generated: Generated) -> None:
    answer = generated.answer()
    assert ucxml.detect(answer) == generated.api
    good = ucxml.validate(answer)
    assert good.valid, good.issues
    assert (good.api, good.message) == (generated.api, f"{generated.case.operation}Response")
    old, new = (s.encode() for s in generated.case.broken)
    assert old in answer
    invalid = answer.replace(old, new, 1)
    bad = ucxml.validate(invalid)
    assert not bad.valid
    issue = bad.issues[0]
    assert issue.severity == "error"
    assert issue.path == generated.case.path
    # The line and column (1-based, as editors count) of the start tag the schema refuses.
    at = generated.case.at.encode()
    assert invalid.count(at) == 1
    index = invalid.index(at)
    line = invalid.count(b"\n", 0, index) + 1
    assert (issue.line, issue.column) == (line, index - invalid.rfind(b"\n", 0, index))
