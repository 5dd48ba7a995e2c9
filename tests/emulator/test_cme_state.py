"""Tests of the in-memory CME router model used by the CME XML API emulator."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Protocol

import pytest

from ucxml.emulator.cme_state import (
    DUAL_LINE,
    INCOMPLETE_COMMAND,
    INVALID_INPUT,
    OCTO_LINE,
    SINGLE_LINE,
    URL_DIRECTORIES,
    URL_SERVICES,
    ButtonMapping,
    CmeRouter,
    CmeUser,
    UserType,
)

DOC_EXAMPLE = ["ephone 4", "mac-address 000D.BC80.EB51", "type 7960", "button 1:1"]


class FakeClock:
    """A settable monotonic clock."""

    def __init__(self, start: float = 1000.0) -> None:
        self.value = start

    def __call__(self) -> float:
        return self.value

    def advance(self, seconds: float) -> None:
        self.value += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def router(clock: FakeClock) -> CmeRouter:
    return CmeRouter(clock=clock, xml_users={"admin": ("secret", 15), "viewer": ("view", 1)})


def ok(router: CmeRouter, *lines: str) -> None:
    assert router.exec_cli(list(lines)) == (0, "")


def phone_and_dn(router: CmeRouter, tag: int = 1, mac: str = "000D.BC80.EB51") -> None:
    """Ephone ``tag`` with MAC ``mac`` showing ephone-dn ``tag`` (number 200<tag>)."""
    ok(
        router,
        f"ephone-dn {tag}",
        f"number 200{tag}",
        f"ephone {tag}",
        f"mac-address {mac}",
        "type 7960",
        f"button 1:{tag}",
    )


# --------------------------------------------------------------------------- ISexecCLI


def test_documented_failure_example_applies_lines_before_the_failing_one(
    router: CmeRouter,
) -> None:
    assert router.exec_cli(DOC_EXAMPLE) == (4, " invalid input dn parameter for button 1")
    [phone] = router.devices([4])
    assert phone.mac == "SEP000DBC80EB51"
    assert phone.type == "7960"
    assert phone.buttons == {}


def test_documented_example_succeeds_once_the_dn_exists(router: CmeRouter) -> None:
    ok(router, "ephone-dn 1", "number 2001")
    assert router.exec_cli(DOC_EXAMPLE) == (0, "")
    [phone] = router.devices([4])
    assert phone.buttons == {1: ButtonMapping(dn_tag=1, mode="Normal")}


def test_lines_after_a_failure_are_not_applied(router: CmeRouter) -> None:
    result = router.exec_cli(["ephone-dn 1", "bogus command", "ephone-dn 2"])
    assert result == (2, INVALID_INPUT)
    assert [dn.tag for dn in router.extensions(numbers=["all"])] == [1]


def test_blank_lines_and_comments_are_skipped_but_counted(router: CmeRouter) -> None:
    assert router.exec_cli(["", "! a comment", "   ", "ephone-dn 1", "nonsense"]) == (
        5,
        INVALID_INPUT,
    )
    assert router.exec_cli(["!", "", "  ! indented comment"]) == (0, "")


def test_exec_cli_refuses_a_plain_string(router: CmeRouter) -> None:
    with pytest.raises(TypeError):
        router.exec_cli("ephone 1")


def test_keywords_are_case_insensitive_and_may_be_abbreviated(router: CmeRouter) -> None:
    ok(router, "EPHONE-DN 1 DUAL-LINE", "NUM 2001", "Ephone 1", "MAC 000d.bc80.eb51", "TYPE 7941ge")
    ok(router, "tel", "max-e 30", "VOICEMAIL 8000")
    [phone] = router.devices([1])
    assert phone.mac == "SEP000DBC80EB51"
    assert phone.type == "7941GE"
    [dn] = router.extensions([1])
    assert (dn.number, dn.line_mode) == ("2001", DUAL_LINE)
    assert router.global_info().max_ephones == 30


def test_ambiguous_abbreviation_fails(router: CmeRouter) -> None:
    line, error = router.exec_cli(["telephony-service", "max 10"])
    assert line == 2
    assert error.startswith("% Ambiguous command:")


def test_each_call_starts_in_global_mode(router: CmeRouter) -> None:
    ok(router, "ephone-dn 1")
    assert router.exec_cli(["number 2001"]) == (1, INVALID_INPUT)


# --------------------------------------------------------------------------- modes


def test_exit_and_end_return_to_global_mode(router: CmeRouter) -> None:
    ok(router, "ephone-dn 1", "exit")
    assert router.exec_cli(["ephone-dn 1", "exit", "number 2001"]) == (3, INVALID_INPUT)
    assert router.exec_cli(["ephone-dn 1", "end", "number 2001"]) == (3, INVALID_INPUT)
    assert router.exec_cli(["exit now"]) == (1, INVALID_INPUT)


def test_global_command_in_a_sub_mode_switches_mode(router: CmeRouter) -> None:
    ok(
        router,
        "telephony-service",
        "max-dn 10",
        "ephone-dn 1",  # global command: leaves telephony-service
        "number 2001",
        "ephone-dn 2",  # from ephone-dn mode to another dn
        "number 2002",
        "ephone 1",
        "button 1:1 2:2",
        "telephony-service",  # back from ephone mode
        "voicemail 8000",
    )
    assert [dn.number for dn in router.extensions([1, 2])] == ["2001", "2002"]
    assert router.devices([1])[0].buttons.keys() == {1, 2}
    assert router.global_info().voicemail == "8000"


def test_sub_mode_command_is_invalid_in_another_mode(router: CmeRouter) -> None:
    assert router.exec_cli(["ephone 1", "number 2001"]) == (2, INVALID_INPUT)
    assert router.exec_cli(["ephone-dn 1", "mac-address 000D.BC80.EB51"]) == (2, INVALID_INPUT)
    assert router.exec_cli(["telephony-service", "button 1:1"]) == (2, INVALID_INPUT)
    assert router.exec_cli(["mac-address 000D.BC80.EB51"]) == (1, INVALID_INPUT)


def test_global_no_ephone_from_a_sub_mode(router: CmeRouter) -> None:
    phone_and_dn(router)
    ok(router, "ephone-dn 1", "no ephone 1", "no ephone-dn 1")
    assert router.devices(names=["all"]) == []
    assert router.extensions(numbers=["all"]) == []


# --------------------------------------------------------------------------- ephone


def test_ephone_tag_limits(router: CmeRouter) -> None:
    ok(router, "telephony-service", "max-ephones 5")
    ok(router, "ephone 5")
    assert router.exec_cli(["ephone 6"]) == (1, " ephone tag 6 exceeds max-ephones 5")
    assert router.exec_cli(["ephone 0"]) == (1, INVALID_INPUT)
    assert router.exec_cli(["ephone x"]) == (1, INVALID_INPUT)
    assert router.exec_cli(["ephone"]) == (1, INCOMPLETE_COMMAND)
    assert router.exec_cli(["ephone 1 2"]) == (1, INVALID_INPUT)
    assert [phone.tag for phone in router.devices(names=["all"])] == [5]


def test_new_ephone_defaults(router: CmeRouter, clock: FakeClock) -> None:
    clock.advance(42)
    ok(router, "ephone 3")
    [phone] = router.devices([3])
    assert phone.mac is None
    assert phone.type is None
    assert phone.status == phone.last_status == "unregistered"
    assert phone.change_time == 42
    assert phone.address == "0.0.0.0"
    assert (phone.keyphone, phone.keepalives, phone.username) == (False, 0, None)


@pytest.mark.parametrize(
    "text", ["000D.BC80.EB51", "000dbc80eb51", "000DBC80EB51", "000d.bc80.eb51"]
)
def test_mac_address_forms(router: CmeRouter, text: str) -> None:
    ok(router, "ephone 1", f"mac-address {text}")
    assert router.devices([1])[0].mac == "SEP000DBC80EB51"


@pytest.mark.parametrize("text", ["000D.BC80.EB5", "000D.BC80.EB5G", "SEP000DBC80EB51", "00:0D"])
def test_bad_mac_address(router: CmeRouter, text: str) -> None:
    assert router.exec_cli(["ephone 1", f"mac-address {text}"]) == (2, INVALID_INPUT)
    assert router.devices([1])[0].mac is None


def test_duplicate_mac_address(router: CmeRouter) -> None:
    ok(router, "ephone 1", "mac-address 000D.BC80.EB51")
    ok(router, "ephone 1", "mac-address 000D.BC80.EB51")  # same phone again is fine
    assert router.exec_cli(["ephone 2", "mac-address 000dbc80eb51"]) == (
        2,
        " mac-address 000D.BC80.EB51 already used by ephone 1",
    )


def test_no_mac_address_and_no_type(router: CmeRouter) -> None:
    ok(router, "ephone 1", "mac-address 000D.BC80.EB51", "type 7970", "no mac-address", "no type")
    [phone] = router.devices([1])
    assert (phone.mac, phone.type) == (None, None)


@pytest.mark.parametrize(
    ("given", "stored"), [("7960", "7960"), ("7970", "7970"), ("cipc", "CIPC"), ("ATA", "ata")]
)
def test_phone_types(router: CmeRouter, given: str, stored: str) -> None:
    ok(router, "ephone 1", f"type {given}")
    assert router.devices([1])[0].type == stored


@pytest.mark.parametrize("line", ["type 1234", "type", "type 7960 7970"])
def test_bad_phone_type(router: CmeRouter, line: str) -> None:
    line_number, error = router.exec_cli(["ephone 1", line])
    assert line_number == 2
    assert error in (INVALID_INPUT, INCOMPLETE_COMMAND)


def test_button_modes_and_replacement(router: CmeRouter) -> None:
    ok(router, *(f"ephone-dn {tag}" for tag in range(1, 8)))
    ok(router, "ephone 1", "button 1:1 2s2 3b3 4f4 5m5 6o6 7w7")
    modes = {i: b.mode for i, b in router.devices([1])[0].buttons.items()}
    assert modes == {
        1: "Normal",
        2: "Silent",
        3: "Beep",
        4: "FeatureRing",
        5: "Monitor",
        6: "Overlay",
        7: "Watch",
    }
    ok(router, "ephone 1", "button 3:2")  # a new button command replaces the old one
    assert router.devices([1])[0].buttons == {3: ButtonMapping(dn_tag=2)}
    ok(router, "ephone 1", "no button")
    assert router.devices([1])[0].buttons == {}


def test_button_errors_leave_buttons_unchanged(router: CmeRouter) -> None:
    ok(router, "ephone-dn 1", "ephone-dn 2", "ephone 1", "button 1:1")
    assert router.exec_cli(["ephone 1", "button 1:1 2:9"]) == (
        2,
        " invalid input dn parameter for button 2",
    )
    assert router.exec_cli(["ephone 1", "button 1:1 1:2"]) == (2, " duplicate button 1")
    assert router.exec_cli(["ephone 1", "button 1-1"]) == (2, INVALID_INPUT)
    assert router.exec_cli(["ephone 1", "button 0:1"]) == (2, INVALID_INPUT)
    assert router.exec_cli(["ephone 1", "button"]) == (2, INCOMPLETE_COMMAND)
    assert router.devices([1])[0].buttons == {1: ButtonMapping(dn_tag=1)}


def test_keyphone_commands(router: CmeRouter) -> None:
    ok(router, "ephone 1", "keyphone")
    assert router.devices([1])[0].keyphone is True
    ok(router, "ephone 1", "no keyphone")
    assert router.devices([1])[0].keyphone is False
    assert router.exec_cli(["ephone 1", "keyphone yes"]) == (2, INVALID_INPUT)


def test_no_ephone_removes_phone_and_its_user(router: CmeRouter) -> None:
    ok(router, "ephone 1", 'username "peter" password abc')
    ok(router, "no ephone 1")
    assert router.devices(names=["all"]) == []
    assert router.get_user("peter") == (0, 0)
    ok(router, "no ephone 7")  # removing a phone that is not there is accepted
    assert router.exec_cli(["no ephone"]) == (1, INCOMPLETE_COMMAND)
    assert router.exec_cli(["no bogus"]) == (1, INVALID_INPUT)


# --------------------------------------------------------------------------- ephone-dn


def test_ephone_dn_line_modes(router: CmeRouter) -> None:
    ok(router, "ephone-dn 1", "ephone-dn 2 dual-line", "ephone-dn 3 octo-line")
    modes = [dn.line_mode for dn in router.extensions(numbers=["all"])]
    assert modes == [SINGLE_LINE, DUAL_LINE, OCTO_LINE]
    ok(router, "ephone-dn 2", "ephone-dn 2 dual-line")  # re-entering keeps the mode
    assert router.exec_cli(["ephone-dn 2 octo-line"]) == (
        1,
        " ephone-dn 2 is already configured as DUAL_LINE",
    )
    assert router.exec_cli(["ephone-dn 4 triple-line"]) == (1, INVALID_INPUT)


def test_ephone_dn_tag_limits(router: CmeRouter) -> None:
    ok(router, "telephony-service", "max-dn 3")
    assert router.exec_cli(["ephone-dn 4"]) == (1, " ephone-dn tag 4 exceeds max-dn 3")
    assert router.exec_cli(["ephone-dn 0"]) == (1, INVALID_INPUT)
    assert router.exec_cli(["ephone-dn"]) == (1, INCOMPLETE_COMMAND)


def test_number_name_and_call_forward(router: CmeRouter) -> None:
    ok(
        router,
        "ephone-dn 1 dual-line",
        "number 2001 secondary 2100",
        "name Peter van Lee",
        "call-forward all 1234",
    )
    [dn] = router.extensions([1])
    assert (dn.number, dn.secondary_number) == ("2001", "2100")
    assert (dn.first_name, dn.last_name) == ("Peter", "van Lee")
    assert dn.call_forward_all == "1234"
    ok(router, "ephone-dn 1", "name Lobby", "number 2002")
    [dn] = router.extensions([1])
    assert (dn.first_name, dn.last_name) == ("Lobby", None)
    assert (dn.number, dn.secondary_number) == ("2002", None)
    ok(router, "ephone-dn 1", "no number", "no name", "no call-forward all")
    [dn] = router.extensions([1])
    assert (dn.number, dn.first_name, dn.call_forward_all) == (None, None, None)


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("number", INCOMPLETE_COMMAND),
        ("number abc", INVALID_INPUT),
        ("number 2001 secondary", INCOMPLETE_COMMAND),
        ("number 2001 primary 2", INVALID_INPUT),
        ("name", INCOMPLETE_COMMAND),
        ("call-forward busy 1234", INVALID_INPUT),
        ("call-forward all", INCOMPLETE_COMMAND),
        ("call-forward all x12", INVALID_INPUT),
    ],
)
def test_ephone_dn_errors(router: CmeRouter, line: str, error: str) -> None:
    assert router.exec_cli(["ephone-dn 1", line]) == (2, error)


def test_duplicate_primary_number(router: CmeRouter) -> None:
    ok(router, "ephone-dn 1", "number 2001", "ephone-dn 1", "number 2001")
    assert router.exec_cli(["ephone-dn 2", "number 2001"]) == (
        2,
        " number 2001 already used by ephone-dn 1",
    )
    ok(router, "ephone-dn 2", "number 2002 secondary 2001")  # secondary may repeat it


def test_no_ephone_dn_removes_button_mappings(router: CmeRouter) -> None:
    ok(router, "ephone-dn 1", "ephone-dn 2", "ephone 1", "button 1:1 2:2", "ephone 2", "button 1:1")
    ok(router, "no ephone-dn 1")
    assert router.devices([1])[0].buttons == {2: ButtonMapping(dn_tag=2)}
    assert router.devices([2])[0].buttons == {}
    assert [dn.tag for dn in router.extensions(numbers=["all"])] == [2]
    assert router.phones_for_dn(2) == [1]
    assert router.phones_for_dn(1) == []


# --------------------------------------------------------------------------- users


def test_ephone_username_creates_ephone_user_with_the_ephone_tag(router: CmeRouter) -> None:
    ok(router, "ephone 6", 'username "peter" password abc')
    assert router.get_user("peter") == (6, UserType.EPHONE_USER)
    assert router.devices([6])[0].username == "peter"
    assert router.users() == [CmeUser("peter", 6, UserType.EPHONE_USER, "abc")]
    ok(router, "ephone 6", "username mary password xyz")  # replaces peter
    assert router.get_user("peter") == (0, 0)
    assert router.get_user("mary") == (6, 1)
    ok(router, "ephone 6", "no username")
    assert router.get_user("mary") == (0, 0)
    assert router.devices([6])[0].username is None


def test_username_errors(router: CmeRouter) -> None:
    ok(router, "ephone 1", "username peter password abc")
    assert router.exec_cli(["ephone 2", "username peter password x"]) == (
        2,
        " username peter already used by ephone 1",
    )
    assert router.exec_cli(["ephone 2", "username"]) == (2, INCOMPLETE_COMMAND)
    assert router.exec_cli(["ephone 2", "username bob secret x"]) == (2, INVALID_INPUT)
    assert router.exec_cli(["ephone 2", "username bob password"]) == (2, INCOMPLETE_COMMAND)


def test_get_and_update_user(router: CmeRouter) -> None:
    assert router.get_user("peter") == (0, 0)
    assert router.update_user("peter", "abc") == "User peter does not exist"
    ok(router, "ephone 2", "username peter password old")
    assert router.update_user("peter", "new") is None
    assert router.users()[0].password == "new"
    assert ' username "peter" password new' in router.running_config()


def test_passwords_are_not_in_reprs(router: CmeRouter) -> None:
    ok(router, "ephone 1", "username peter password s3cr3t-pw")
    assert "s3cr3t-pw" not in repr(router.users())
    assert "s3cr3t-pw" not in repr(router)
    assert "secret" not in repr(router)


# --------------------------------------------------------------------------- telephony-service


def test_telephony_service_settings(router: CmeRouter) -> None:
    ok(
        router,
        "hostname cme-lab",
        "telephony-service",
        "max-ephones 10",
        "max-dn 20",
        "ip source-address 10.10.10.1 port 2001",
        "voicemail 4089999999",
        "url directories http://10.1.1.1/dir.xml",
        "url services http://10.1.1.1/svc.xml",
        "keepalive 45",
        "max-conferences 4",
        "max-redirect 10",
        "log table max-size 200",
        "log table retain-timer 60",
        "create cnf-files",
    )
    info = router.global_info()
    assert (info.address, info.port) == ("10.10.10.1", 2001)
    assert (info.max_ephones, info.max_dn) == (10, 20)
    assert info.voicemail == "4089999999"
    assert info.url_services == (
        (URL_DIRECTORIES, "http://10.1.1.1/dir.xml"),
        (URL_SERVICES, "http://10.1.1.1/svc.xml"),
    )
    assert (info.keepalive_interval, info.max_conferences, info.max_redirect) == (45, 4, 10)
    assert info.host_name == "cme-lab"
    ok(router, "telephony-service", "url services http://10.1.1.2/svc.xml")
    assert router.global_info().url_services[1] == (URL_SERVICES, "http://10.1.1.2/svc.xml")
    ok(
        router,
        "telephony-service",
        "no ip source-address",
        "no voicemail",
        "no url directories",
        "no keepalive",
        "no max-conferences",
        "no max-redirect",
        "no log table max-size",
        "no log table retain-timer",
        "no hostname",
    )
    info = router.global_info()
    assert (info.address, info.port, info.voicemail) == ("0.0.0.0", 2000, "")
    assert info.url_services == ((URL_SERVICES, "http://10.1.1.2/svc.xml"),)
    assert (info.keepalive_interval, info.max_conferences, info.max_redirect) == (30, 8, 5)
    assert info.host_name == "Router"


def test_source_address_without_port_uses_2000(router: CmeRouter) -> None:
    ok(router, "telephony-service", "ip source-address 192.168.1.1 port 2100")
    ok(router, "telephony-service", "ip source-address 192.168.1.1")
    assert router.global_info().port == 2000


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("max-ephones 0", INVALID_INPUT),
        ("max-ephones 9999", INVALID_INPUT),
        ("max-ephones", INCOMPLETE_COMMAND),
        ("max-dn many", INVALID_INPUT),
        ("ip source-address 10.1.1", INVALID_INPUT),
        ("ip source-address 10.1.1.1 port 80", INVALID_INPUT),
        ("ip source-address", INCOMPLETE_COMMAND),
        ("ip route 10.1.1.1", INVALID_INPUT),
        ("voicemail abc", INVALID_INPUT),
        ("url bogus http://x", INVALID_INPUT),
        ("url services", INCOMPLETE_COMMAND),
        ("log table max-size 1001", INVALID_INPUT),
        ("log table retain-timer 1", INVALID_INPUT),
        ("log table retain-timer 501", INVALID_INPUT),
        ("log table", INCOMPLETE_COMMAND),
        ("log table colour 3", INVALID_INPUT),
        ("create files", INVALID_INPUT),
        ("keepalive 5", INVALID_INPUT),
        ("user-profile 1", INVALID_INPUT),
        ("logout-profile 1", INVALID_INPUT),
    ],
)
def test_telephony_service_errors(router: CmeRouter, line: str, error: str) -> None:
    assert router.exec_cli(["telephony-service", line]) == (2, error)


def test_max_limits_cannot_drop_below_configured_tags(router: CmeRouter) -> None:
    ok(router, "ephone 7", "ephone-dn 9")
    assert router.exec_cli(["telephony-service", "max-ephones 6"]) == (
        2,
        " max-ephones 6 is less than configured ephone 7",
    )
    assert router.exec_cli(["telephony-service", "max-dn 8"]) == (
        2,
        " max-dn 8 is less than configured ephone-dn 9",
    )
    ok(router, "telephony-service", "max-ephones 7", "max-dn 9")


def test_global_info_defaults(clock: FakeClock) -> None:
    info = CmeRouter(clock=clock, host_name="r1", version="4.1").global_info()
    assert info.mode == "ITS"
    assert info.version == "4.1"
    assert info.host_name == "r1"
    assert (info.registered, info.peak_registered, info.peak_registered_time) == (0, 0, 0)
    assert (info.keepalive_interval, info.port, info.max_conferences, info.max_redirect) == (
        30,
        2000,
        8,
        5,
    )
    assert (info.configured_devices, info.configured_extensions) == (0, 0)
    assert (info.address, info.service_engine, info.voicemail) == ("0.0.0.0", "0.0.0.0", "")
    assert info.url_services == ()


# --------------------------------------------------------------------------- registration


def test_register_and_unregister(router: CmeRouter, clock: FakeClock) -> None:
    phone_and_dn(router)
    clock.advance(100)
    router.register(1, "10.10.10.2")
    [phone] = router.devices([1])
    assert (phone.status, phone.last_status) == ("registered", "unregistered")
    assert (phone.change_time, phone.address) == (100, "10.10.10.2")
    [dn] = router.extensions([1])
    assert (dn.status, dn.change_time) == ("up", 100)
    info = router.global_info()
    assert (info.registered, info.peak_registered, info.peak_registered_time) == (1, 1, 100)

    router.tick(1)
    router.tick(1, 20)
    assert router.devices([1])[0].keepalives == 21

    clock.advance(50)
    router.unregister(1)
    [phone] = router.devices([1])
    assert (phone.status, phone.last_status, phone.change_time) == (
        "unregistered",
        "registered",
        150,
    )
    assert router.extensions([1])[0].status == "down"
    info = router.global_info()
    assert (info.registered, info.peak_registered, info.peak_registered_time) == (0, 1, 100)
    router.tick(1)  # keepalives of an unregistered phone are not counted
    assert router.devices([1])[0].keepalives == 0


def test_register_errors(router: CmeRouter) -> None:
    ok(router, "ephone 1")
    with pytest.raises(ValueError, match="no mac-address"):
        router.register(1, "10.1.1.1")
    with pytest.raises(KeyError):
        router.register(2, "10.1.1.1")
    ok(router, "ephone 1", "mac-address 000D.BC80.EB51")
    with pytest.raises(ValueError):
        router.register(1, "not-an-ip")
    with pytest.raises(KeyError):
        router.unregister(9)
    with pytest.raises(KeyError):
        router.tick(9)


def test_registration_logs_device_and_extension_events(router: CmeRouter, clock: FakeClock) -> None:
    phone_and_dn(router, 1, "000D.EDAB.3566")
    phone_and_dn(router, 2, "0012.DA8A.C43D")
    ok(router, "ephone 2", "button 1:2 2:1")  # dn 1 shared by both phones
    clock.advance(10)
    router.register(1, "10.1.1.1")
    router.register(1, "10.1.1.1")  # no change: no event
    clock.advance(10)
    router.register(2, "10.1.1.2")
    clock.advance(10)
    router.unregister(1)  # dn 1 stays up through phone 2
    clock.advance(10)
    router.unregister(2)

    events = router.device_events(names=["all"])
    assert [(e.event_id, e.tag, e.mac, e.time, e.type, e.status) for e in events] == [
        (1, 1, "SEP000DEDAB3566", 10, "Device", "registered"),
        (2, 2, "SEP0012DA8AC43D", 20, "Device", "registered"),
        (3, 1, "SEP000DEDAB3566", 30, "Device", "unregistered"),
        (4, 2, "SEP0012DA8AC43D", 40, "Device", "unregistered"),
    ]
    ext = router.extension_events(numbers=["all"])
    assert [(e.event_id, e.tag, e.number, e.time, e.status) for e in ext] == [
        (1, 1, "2001", 10, "Up"),
        (2, 2, "2002", 20, "Up"),
        (3, 1, "2001", 40, "Down"),
        (4, 2, "2002", 40, "Down"),
    ]
    assert router.event_counts() == (4, 4)

    assert [e.event_id for e in router.device_events(event_ids=[3])] == [3]
    assert [e.event_id for e in router.device_events(tags=[2])] == [2, 4]
    assert [e.event_id for e in router.device_events(names=["SEP000DEDAB3566"])] == [1, 3]
    assert [e.event_id for e in router.device_events([1], [2], [])] == [1, 2, 4]
    assert router.device_events([99], [99], ["SEP000000000000"]) == []
    assert [e.event_id for e in router.extension_events(event_ids=[2])] == [2]
    assert [e.event_id for e in router.extension_events(tags=[1])] == [1, 3]
    assert [e.event_id for e in router.extension_events(numbers=["2002"])] == [2, 4]
    assert router.extension_events([99], [99], ["9999"]) == []


def test_button_change_on_registered_phone_updates_dn_status(router: CmeRouter) -> None:
    phone_and_dn(router)
    ok(router, "ephone-dn 2", "number 2002")
    router.register(1, "10.1.1.1")
    ok(router, "ephone 1", "button 1:2")
    assert [dn.status for dn in router.extensions([1, 2])] == ["down", "up"]
    ok(router, "no ephone 1")  # removing a registered phone unregisters it
    assert router.extensions([2])[0].status == "down"
    assert router.device_events(names=["all"])[-1].status == "unregistered"


def test_mac_change_unregisters_the_phone(router: CmeRouter) -> None:
    phone_and_dn(router)
    router.register(1, "10.1.1.1")
    ok(router, "ephone 1", "mac-address 000D.BC80.EB51")  # same MAC: stays registered
    assert router.devices([1])[0].status == "registered"
    ok(router, "ephone 1", "mac-address 000D.BC80.EB52")
    assert router.devices([1])[0].status == "unregistered"
    router.register(1, "10.1.1.1")
    ok(router, "ephone 1", "no mac-address")
    assert router.devices([1])[0].status == "unregistered"


def test_log_table_max_size_trims_oldest(router: CmeRouter) -> None:
    phone_and_dn(router)
    ok(router, "telephony-service", "log table max-size 3")
    for _ in range(3):
        router.register(1, "10.1.1.1")
        router.unregister(1)
    events = router.device_events(names=["all"])
    assert [e.event_id for e in events] == [4, 5, 6]
    assert [e.event_id for e in router.extension_events(numbers=["all"])] == [4, 5, 6]
    ok(router, "telephony-service", "log table max-size 1")  # shrinking trims at once
    assert router.event_counts() == (1, 1)
    ok(router, "telephony-service", "log table max-size 0")
    router.register(1, "10.1.1.1")
    assert router.event_counts() == (0, 0)


def test_default_log_table_keeps_150_entries(router: CmeRouter) -> None:
    phone_and_dn(router)
    for _ in range(80):
        router.register(1, "10.1.1.1")
        router.unregister(1)
    events = router.device_events(names=["all"])
    assert len(events) == 150
    assert (events[0].event_id, events[-1].event_id) == (11, 160)


def test_log_table_retain_timer_expires_old_events(router: CmeRouter, clock: FakeClock) -> None:
    phone_and_dn(router)
    ok(router, "telephony-service", "log table retain-timer 2")
    router.register(1, "10.1.1.1")
    clock.advance(60)
    router.unregister(1)
    assert router.event_counts() == (2, 2)
    clock.advance(61)  # first events are now 121 s old, past the 2-minute timer
    assert [e.event_id for e in router.device_events(names=["all"])] == [2]
    assert router.event_counts() == (1, 1)


# --------------------------------------------------------------------------- selections


@pytest.fixture
def demo(clock: FakeClock) -> CmeRouter:
    router = CmeRouter(clock=clock)
    router.seed_demo()
    return router


class HasTag(Protocol):
    @property
    def tag(self) -> int: ...


def tags(items: Sequence[HasTag]) -> list[int]:
    return [item.tag for item in items]


def test_seed_demo(demo: CmeRouter) -> None:
    info = demo.global_info()
    assert (info.configured_devices, info.configured_extensions, info.registered) == (3, 4, 2)
    assert demo.get_user("peter") == (1, UserType.EPHONE_USER)
    assert tags(demo.devices(names=["allRegistered"])) == [1, 2]
    assert demo.devices([1])[0].address != "0.0.0.0"
    demo.seed_demo()  # seeding again changes nothing
    assert demo.global_info().configured_devices == 3


def test_seed_demo_refuses_a_clashing_configuration(router: CmeRouter) -> None:
    ok(router, "ephone 9", "mac-address 000D.BC80.EB51")
    with pytest.raises(RuntimeError, match="already used by ephone 9"):
        router.seed_demo()


def test_device_keyword_selections(demo: CmeRouter) -> None:
    assert tags(demo.devices(names=["all"])) == [1, 2, 3]
    assert tags(demo.devices(names=["allTag"])) == [1, 2, 3]
    assert tags(demo.devices(names=["allRegistered"])) == [1, 2]
    assert tags(demo.devices(names=["allUnregistered"])) == [3]
    assert tags(demo.devices(names=["allKeyphone"])) == [2]
    assert tags(demo.devices(names=["SEP000DEDAB3566"])) == [3]
    assert tags(demo.devices(names=["sep000dedab3566"])) == [3]
    assert tags(demo.devices([1], ["SEP0012DA8AC43D", "allKeyphone"])) == [1, 2]
    assert demo.devices([9], ["SEP000000000000", "nonsense"]) == []


def test_extension_keyword_selections(demo: CmeRouter) -> None:
    assert tags(demo.extensions(numbers=["all"])) == [1, 2, 3, 4]
    assert tags(demo.extensions(numbers=["allTag"])) == [1, 2, 3, 4]
    assert tags(demo.extensions(numbers=["allUp"])) == [1, 2, 4]
    assert tags(demo.extensions(numbers=["allDown"])) == [3]
    assert tags(demo.extensions(numbers=["2003"])) == [3]
    assert tags(demo.extensions([1], ["2001", "allDown"])) == [1, 3]
    assert demo.extensions([99], ["9999"]) == []


def test_queries_return_copies(demo: CmeRouter) -> None:
    phone = demo.devices([1])[0]
    phone.buttons.clear()
    phone.status = "unregistered"
    demo.extensions([1])[0].number = "0000"
    demo.users()[0].password = "changed"
    assert demo.devices([1])[0].buttons
    assert demo.devices([1])[0].status == "registered"
    assert demo.extensions([1])[0].number == "2001"
    assert demo.users()[0].password == "cisco"


def test_running_config_round_trips(demo: CmeRouter, clock: FakeClock) -> None:
    demo.update_user("peter", "n3w")
    ok(demo, "ephone 3", "button 1s3 2w1", "ephone-dn 5 octo-line", "telephony-service")
    ok(demo, "telephony-service", "log table max-size 20", "keepalive 60")
    copy = CmeRouter(clock=clock)
    assert copy.exec_cli(demo.running_config()) == (0, "")
    assert copy.running_config() == demo.running_config()
    assert copy.users() == demo.users()


# --------------------------------------------------------------------------- key phones


def test_set_and_unset_keyphones(demo: CmeRouter) -> None:
    assert demo.set_keyphones(["SEP000000000000", "SEP000DEDAB3566"]) == [False, True]
    assert tags(demo.devices(names=["allKeyphone"])) == [2, 3]
    assert demo.unset_keyphones(["SEP0012DA8AC43D", "SEP000DEDAB3566", "bogus"]) == [
        True,
        True,
        False,
    ]
    assert demo.devices(names=["allKeyphone"]) == []
    assert demo.set_keyphones([]) == []


# --------------------------------------------------------------------------- save_config


def test_save_config_states(demo: CmeRouter) -> None:
    assert demo.startup_config() == []
    assert demo.save_config() == "success"
    assert demo.startup_config() == demo.running_config()
    demo.terminal_sessions = 1
    assert demo.save_config() == "delay"
    demo.nvram_full = True
    assert demo.save_config() == "fail"
    demo.terminal_sessions = 0
    assert demo.save_config() == "fail"
    demo.nvram_full = False
    assert demo.save_config() == "success"


# --------------------------------------------------------------------------- credentials


def test_check_credentials(router: CmeRouter) -> None:
    assert router.check_credentials("admin", "secret")
    assert not router.check_credentials("admin", "wrong")
    assert not router.check_credentials("nobody", "secret")
    assert not router.check_credentials("viewer", "view")
    assert router.check_credentials("viewer", "view", privilege_needed=1)
    assert not CmeRouter().check_credentials("admin", "admin")


def test_default_clock_is_monotonic_seconds_since_boot() -> None:
    router = CmeRouter()
    ok(router, "ephone 1")
    assert router.devices([1])[0].change_time == 0


# --------------------------------------------------------------------------- threads


def test_concurrent_exec_cli_is_consistent(clock: FakeClock) -> None:
    router = CmeRouter(clock=clock, max_ephones=240, max_dn=720)
    errors: list[tuple[int, str]] = []
    start = threading.Barrier(8)

    def worker(worker_id: int) -> None:
        start.wait()
        for i in range(20):
            tag = worker_id * 20 + i + 1
            result = router.exec_cli(
                [
                    f"ephone-dn {tag}",
                    f"number {5000 + tag}",
                    f"ephone {tag}",
                    f"mac-address {tag:012X}",
                    f"button 1:{tag}",
                ]
            )
            if result != (0, ""):
                errors.append(result)
            router.register(tag, "10.0.0.1")
            router.devices(names=["allRegistered"])

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(router.devices(names=["all"])) == 160
    assert router.global_info().registered == 160
    assert router.global_info().peak_registered == 160
    assert tags(router.extensions(numbers=["allUp"])) == list(range(1, 161))
    events = router.device_events(names=["all"])
    assert [e.event_id for e in events] == list(range(11, 161))
