"""The 12.x entities of the CME router model: SIP pools and dns, voice hunt groups,
ephone and ephone-dn templates, user profiles and directory entries."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from ucxml.emulator.cme_state import (
    DEFAULT_HUNT_TIMEOUT,
    INCOMPLETE_COMMAND,
    INVALID_INPUT,
    REGISTERED,
    UNREGISTERED,
    ButtonLayout,
    CmeRouter,
    DirectoryEntry,
    EphoneDnTemplate,
    EphoneTemplate,
    HoldAlert,
    PoolLine,
    ProfileNumber,
    SpeedDial,
    UserProfile,
    UserType,
    VoiceHuntGroup,
    VoiceRegisterDn,
    VoiceRegisterPool,
)

PASSWORD = "Plant-Pw-7331"
AFTER = "hostname AFTER"
"""Appended after a failing line: it must not be applied."""

#: Every new command at least once (the guide's 12.x answers' values where it has them).
FULL = [
    "telephony-service",
    " directory entry 2 67890 name first2 last 2",
    " directory entry 1 12345 name first last",
    "ephone-dn-template 1",
    " call-forward all 1234",
    " call-forward busy 3456",
    " call-forward noan 9999 timeout 80",
    " hold-alert 15 idle recurrence 20 ring-silent-dn",
    " pickup-group 1",
    " allow watch",
    " description ephoneDnTemplate",
    "ephone-template 1",
    " softkeys remote-in-use CBarge Newcall",
    " softkeys idle newcall REDIAL",
    " conference add-mode creator",
    " conference drop-mode local",
    " conference admin",
    " keep-conference endcall drop-last",
    " transfer-park blocked",
    " transfer-pattern blocked",
    " mwi-line 2",
    " button-layout 1,9 line",
    " button-layout 4-5,7 speed-dial",
    " privacy-button",
    "ephone-dn 1",
    " number 2001",
    " ephone-dn-template 1",
    "ephone 1",
    " mac-address 000D.BC80.EB51",
    " ephone-template 1",
    " button 1:1",
    "voice register dn 1",
    " number 901",
    " name Henry Mann",
    " label Henry",
    " session-server 1, 2",
    " allow watch",
    " call-forward b2bua all 5454",
    "voice register dn 2",
    " number 902",
    "voice register pool 1",
    " id mac 0013.1978.3ca5",
    " session-server 1",
    " number 2 dn 2",
    " number 1 dn 1",
    " dtmf-relay rtp-nte sip-notify",
    " codec g729r8",
    " max registrations 42",
    " description Henry's desk",
    "voice register pool 2",
    " id mac 001319783CA6",
    " number 1 dn 1",
    "voice hunt-group 1 longest-idle",
    " pilot 200 secondary 20.",
    " list 201, 202",
    " final 299",
    " hops 2",
    " timeout 30",
    "voice hunt-group 2 parallel",
    " pilot 300",
    " list 301,302,*",
    "voice user-profile 1",
    " pin 1234",
    f" user a password {PASSWORD}",
    " max-idle-time 30",
    " privacy-button",
    " number 2003",
    " number 201,202 type overlay",
    ' speed-dial 5 2004 blf label "Two Words"',
    " speed-dial 1 901",
    ' speed-dial 3 2002 label "2002Label"',
    "end",
]


@pytest.fixture
def router() -> CmeRouter:
    return CmeRouter()


@pytest.fixture
def full(router: CmeRouter) -> CmeRouter:
    ok(router, *FULL)
    return router


def ok(router: CmeRouter, *lines: str) -> None:
    assert router.exec_cli(list(lines)) == (0, "")


def snapshot(router: CmeRouter) -> dict[str, Any]:
    """Everything the 12.x queries answer."""
    return {
        "pools": router.pools(),
        "register_dns": router.register_dns(),
        "hunt_groups": router.hunt_groups(),
        "device_templates": router.device_templates(),
        "extension_templates": router.extension_templates(),
        "user_profiles": router.user_profiles(),
        "directory_entries": router.directory_entries(),
        "users": router.users(),
        "ephone_templates": [e.template for e in router.devices(names=["all"])],
        "dn_templates": [d.template for d in router.extensions(numbers=["all"])],
    }


# --------------------------------------------------------------------------- read back


def test_every_command_reads_back(full: CmeRouter) -> None:
    assert full.pools() == [
        VoiceRegisterPool(
            tag=1,
            mac="0013.1978.3CA5",
            description="Henry's desk",
            session_server=1,
            lines=(PoolLine(1, 1, "901"), PoolLine(2, 2, "902")),
            max_registrations=42,
            dtmf_relay=("rtp-nte", "sip-notify"),
            codec="g729r8",
        ),
        VoiceRegisterPool(tag=2, mac="0013.1978.3CA6", lines=(PoolLine(1, 1, "901"),)),
    ]
    assert full.register_dns() == [
        VoiceRegisterDn(
            tag=1,
            number="901",
            first_name="Henry",
            last_name="Mann",
            label="Henry",
            session_servers=(1, 2),
            allow_watch=True,
            call_forward_all="5454",
            pools=(1, 2),
        ),
        VoiceRegisterDn(tag=2, number="902", pools=(1,)),
    ]
    assert full.hunt_groups() == [
        VoiceHuntGroup(
            tag=1,
            type="longest-idle",
            pilot="200",
            secondary_pilot="20.",
            numbers=("201", "202"),
            final="299",
            timeout=30,
            hops=2,
        ),
        VoiceHuntGroup(tag=2, type="parallel", pilot="300", numbers=("301", "302", "*")),
    ]
    assert full.device_templates() == [
        EphoneTemplate(
            tag=1,
            softkeys=(("idle", ("Newcall", "Redial")), ("remote-in-use", ("CBarge", "Newcall"))),
            conference_add_mode="creator",
            conference_drop_mode="local",
            conference_admin=True,
            keep_conference=("drop-last", "endcall"),
            transfer_park_blocked=True,
            transfer_pattern_blocked=True,
            mwi_line=2,
            button_layout=(ButtonLayout("1,9", "line"), ButtonLayout("4-5,7", "speed-dial")),
            privacy_button=True,
        )
    ]
    assert full.extension_templates() == [
        EphoneDnTemplate(
            tag=1,
            call_forward_all="1234",
            call_forward_busy="3456",
            call_forward_noan="9999",
            call_forward_noan_timeout=80,
            hold_alert=HoldAlert(15, "idle", 20, True),
            pickup_group="1",
            allow_watch=True,
            description="ephoneDnTemplate",
        )
    ]
    assert full.user_profiles() == [
        UserProfile(
            tag=1,
            user_id="a",
            password=PASSWORD,
            pin="1234",
            privacy_button=True,
            max_idle_time=30,
            numbers=(ProfileNumber(("2003",)), ProfileNumber(("201", "202"), "overlay")),
            speed_dials=(
                SpeedDial(1, "901"),
                SpeedDial(3, "2002", "2002Label"),
                SpeedDial(5, "2004", "Two Words", blf=True),
            ),
        )
    ]
    assert full.directory_entries() == [
        DirectoryEntry(1, "12345", "first last", "first", "last"),
        DirectoryEntry(2, "67890", "first2 last 2", "first2", "last 2"),
    ]
    assert full.devices([1])[0].template == 1
    assert full.extensions([1])[0].template == 1


def test_user_profile_user_is_a_cme_user(full: CmeRouter) -> None:
    assert full.get_user("a") == (1, UserType.USER_PROFILE_USER)
    assert [(u.user_id, u.tag, u.type) for u in full.users()] == [
        ("a", 1, UserType.USER_PROFILE_USER)
    ]


def test_update_user_changes_the_profile_password(full: CmeRouter) -> None:
    assert full.update_user("a", "Other-Pw-1") is None
    assert full.user_profiles()[0].password == "Other-Pw-1"
    assert " user a password Other-Pw-1" in full.running_config()


def test_hunt_group_peer_tags_and_list_size(full: CmeRouter) -> None:
    first, second = full.hunt_groups()
    assert (first.pilot_peer_tag, first.secondary_peer_tag, first.list_size) == (
        2147483647,
        2147483646,
        2,
    )
    assert (second.pilot_peer_tag, second.secondary_peer_tag, second.list_size) == (
        2147483645,
        -1,
        3,
    )
    ok(full, "voice hunt-group 3 peer")
    assert full.hunt_groups([3])[0].pilot_peer_tag == -1


POOL_DNS = ["voice register dn 1", "voice register dn 2"]

#: (lines, query, expected): spellings and variants beyond FULL.
VARIANTS: list[tuple[str, list[str], Callable[[CmeRouter], object], object]] = [
    (
        "abbreviated keywords",
        ["voice reg pool 1", "dtmf sip-k", "cod g711u", "max reg 5"],
        lambda r: (r.pools()[0].dtmf_relay, r.pools()[0].codec, r.pools()[0].max_registrations),
        (("sip-kpml",), "g711ulaw", 5),
    ),
    (
        "dtmf-relay keeps the first of repeated methods",
        ["voice register pool 1", "dtmf-relay sip-notify rtp-nte sip-notify"],
        lambda r: r.pools()[0].dtmf_relay,
        ("sip-notify", "rtp-nte"),
    ),
    (
        "a later dtmf-relay or codec replaces the earlier one",
        ["voice register pool 1", "dtmf-relay rtp-nte", "dtmf-relay sip-kpml", "codec g711alaw"],
        lambda r: (r.pools()[0].dtmf_relay, r.pools()[0].codec),
        (("sip-kpml",), "g711alaw"),
    ),
    (
        "a line number is replaced",
        [*POOL_DNS, "voice register pool 1", "number 1 dn 1", "number 1 dn 2"],
        lambda r: r.pools()[0].lines,
        (PoolLine(1, 2, None),),
    ),
    (
        "a one-word SIP name has no last name",
        ["voice register dn 1", "name Lobby"],
        lambda r: (r.register_dns()[0].first_name, r.register_dns()[0].last_name),
        ("Lobby", None),
    ),
    (
        "session servers without spaces, repeats dropped",
        ["voice register dn 1", "session-server 3,1,3"],
        lambda r: r.register_dns()[0].session_servers,
        (3, 1),
    ),
    (
        "an existing hunt group is entered without its type",
        ["voice hunt-group 4 peer", "exit", "voice hunt-group 4", "final 6000"],
        lambda r: (r.hunt_groups()[0].type, r.hunt_groups()[0].final),
        ("peer", "6000"),
    ),
    (
        "hunt list of the guide's example, with a wildcard",
        ["voice hunt-group 1 sequential", "list 7711, 7712, 7713, 7714, *"],
        lambda r: r.hunt_groups()[0].numbers,
        ("7711", "7712", "7713", "7714", "*"),
    ),
    (
        "a shorter list drops hops that no longer fit",
        ["voice hunt-group 1 peer", "list 1,2,3", "hops 3", "list 1,2"],
        lambda r: r.hunt_groups()[0].hops,
        None,
    ),
    (
        "default timeout",
        ["voice hunt-group 1 peer"],
        lambda r: r.hunt_groups()[0].timeout,
        DEFAULT_HUNT_TIMEOUT,
    ),
    (
        "plain keep-conference and bare conference modes",
        ["ephone-template 2", "keep-conference", "conference add-mode", "conference drop-mode"],
        lambda r: r.device_templates()[0],
        EphoneTemplate(tag=2, keep_conference=()),
    ),
    (
        "a button set is laid out once, the last type wins",
        ["ephone-template 1", "button-layout 2-3 feature", "button-layout 2-3 url"],
        lambda r: r.device_templates()[0].button_layout,
        (ButtonLayout("2-3", "url"),),
    ),
    (
        "hold-alert of the guide, shared mode",
        ["ephone-dn-template 1", "hold-alert 300 shared"],
        lambda r: r.extension_templates()[0].hold_alert,
        HoldAlert(300, "shared"),
    ),
    (
        "profile line types",
        ["voice user-profile 1", "number 2001 type feature-ring", "number 2002,2003 type cw"],
        lambda r: r.user_profiles()[0].numbers,
        (ProfileNumber(("2001",), "feature-ring"), ProfileNumber(("2002", "2003"), "cw-overlay")),
    ),
    (
        "a profile line is keyed by its first number",
        ["voice user-profile 1", "number 2001", "number 2001 type silent-ring"],
        lambda r: r.user_profiles()[0].numbers,
        (ProfileNumber(("2001",), "silent-ring"),),
    ),
    (
        "a new user replaces the profile's old one",
        ["voice user-profile 2", "user old password x", "user new password y"],
        lambda r: (r.get_user("old"), r.get_user("new"), r.user_profiles()[0].password),
        ((0, 0), (2, 3), "y"),
    ),
    (
        "speed-dial label before blf, one word unquoted",
        ["voice user-profile 1", "speed-dial 2 902 label Desk blf"],
        lambda r: r.user_profiles()[0].speed_dials,
        (SpeedDial(2, "902", "Desk", True),),
    ),
    (
        "a one-word directory name has no last name",
        ["telephony-service", "directory entry 51 4085550123 name Headquarters"],
        lambda r: r.directory_entries(),
        [DirectoryEntry(51, "4085550123", "Headquarters", "Headquarters", None)],
    ),
    (
        "a directory entry is replaced by tag",
        ["telephony-service", "directory entry 1 111 name A", "directory entry 1 222 name B"],
        lambda r: r.directory_entries(),
        [DirectoryEntry(1, "222", "B", "B", None)],
    ),
    (
        "directory entry clear",
        ["telephony-service", "directory entry 1 111 name A", "directory entry clear"],
        lambda r: r.directory_entries(),
        [],
    ),
]


@pytest.mark.parametrize(
    ("lines", "query", "expected"), [v[1:] for v in VARIANTS], ids=[v[0] for v in VARIANTS]
)
def test_variants(
    router: CmeRouter,
    lines: list[str],
    query: Callable[[CmeRouter], object],
    expected: object,
) -> None:
    ok(router, *lines)
    assert query(router) == expected


# --------------------------------------------------------------------------- failures

POOL = ["voice register dn 1", "number 901", "voice register pool 1"]
PEER = ["voice hunt-group 1 peer", "pilot 200"]
PROFILE = ["voice user-profile 1"]
PETER = ["ephone 1", 'username "peter" password cisco']

#: (setup lines, the bad line, the router's answer).  The bad line's number is
#: len(setup) + 1 and AFTER follows it.
FAILURES: list[tuple[str, list[str], str, str]] = [
    ("pool tag 0", [], "voice register pool 0", INVALID_INPUT),
    ("pool tag 101", [], "voice register pool 101", INVALID_INPUT),
    ("voice register alone", [], "voice register", INCOMPLETE_COMMAND),
    ("voice register global is not modeled", [], "voice register global", INVALID_INPUT),
    ("voice service is not modeled", [], "voice service voip", INVALID_INPUT),
    ("id mac with SEP", POOL, "id mac SEP001319783CA5", INVALID_INPUT),
    ("id mac too short", POOL, "id mac 0013.1978", INVALID_INPUT),
    ("id without mac", POOL, "id", INCOMPLETE_COMMAND),
    ("id network is SRST", POOL, "id network 10.0.0.0", INVALID_INPUT),
    (
        "mac of another pool",
        ["voice register pool 1", "id mac 0013.1978.3CA5", "voice register pool 2"],
        "id mac 0013.1978.3ca5",
        " id mac 0013.1978.3CA5 already used by voice register pool 1",
    ),
    ("line to a missing dn", POOL, "number 1 dn 9", " voice register dn 9 is not configured"),
    ("SRST number pattern", POOL, "number 1 2001", INVALID_INPUT),
    ("line 115", POOL, "number 115 dn 1", INVALID_INPUT),
    ("line without dn", POOL, "number 1", INCOMPLETE_COMMAND),
    ("codec g723", POOL, "codec g723", INVALID_INPUT),
    ("ambiguous codec", POOL, "codec g711", '% Ambiguous command:  "g711"'),
    ("dtmf-relay inband", POOL, "dtmf-relay inband", INVALID_INPUT),
    ("dtmf-relay alone", POOL, "dtmf-relay", INCOMPLETE_COMMAND),
    ("max registrations 0", POOL, "max registrations 0", INVALID_INPUT),
    ("max registrations 101", POOL, "max registrations 101", INVALID_INPUT),
    ("max registrations alone", POOL, "max registrations", INCOMPLETE_COMMAND),
    ("max calls", POOL, "max calls 3", INVALID_INPUT),
    ("pool session-server 0", POOL, "session-server 0", INVALID_INPUT),
    ("description alone", POOL, "description", INCOMPLETE_COMMAND),
    ("dn tag 151", [], "voice register dn 151", INVALID_INPUT),
    (
        "dn number of another dn",
        ["voice register dn 1", "number 901", "voice register dn 2"],
        "number 901",
        " number 901 already used by voice register dn 1",
    ),
    ("dn number with letters", ["voice register dn 1"], "number 90A", INVALID_INPUT),
    ("dn name with a quote", ["voice register dn 1"], 'name "Henry"', INVALID_INPUT),
    ("dn name with an ampersand", ["voice register dn 1"], "name Sales & Co", INVALID_INPUT),
    ("dn label of 31 characters", ["voice register dn 1"], "label " + "x" * 31, INVALID_INPUT),
    ("dn empty session server", ["voice register dn 1"], "session-server 1,,2", INVALID_INPUT),
    ("dn session server 241", ["voice register dn 1"], "session-server 1,241", INVALID_INPUT),
    ("allow everything", ["voice register dn 1"], "allow everything", INVALID_INPUT),
    ("b2bua busy", ["voice register dn 1"], "call-forward b2bua busy 5000", INVALID_INPUT),
    ("b2bua without target", ["voice register dn 1"], "call-forward b2bua all", INCOMPLETE_COMMAND),
    ("new hunt group without type", [], "voice hunt-group 1", INCOMPLETE_COMMAND),
    ("hunt group of unknown type", [], "voice hunt-group 1 random", INVALID_INPUT),
    ("hunt tag 101", [], "voice hunt-group 101 peer", INVALID_INPUT),
    (
        "hunt type change",
        PEER,
        "voice hunt-group 1 sequential",
        " voice hunt-group 1 is already configured as peer",
    ),
    ("hunt list of one", PEER, "list 201", INCOMPLETE_COMMAND),
    ("hunt list of 33", PEER, "list " + ",".join(str(n) for n in range(33)), INVALID_INPUT),
    ("hunt list with letters", PEER, "list 201,abc", INVALID_INPUT),
    ("hops 11", PEER, "hops 11", INVALID_INPUT),
    ("hops 1", PEER, "hops 1", INVALID_INPUT),
    ("hops over the list", [*PEER, "list 201,202"], "hops 3", " hops 3 exceeds the 2 list numbers"),
    ("hops in a sequential group", ["voice hunt-group 1 sequential"], "hops 2", INVALID_INPUT),
    ("hunt timeout 2", PEER, "timeout 2", INVALID_INPUT),
    ("hunt final with letters", PEER, "final abc", INVALID_INPUT),
    (
        "pilot of another group",
        [*PEER, "voice hunt-group 2 sequential"],
        "pilot 200",
        " pilot 200 already used by voice hunt-group 1",
    ),
    ("pilot secondary missing", PEER, "pilot 200 secondary", INCOMPLETE_COMMAND),
    ("ephone-template 21", [], "ephone-template 21", INVALID_INPUT),
    ("Hold is not an idle soft key", ["ephone-template 1"], "softkeys idle Hold", INVALID_INPUT),
    ("softkeys without keys", ["ephone-template 1"], "softkeys idle", INCOMPLETE_COMMAND),
    ("softkeys of no state", ["ephone-template 1"], "softkeys busy Dnd", INVALID_INPUT),
    ("conference drop-mode all", ["ephone-template 1"], "conference drop-mode all", INVALID_INPUT),
    ("conference alone", ["ephone-template 1"], "conference", INCOMPLETE_COMMAND),
    ("keep-conference forever", ["ephone-template 1"], "keep-conference forever", INVALID_INPUT),
    ("transfer-park open", ["ephone-template 1"], "transfer-park open", INVALID_INPUT),
    ("mwi-line 49", ["ephone-template 1"], "mwi-line 49", INVALID_INPUT),
    ("button-layout 0", ["ephone-template 1"], "button-layout 0 line", INVALID_INPUT),
    ("button-layout 5-3", ["ephone-template 1"], "button-layout 5-3 line", INVALID_INPUT),
    ("button-layout knob", ["ephone-template 1"], "button-layout 1 knob", INVALID_INPUT),
    ("button-layout without type", ["ephone-template 1"], "button-layout 1", INCOMPLETE_COMMAND),
    (
        "ephone applies a missing template",
        ["ephone-template 1", "ephone 1"],
        "ephone-template 2",
        " ephone-template 2 is not configured",
    ),
    ("ephone-dn-template 16", [], "ephone-dn-template 16", INVALID_INPUT),
    ("hold-alert 10", ["ephone-dn-template 1"], "hold-alert 10 idle", INVALID_INPUT),
    ("hold-alert sometimes", ["ephone-dn-template 1"], "hold-alert 30 sometimes", INVALID_INPUT),
    (
        "hold-alert recurrence 1",
        ["ephone-dn-template 1"],
        "hold-alert 30 idle recurrence 1",
        INVALID_INPUT,
    ),
    (
        "noan without timeout",
        ["ephone-dn-template 1"],
        "call-forward noan 9999",
        INCOMPLETE_COMMAND,
    ),
    ("noan timeout 2", ["ephone-dn-template 1"], "call-forward noan 9999 timeout 2", INVALID_INPUT),
    ("call-forward night", ["ephone-dn-template 1"], "call-forward night 1", INVALID_INPUT),
    ("pickup-group abc", ["ephone-dn-template 1"], "pickup-group abc", INVALID_INPUT),
    (
        "ephone-dn applies a missing template",
        ["ephone-dn 1"],
        "ephone-dn-template 3",
        " ephone-dn-template 3 is not configured",
    ),
    ("profile tag over 3 x max-ephones", [], "voice user-profile 145", INVALID_INPUT),
    ("user without password", PROFILE, "user a", INCOMPLETE_COMMAND),
    ("user with secret keyword", PROFILE, "user a secret b", INVALID_INPUT),
    ("user name of 16 characters", PROFILE, "user abcdefghijklmnop password x", INVALID_INPUT),
    (
        "user of an ephone",
        [*PETER, *PROFILE],
        "user peter password x",
        " user peter already used by ephone 1",
    ),
    (
        "user of another profile",
        ["voice user-profile 2", "user a password x", *PROFILE],
        "user a password y",
        " user a already used by voice user-profile 2",
    ),
    (
        "ephone username of a profile",
        [*PROFILE, "user susan password x", "ephone 1"],
        'username "susan" password y',
        " username susan already used by voice user-profile 1",
    ),
    (
        "ephone username of a profile with the ephone's tag",
        [*PROFILE, "user susan password x", "ephone 1"],
        "username susan",
        " username susan already used by voice user-profile 1",
    ),
    ("pin of letters", PROFILE, "pin abcd", INVALID_INPUT),
    ("pin of 3 digits", PROFILE, "pin 123", INVALID_INPUT),
    ("max-idle-time 10000", PROFILE, "max-idle-time 10000", INVALID_INPUT),
    ("several numbers on a normal line", PROFILE, "number 2001,2002", INVALID_INPUT),
    ("several numbers on a beep line", PROFILE, "number 2001,2002 type beep-ring", INVALID_INPUT),
    ("line type loud", PROFILE, "number 2001 type loud", INVALID_INPUT),
    ("line type missing", PROFILE, "number 2001 type", INCOMPLETE_COMMAND),
    ("speed-dial 34", PROFILE, "speed-dial 34 2001", INVALID_INPUT),
    ("speed-dial without number", PROFILE, "speed-dial 1", INCOMPLETE_COMMAND),
    (
        "speed-dial unterminated label",
        PROFILE,
        'speed-dial 1 2001 label "Front desk',
        INVALID_INPUT,
    ),
    ("speed-dial label missing", PROFILE, "speed-dial 1 2001 label", INCOMPLETE_COMMAND),
    ("speed-dial option", PROFILE, "speed-dial 1 2001 loud", INVALID_INPUT),
    ("directory tag 251", ["telephony-service"], "directory entry 251 1 name A", INVALID_INPUT),
    (
        "directory name of 25",
        ["telephony-service"],
        "directory entry 1 1 name " + "n" * 25,
        INVALID_INPUT,
    ),
    (
        "directory name quoted",
        ["telephony-service"],
        'directory entry 1 1 name "A B"',
        INVALID_INPUT,
    ),
    (
        "directory without name",
        ["telephony-service"],
        "directory entry 1 12345",
        INCOMPLETE_COMMAND,
    ),
    (
        "directory number with letters",
        ["telephony-service"],
        "directory entry 1 12a45 name x",
        INVALID_INPUT,
    ),
    (
        "directory first-name-first",
        ["telephony-service"],
        "directory first-name-first",
        INVALID_INPUT,
    ),
    (
        "max-ephones below a profile tag",
        ["voice user-profile 60", "telephony-service"],
        "max-ephones 19",
        " max-ephones 19 is too low for voice user-profile 60",
    ),
]


@pytest.mark.parametrize(
    ("setup", "bad", "error"), [f[1:] for f in FAILURES], ids=[f[0] for f in FAILURES]
)
def test_a_bad_line_answers_its_number_and_stops(
    router: CmeRouter, setup: list[str], bad: str, error: str
) -> None:
    assert router.exec_cli([*setup, bad, AFTER]) == (len(setup) + 1, error)
    assert router.running_config()[0] == "hostname Router"


def test_lines_before_the_bad_one_stay_applied(router: CmeRouter) -> None:
    result = router.exec_cli(
        ["voice register pool 1", "codec g711ulaw", "max registrations 7", "codec bogus", AFTER]
    )
    assert result == (4, INVALID_INPUT)
    [pool] = router.pools()
    assert (pool.codec, pool.max_registrations) == ("g711ulaw", 7)


def test_a_failed_user_line_keeps_the_old_user(router: CmeRouter) -> None:
    ok(router, *PETER, *PROFILE, "user a password x")
    assert router.exec_cli([*PROFILE, "user peter password y"])[0] == 2
    assert router.get_user("a") == (1, UserType.USER_PROFILE_USER)
    assert router.get_user("peter") == (1, UserType.EPHONE_USER)


# --------------------------------------------------------------------------- modes


def test_full_global_words_leave_a_mode_that_abbreviates_them(router: CmeRouter) -> None:
    ok(router, "ephone-template 1", "ephone-dn-template 1", "ephone-dn 1", "ephone-dn 2")
    # "ephone 2" in ephone mode enters ephone 2 (not ephone-template 2).
    ok(router, "ephone 1", "ephone 2", "ephone-t 1")
    assert [(e.tag, e.template) for e in router.devices(names=["all"])] == [(1, None), (2, 1)]
    # "no ephone-dn 2" in ephone-dn mode removes dn 2 (not this dn's template).
    ok(router, "ephone-dn 1", "ephone-dn-template 1", "no ephone-dn 2")
    assert [(d.tag, d.template) for d in router.extensions(numbers=["all"])] == [(1, 1)]


def test_voice_modes_switch_without_exit(router: CmeRouter) -> None:
    ok(
        router,
        "voice register dn 1",
        "number 901",
        "voice register pool 1",
        "number 1 dn 1",
        "voice hunt-group 1 peer",
        "list 1,2",
        "voice user-profile 1",
        "pin 1234",
        "telephony-service",
        "directory entry 1 1 name A",
    )
    assert len(snapshot(router)["pools"]) == len(router.directory_entries()) == 1
    assert router.user_profiles()[0].pin == "1234"


def test_mode_commands_need_their_mode(router: CmeRouter) -> None:
    ok(router, "voice register pool 1")
    assert router.exec_cli(["codec g711ulaw"]) == (1, INVALID_INPUT)
    assert router.exec_cli(["ephone-template 1", "codec g711ulaw"]) == (2, INVALID_INPUT)


# --------------------------------------------------------------------------- no forms

#: (no lines applied after FULL, query, expected afterwards).
NO_FORMS: list[tuple[str, list[str], Callable[[CmeRouter], object], object]] = [
    (
        "no voice register pool",
        ["no voice register pool 2"],
        lambda r: [p.tag for p in r.pools()],
        [1],
    ),
    (
        "no voice register dn drops the pool lines",
        ["no voice register dn 1"],
        lambda r: ([d.tag for d in r.register_dns()], [p.lines for p in r.pools()]),
        ([2], [(PoolLine(2, 2, "902"),), ()]),
    ),
    ("pool no id mac", ["voice register pool 1", "no id mac"], lambda r: r.pools()[0].mac, None),
    (
        "pool no number",
        ["voice register pool 1", "no number 1 dn 1"],
        lambda r: r.pools()[0].lines,
        (PoolLine(2, 2, "902"),),
    ),
    (
        "pool no session-server",
        ["voice register pool 1", "no session-server"],
        lambda r: r.pools()[0].session_server,
        None,
    ),
    (
        "pool no dtmf-relay",
        ["voice register pool 1", "no dtmf-relay"],
        lambda r: r.pools()[0].dtmf_relay,
        (),
    ),
    ("pool no codec", ["voice register pool 1", "no codec"], lambda r: r.pools()[0].codec, None),
    (
        "pool no max registrations",
        ["voice register pool 1", "no max registrations"],
        lambda r: r.pools()[0].max_registrations,
        None,
    ),
    (
        "pool no description",
        ["voice register pool 1", "no description"],
        lambda r: r.pools()[0].description,
        None,
    ),
    (
        "dn no number",
        ["voice register dn 1", "no number"],
        lambda r: r.register_dns()[0].number,
        None,
    ),
    (
        "dn no name",
        ["voice register dn 1", "no name"],
        lambda r: (r.register_dns()[0].first_name, r.register_dns()[0].last_name),
        (None, None),
    ),
    ("dn no label", ["voice register dn 1", "no label"], lambda r: r.register_dns()[0].label, None),
    (
        "dn no session-server",
        ["voice register dn 1", "no session-server"],
        lambda r: r.register_dns()[0].session_servers,
        (),
    ),
    (
        "dn no allow watch",
        ["voice register dn 1", "no allow watch"],
        lambda r: r.register_dns()[0].allow_watch,
        False,
    ),
    (
        "dn no call-forward b2bua all",
        ["voice register dn 1", "no call-forward b2bua all"],
        lambda r: r.register_dns()[0].call_forward_all,
        None,
    ),
    (
        "no voice hunt-group",
        ["no voice hunt-group 1"],
        lambda r: [g.tag for g in r.hunt_groups()],
        [2],
    ),
    (
        "hunt no pilot",
        ["voice hunt-group 1", "no pilot"],
        lambda r: (r.hunt_groups()[0].pilot, r.hunt_groups()[0].secondary_pilot),
        (None, None),
    ),
    ("hunt no list", ["voice hunt-group 1", "no list"], lambda r: r.hunt_groups()[0].numbers, ()),
    ("hunt no final", ["voice hunt-group 1", "no final"], lambda r: r.hunt_groups()[0].final, None),
    (
        "hunt no timeout",
        ["voice hunt-group 1", "no timeout"],
        lambda r: r.hunt_groups()[0].timeout,
        DEFAULT_HUNT_TIMEOUT,
    ),
    ("hunt no hops", ["voice hunt-group 1", "no hops"], lambda r: r.hunt_groups()[0].hops, None),
    (
        "no ephone-template detaches the ephone",
        ["no ephone-template 1"],
        lambda r: (r.device_templates(), r.devices([1])[0].template),
        ([], None),
    ),
    (
        "ephone no ephone-template",
        ["ephone 1", "no ephone-template"],
        lambda r: r.devices([1])[0].template,
        None,
    ),
    (
        "template no softkeys",
        ["ephone-template 1", "no softkeys idle"],
        lambda r: r.device_templates()[0].softkeys,
        (("remote-in-use", ("CBarge", "Newcall")),),
    ),
    (
        "template no conference",
        [
            "ephone-template 1",
            "no conference add-mode",
            "no conference drop-mode",
            "no conference admin",
        ],
        lambda r: (
            r.device_templates()[0].conference_add_mode,
            r.device_templates()[0].conference_drop_mode,
            r.device_templates()[0].conference_admin,
        ),
        (None, None, False),
    ),
    (
        "template no keep-conference",
        ["ephone-template 1", "no keep-conference"],
        lambda r: r.device_templates()[0].keep_conference,
        None,
    ),
    (
        "template no transfer blocks",
        ["ephone-template 1", "no transfer-park blocked", "no transfer-pattern blocked"],
        lambda r: (
            r.device_templates()[0].transfer_park_blocked,
            r.device_templates()[0].transfer_pattern_blocked,
        ),
        (False, False),
    ),
    (
        "template no mwi-line",
        ["ephone-template 1", "no mwi-line"],
        lambda r: r.device_templates()[0].mwi_line,
        None,
    ),
    (
        "template no button-layout of one set",
        ["ephone-template 1", "no button-layout 1,9 line"],
        lambda r: r.device_templates()[0].button_layout,
        (ButtonLayout("4-5,7", "speed-dial"),),
    ),
    (
        "template no button-layout at all",
        ["ephone-template 1", "no button-layout"],
        lambda r: r.device_templates()[0].button_layout,
        (),
    ),
    (
        "template no privacy-button",
        ["ephone-template 1", "no privacy-button"],
        lambda r: r.device_templates()[0].privacy_button,
        False,
    ),
    (
        "no ephone-dn-template detaches the dn",
        ["no ephone-dn-template 1"],
        lambda r: (r.extension_templates(), r.extensions([1])[0].template),
        ([], None),
    ),
    (
        "ephone-dn no ephone-dn-template",
        ["ephone-dn 1", "no ephone-dn-template"],
        lambda r: r.extensions([1])[0].template,
        None,
    ),
    (
        "dn template no call-forward",
        [
            "ephone-dn-template 1",
            "no call-forward all",
            "no call-forward busy",
            "no call-forward noan",
        ],
        lambda r: dataclasses.astuple(r.extension_templates()[0])[1:5],
        (None, None, None, None),
    ),
    (
        "dn template no hold-alert",
        ["ephone-dn-template 1", "no hold-alert"],
        lambda r: r.extension_templates()[0].hold_alert,
        None,
    ),
    (
        "dn template no pickup-group",
        ["ephone-dn-template 1", "no pickup-group"],
        lambda r: r.extension_templates()[0].pickup_group,
        None,
    ),
    (
        "dn template no allow watch",
        ["ephone-dn-template 1", "no allow watch"],
        lambda r: r.extension_templates()[0].allow_watch,
        False,
    ),
    (
        "dn template no description",
        ["ephone-dn-template 1", "no description"],
        lambda r: r.extension_templates()[0].description,
        None,
    ),
    (
        "no voice user-profile drops its user",
        ["no voice user-profile 1"],
        lambda r: (r.user_profiles(), r.get_user("a"), r.users()),
        ([], (0, 0), []),
    ),
    (
        "profile no user",
        ["voice user-profile 1", f"no user a password {PASSWORD}"],
        lambda r: (r.user_profiles()[0].user_id, r.user_profiles()[0].password, r.get_user("a")),
        (None, "", (0, 0)),
    ),
    (
        "profile no number",
        ["voice user-profile 1", "no number 201,202 type overlay"],
        lambda r: r.user_profiles()[0].numbers,
        (ProfileNumber(("2003",)),),
    ),
    (
        "profile no speed-dial",
        ["voice user-profile 1", "no speed-dial 3"],
        lambda r: [d.index for d in r.user_profiles()[0].speed_dials],
        [1, 5],
    ),
    (
        "profile no pin",
        ["voice user-profile 1", "no pin"],
        lambda r: r.user_profiles()[0].pin,
        None,
    ),
    (
        "profile no privacy-button",
        ["voice user-profile 1", "no privacy-button"],
        lambda r: r.user_profiles()[0].privacy_button,
        False,
    ),
    (
        "profile no max-idle-time",
        ["voice user-profile 1", "no max-idle-time"],
        lambda r: r.user_profiles()[0].max_idle_time,
        None,
    ),
    (
        "no directory entry",
        ["telephony-service", "no directory entry 1"],
        lambda r: [e.tag for e in r.directory_entries()],
        [2],
    ),
    (
        "no directory entry clear",
        ["telephony-service", "no directory entry clear"],
        lambda r: r.directory_entries(),
        [],
    ),
]


@pytest.mark.parametrize(
    ("lines", "query", "expected"), [n[1:] for n in NO_FORMS], ids=[n[0] for n in NO_FORMS]
)
def test_no_forms_remove(
    full: CmeRouter,
    lines: list[str],
    query: Callable[[CmeRouter], object],
    expected: object,
) -> None:
    assert query(full) != expected  # FULL configures what the no form removes
    ok(full, *lines)
    assert query(full) == expected


def test_removing_a_missing_entity_is_accepted(router: CmeRouter) -> None:
    ok(
        router,
        "no voice register pool 5",
        "no voice register dn 5",
        "no voice hunt-group 5",
        "no voice user-profile 5",
        "no ephone-template 5",
        "no ephone-dn-template 5",
        "telephony-service",
        "no directory entry 5",
    )
    assert all(not value for value in snapshot(router).values())


# --------------------------------------------------------------------------- rendering


def test_render_and_reapply_gives_equal_state(full: CmeRouter) -> None:
    full.register_pool(1, "10.1.1.9")
    copy = CmeRouter()
    assert copy.exec_cli(full.running_config()) == (0, "")
    assert copy.running_config() == full.running_config()
    expected = snapshot(full)
    expected["pools"] = [
        dataclasses.replace(p, status=UNREGISTERED, address="0.0.0.0") for p in expected["pools"]
    ]
    assert snapshot(copy) == expected


def test_rendered_blocks(full: CmeRouter) -> None:
    config = full.running_config()
    pool = config.index("voice register pool 1")
    assert config[pool : pool + 9] == [
        "voice register pool 1",
        " id mac 0013.1978.3CA5",
        " session-server 1",
        " number 1 dn 1",
        " number 2 dn 2",
        " dtmf-relay rtp-nte sip-notify",
        " codec g729r8",
        " max registrations 42",
        " description Henry's desk",
    ]
    assert " directory entry 1 12345 name first last" in config
    assert " hold-alert 15 idle recurrence 20 ring-silent-dn" in config
    assert " keep-conference drop-last endcall" in config
    assert ' speed-dial 5 2004 blf label "Two Words"' in config
    assert " session-server 1,2" in config
    # Templates come before the ephones and dns that apply them.
    assert config.index("ephone-dn-template 1") < config.index("ephone-dn 1")
    assert config.index("ephone-template 1") < config.index("ephone 1")


# --------------------------------------------------------------------------- secrets


def test_profile_password_never_in_a_repr(full: CmeRouter) -> None:
    [profile] = full.user_profiles()
    assert profile.password == PASSWORD
    texts = [repr(full), str(full)]
    texts += [repr(value) for value in snapshot(full).values()]
    texts += [str(value) for value in snapshot(full).values()]
    texts += [repr(profile), str(profile), repr(full.users()[0])]
    assert "password='********'" in repr(profile)
    assert "pin='****'" in repr(profile)
    assert "1234" not in repr(profile)  # the PIN is masked too
    for text in texts:
        assert PASSWORD not in text


def test_profile_password_is_rendered_in_clear_only_on_its_user_line(full: CmeRouter) -> None:
    # IOS prints ``user NAME password PW`` in clear in show running-config; so does the model.
    config = full.running_config()
    assert [line for line in config if PASSWORD in line] == [f" user a password {PASSWORD}"]


def test_errors_never_carry_the_password(full: CmeRouter) -> None:
    line, error = full.exec_cli(["voice user-profile 2", f"user a password {PASSWORD}"])
    assert (line, error) == (2, " user a already used by voice user-profile 1")
    _, error = full.exec_cli(["voice user-profile 2", f"user a password {PASSWORD} extra"])
    assert error == INVALID_INPUT


# --------------------------------------------------------------------------- queries


def test_selectors_pick_tags_and_empty_means_all(full: CmeRouter) -> None:
    assert [p.tag for p in full.pools([2, 9])] == [2]
    assert [d.tag for d in full.register_dns([2])] == [2]
    assert [g.tag for g in full.hunt_groups([2, 1])] == [1, 2]
    assert full.device_templates([2]) == []
    assert full.extension_templates([1]) == full.extension_templates()
    assert full.user_profiles([9]) == []
    assert [e.tag for e in full.directory_entries([2])] == [2]
    assert [e.tag for e in full.directory_entries()] == [1, 2]


def test_queries_return_frozen_copies(full: CmeRouter) -> None:
    pools = full.pools()
    pools.clear()
    assert full.pools()
    with pytest.raises(dataclasses.FrozenInstanceError):
        full.pools()[0].codec = "g711ulaw"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        full.user_profiles()[0].password = "x"  # type: ignore[misc]
    full.users()[0].password = "changed"
    assert full.user_profiles()[0].password == PASSWORD


def test_pool_registration(full: CmeRouter) -> None:
    full.register_pool(1, "10.1.1.9")
    [pool] = full.pools([1])
    assert (pool.status, pool.address) == (REGISTERED, "10.1.1.9")
    ok(full, "voice register pool 1", "id mac 0013.1978.3CA9")  # a new phone: re-register
    assert full.pools([1])[0].status == UNREGISTERED
    full.register_pool(1, "10.1.1.9")
    full.unregister_pool(1)
    assert full.pools([1])[0].status == UNREGISTERED
    ok(full, "voice register pool 3")
    with pytest.raises(ValueError, match="no id mac"):
        full.register_pool(3, "10.1.1.10")
    with pytest.raises(ValueError):
        full.register_pool(1, "not-an-ip")
    with pytest.raises(KeyError):
        full.register_pool(9, "10.1.1.10")
    with pytest.raises(KeyError):
        full.unregister_pool(9)


def test_seed_demo_has_one_of_each(router: CmeRouter) -> None:
    router.seed_demo()
    counts = {name: len(value) for name, value in snapshot(router).items() if name != "users"}
    assert all(counts.values()), counts
    assert router.get_user("susan") == (1, UserType.USER_PROFILE_USER)
    assert router.get_user("peter") == (1, UserType.EPHONE_USER)
    assert router.pools()[0].status == REGISTERED
    before = snapshot(router)
    router.seed_demo()
    assert snapshot(router) == before
