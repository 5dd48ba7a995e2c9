"""The in-memory EPAS service: sessions, every operation, the guide's texts, expiry, locking."""

from __future__ import annotations

import itertools
import threading
from decimal import Decimal

import pytest

from ucxml.emulator.cup_state import (
    ALL_CONFIG_PARTS,
    CONTACT_DOES_NOT_EXIST,
    DEFAULT_GROUP,
    DEFAULT_SESSION_TIMEOUT,
    DEMO_CUP_DIALING_RULES,
    DEMO_CUP_GUIDE_PASSWORD,
    DEMO_CUP_GUIDE_USER,
    DEMO_CUP_PASSWORD,
    DEMO_CUP_RULE,
    DEMO_CUP_SYSTEM_CONFIG,
    DEMO_CUP_USER,
    DEMO_CUP_USERS,
    FAILED,
    GROUP_DOES_NOT_EXIST,
    INVALID_POLICY_NAME,
    MAX_RECENT_COMM,
    SESSION_ALREADY_ESTABLISHED,
    STATUS_INVALID_PROPERTY,
    STATUS_OK,
    SUCCEEDED,
    WRONG_CREDENTIALS,
    AclResult,
    Contact,
    ContactGroup,
    ContactSpec,
    CupFailure,
    CupSession,
    DialingRule,
    EpasService,
    GroupChange,
    GroupSpec,
    InvalidSession,
    ItemStatus,
    Licensing,
    PresenceRule,
    Property,
    PropertyStatus,
    PublishedStatus,
    RecentComm,
    SystemProperty,
)

D = Decimal
PASSWORDS = dict(DEMO_CUP_USERS)


class FakeClock:
    """A settable wall clock (seconds since the epoch)."""

    def __init__(self) -> None:
        self.value = 1_700_000_000.0

    def __call__(self) -> float:
        return self.value


class Keys:
    """Predictable session keys: key-1, key-2, ..."""

    def __init__(self) -> None:
        self.count = itertools.count(1)

    def __call__(self) -> str:
        return f"key-{next(self.count)}"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def cup(clock: FakeClock) -> EpasService:
    service = EpasService(clock=clock, session_timeout=600.0, key_factory=Keys())
    service.seed_demo()
    return service


def login(cup: EpasService, user: str = DEMO_CUP_USER) -> str:
    session = cup.login(user, PASSWORDS[user])
    assert isinstance(session, CupSession)
    return session.key


@pytest.fixture
def key(cup: EpasService) -> str:
    return login(cup)


def fresh(cup: EpasService, name: str = "alice") -> str:
    """Add an empty user and log it in."""
    cup.add_user(name, "pw")
    session = cup.login(name, "pw")
    assert isinstance(session, CupSession)
    return session.key


# --------------------------------------------------------------------------- seeding


def test_seed_demo_users_and_shared_config(cup: EpasService) -> None:
    assert cup.users() == [
        "soapuser1",
        "soapuser2",
        "soapuser3",
        "soapuser4",
        "soapuser5",
        "xmzhou",
    ]
    assert PASSWORDS[DEMO_CUP_USER] == DEMO_CUP_PASSWORD
    assert PASSWORDS[DEMO_CUP_GUIDE_USER] == DEMO_CUP_GUIDE_PASSWORD == "12345"
    system = cup.system_config()
    assert len(system) == len(DEMO_CUP_SYSTEM_CONFIG) == 79
    assert system[0] == SystemProperty("Directory.Map.userid", "uid")
    assert SystemProperty("Presence.Domain", "cisco.com") in system
    assert SystemProperty("Directory.AnonymousBind", "FALSE") in system
    assert cup.dialing_rules() == list(DEMO_CUP_DIALING_RULES)
    assert cup.dialing_rules()[1] == DialingRule(
        2, "Directory dialing rule", "Directory dialing rule", 1, "97876", 2, 2, "98"
    )
    assert cup.sessions() == []


def test_seed_demo_owner_matches_the_guide(cup: EpasService) -> None:
    owner = cup.user(DEMO_CUP_USER)
    assert [(g.name, g.index) for g in owner.contact_list] == [
        ("", D("-200")),
        ("work", D("1000.9")),
        ("new customers", D("2000.9")),
    ]
    assert owner.contact_list[0].contacts == (
        Contact("soapuser1", D("-33.3"), "", True),
        Contact("soapuser4", D("1"), "what", False),
        Contact("soapuser5", D("32"), "dave", False),
        Contact("soapuser3", D("33"), "", False),
    )
    assert [c.persona_id for c in owner.contact_list[1].contacts] == [
        "soapuser5",
        "soapuser2",
        "soapuser3",
        "soapuser4",
    ]
    assert owner.user_config == (Property("CallControl.Lineid", "", False),)
    assert [r.name for r in owner.presence_rules] == ["noACL_rule", DEMO_CUP_RULE]
    assert owner.acls[1].watchers == ("soapuser2", "soapuser3", "soapuser4", "soapuser5")
    assert owner.licensing == Licensing(base=True, im=True, audio=False, video=False)
    assert owner.calendaring is True
    assert [r.timestamp for r in owner.recent_comm] == ["2007-03-24", "2006-03-24", "2005-03-22"]
    assert owner.recent_comm[0].data == {"what": "this is another record"}
    assert owner.published is None
    other = cup.user("soapuser2")
    assert other.contact_list == (ContactGroup("", D(0)),)
    assert other.licensing == Licensing()
    assert other.calendaring is False


def test_seed_demo_twice_fails(cup: EpasService) -> None:
    with pytest.raises(ValueError, match="already exists"):
        cup.seed_demo()


def test_configuration_checks(cup: EpasService) -> None:
    with pytest.raises(ValueError, match="empty"):
        cup.add_user("", "pw")
    with pytest.raises(ValueError, match="positive"):
        EpasService(session_timeout=0)
    with pytest.raises(KeyError):
        cup.user("nobody")
    with pytest.raises(KeyError):
        cup.set_licensing("nobody", Licensing())
    with pytest.raises(ValueError, match="empty"):
        cup.set_system_property("")
    assert repr(cup) == "EpasService(users=6, sessions=0, session_timeout=600.0)"


# --------------------------------------------------------------------------- sessions


def test_login_answers_a_uuid4_key_by_default() -> None:
    cup = EpasService()
    cup.add_user("u", "p")
    session = cup.login("u", "p")
    assert isinstance(session, CupSession)
    assert len(session.key) == 36
    assert session.key[14] == "4"
    assert session.user == "u"
    assert EpasService().session_timeout == DEFAULT_SESSION_TIMEOUT


def test_login_records_the_session(cup: EpasService, clock: FakeClock) -> None:
    session = cup.login(DEMO_CUP_USER, DEMO_CUP_PASSWORD)
    assert session == CupSession("key-1", DEMO_CUP_USER, clock.value, clock.value)
    assert cup.sessions() == [session]


def test_wrong_credentials(cup: EpasService) -> None:
    assert cup.login(DEMO_CUP_USER, "nope") == CupFailure(WRONG_CREDENTIALS)
    assert cup.login("nobody", DEMO_CUP_PASSWORD) == CupFailure(WRONG_CREDENTIALS)
    assert cup.login(DEMO_CUP_USER, "") == CupFailure(WRONG_CREDENTIALS)
    assert WRONG_CREDENTIALS == "Wrong username/password"
    assert cup.sessions() == []


def test_second_login_fails_unless_forced(cup: EpasService, key: str) -> None:
    assert cup.login(DEMO_CUP_USER, DEMO_CUP_PASSWORD) == CupFailure(SESSION_ALREADY_ESTABLISHED)
    assert SESSION_ALREADY_ESTABLISHED == "A SOAP session has already been established."
    forced = cup.login(DEMO_CUP_USER, DEMO_CUP_PASSWORD, force=True)
    assert isinstance(forced, CupSession)
    assert forced.key == "key-2"
    with pytest.raises(InvalidSession) as caught:
        cup.get_calendaring(key)
    assert caught.value.expired is False
    assert cup.get_calendaring(forced.key) is True
    assert [s.key for s in cup.sessions()] == ["key-2"]


def test_forced_login_with_a_wrong_password_keeps_the_old_session(
    cup: EpasService, key: str
) -> None:
    assert cup.login(DEMO_CUP_USER, "bad", force=True) == CupFailure(WRONG_CREDENTIALS)
    assert cup.get_calendaring(key) is True


def test_other_users_log_in_independently(cup: EpasService, key: str) -> None:
    other = login(cup, "soapuser2")
    assert other != key
    assert [s.user for s in cup.sessions()] == ["soapuser1", "soapuser2"]


def test_logout(cup: EpasService, key: str) -> None:
    ended = cup.logout(key, tuple_id="cupc-override")
    assert ended.key == key and ended.user == DEMO_CUP_USER
    assert cup.sessions() == []
    with pytest.raises(InvalidSession):
        cup.logout(key)
    again = cup.login(DEMO_CUP_USER, DEMO_CUP_PASSWORD)
    assert isinstance(again, CupSession)


def test_key_is_compared_without_surrounding_whitespace(cup: EpasService, key: str) -> None:
    assert cup.get_calendaring(f" {key}\n") is True
    assert cup.logout(f" {key}").key == key


def test_unknown_key_fails(cup: EpasService) -> None:
    with pytest.raises(InvalidSession) as caught:
        cup.get_user_config("b189aa60-24e3-4e66-a3b6-d8488235ba47")
    assert caught.value.expired is False
    assert caught.value.key == "b189aa60-24e3-4e66-a3b6-d8488235ba47"
    assert str(caught.value) == "unknown session key"


def test_session_expires_after_inactivity(cup: EpasService, clock: FakeClock, key: str) -> None:
    clock.value += 599
    assert cup.get_calendaring(key) is True  # used: the timeout starts again
    clock.value += 599
    assert cup.get_calendaring(key) is True
    clock.value += 600
    with pytest.raises(InvalidSession) as caught:
        cup.get_calendaring(key)
    assert caught.value.expired is True
    assert str(caught.value) == "session expired"
    with pytest.raises(InvalidSession) as again:
        cup.get_calendaring(key)
    assert again.value.expired is False  # dropped


def test_expired_session_does_not_block_login(cup: EpasService, clock: FakeClock, key: str) -> None:
    clock.value += 600
    assert cup.sessions() == []
    session = cup.login(DEMO_CUP_USER, DEMO_CUP_PASSWORD)
    assert isinstance(session, CupSession)
    assert session.key == "key-2"


def test_session_timeout_can_be_changed(cup: EpasService, clock: FakeClock, key: str) -> None:
    cup.session_timeout = 10
    clock.value += 10
    with pytest.raises(InvalidSession):
        cup.get_calendaring(key)


def test_expire_all(cup: EpasService, key: str) -> None:
    other = login(cup, "soapuser2")
    cup.expire_all()
    for k in (key, other):
        with pytest.raises(InvalidSession) as caught:
            cup.get_calendaring(k)
        assert caught.value.expired is True
    assert cup.sessions() == []
    assert isinstance(cup.login(DEMO_CUP_USER, DEMO_CUP_PASSWORD), CupSession)


@pytest.mark.parametrize(
    "call",
    [
        lambda c, k: c.logout(k),
        lambda c, k: c.get_system_config(k),
        lambda c, k: c.get_user_config(k),
        lambda c, k: c.set_user_config(k, [Property("a", "b")]),
        lambda c, k: c.get_licensing_features(k),
        lambda c, k: c.get_dialing_rules(k),
        lambda c, k: c.get_all_config(k),
        lambda c, k: c.get_contact_list(k),
        lambda c, k: c.add_group(k, [GroupSpec("g")]),
        lambda c, k: c.modify_group(k, [GroupChange("work", "w")]),
        lambda c, k: c.delete_group(k, [GroupSpec("work")]),
        lambda c, k: c.add_contact(k, [ContactSpec("", "soapuser2")]),
        lambda c, k: c.modify_contact(k, [ContactSpec("", "soapuser4")]),
        lambda c, k: c.delete_contact(k, [ContactSpec("", "soapuser4")]),
        lambda c, k: c.get_presence_rules(k),
        lambda c, k: c.set_presence_rules(k, [PresenceRule("r")]),
        lambda c, k: c.delete_presence_rules(k, ["noACL_rule"]),
        lambda c, k: c.get_acl(k, [DEMO_CUP_RULE]),
        lambda c, k: c.add_acl(k, DEMO_CUP_RULE, ["soapuser2"]),
        lambda c, k: c.delete_acl(k, DEMO_CUP_RULE, ["soapuser2"]),
        lambda c, k: c.add_recent_comm(k, "2006-03-24", 2),
        lambda c, k: c.get_recent_comm(k),
        lambda c, k: c.publish_pres_status(k, "doc"),
        lambda c, k: c.unpublish_pres_status(k),
        lambda c, k: c.get_calendaring(k),
        lambda c, k: c.set_calendaring(k, False),
    ],
)
def test_every_operation_needs_a_live_session(cup: EpasService, call: object) -> None:
    assert callable(call)
    before = cup.user(DEMO_CUP_USER)
    with pytest.raises(InvalidSession):
        call(cup, "no-such-key")
    assert cup.user(DEMO_CUP_USER) == before


def test_remove_user_ends_sessions_and_memberships(cup: EpasService, key: str) -> None:
    other = login(cup, "soapuser2")
    cup.remove_user("soapuser2")
    with pytest.raises(InvalidSession):
        cup.get_calendaring(other)
    contacts = [c.persona_id for g in cup.get_contact_list(key) for c in g.contacts]
    assert "soapuser2" not in contacts
    assert cup.get_acl(key, [DEMO_CUP_RULE])[0].watchers == ("soapuser3", "soapuser4", "soapuser5")
    assert cup.login("soapuser2", PASSWORDS["soapuser2"]) == CupFailure(WRONG_CREDENTIALS)


def test_set_password(cup: EpasService) -> None:
    cup.set_password("soapuser3", "new")
    assert cup.login("soapuser3", PASSWORDS["soapuser3"]) == CupFailure(WRONG_CREDENTIALS)
    assert isinstance(cup.login("soapuser3", "new"), CupSession)


# --------------------------------------------------------------------------- configuration


def test_get_system_config(cup: EpasService, key: str) -> None:
    props = cup.get_system_config(key)
    assert [(p.name, p.value) for p in props] == list(DEMO_CUP_SYSTEM_CONFIG)
    cup.set_system_property("TFTP.Primary", "10.0.0.1")
    assert SystemProperty("TFTP.Primary", "10.0.0.1") in cup.get_system_config(key)
    assert len(cup.get_system_config(key)) == 79


def test_get_and_set_user_config(cup: EpasService, key: str) -> None:
    assert cup.get_user_config(key) == (Property("CallControl.Lineid", "", False),)
    answer = cup.set_user_config(
        key,
        [
            Property("Preferred.Contact", "email", True),
            Property("UI.Color.Background", "white", False),
            Property("UI.Color.Foreground", "black", False),
            Property("PhoneNumber.Primary", "200", True),
            Property("  ", "x"),
        ],
    )
    assert answer == [
        PropertyStatus("Preferred.Contact", STATUS_OK),
        PropertyStatus("UI.Color.Background", STATUS_OK),
        PropertyStatus("UI.Color.Foreground", STATUS_OK),
        PropertyStatus("PhoneNumber.Primary", STATUS_OK),
        PropertyStatus("  ", STATUS_INVALID_PROPERTY),
    ]
    assert STATUS_OK == 0 and STATUS_INVALID_PROPERTY == 1
    config = cup.get_user_config(key)
    assert [p.name for p in config] == [
        "CallControl.Lineid",
        "Preferred.Contact",
        "UI.Color.Background",
        "UI.Color.Foreground",
        "PhoneNumber.Primary",
    ]
    assert config[1] == Property("Preferred.Contact", "email", True)
    cup.set_user_config(key, [Property("CallControl.Lineid", "5001", True)])
    assert cup.get_user_config(key)[0] == Property("CallControl.Lineid", "5001", True)
    assert cup.user("soapuser2").user_config == (Property("CallControl.Lineid"),)


def test_get_licensing_features(cup: EpasService, key: str) -> None:
    assert cup.get_licensing_features(key) == Licensing(True, True, False, False)
    cup.set_licensing(DEMO_CUP_USER, Licensing(True, True, True, True))
    assert cup.get_licensing_features(key) == Licensing(True, True, True, True)
    assert cup.get_licensing_features(login(cup, "soapuser2")) == Licensing(
        False, False, False, False
    )


def test_get_dialing_rules(cup: EpasService, key: str) -> None:
    rules = cup.get_dialing_rules(key)
    assert rules[0] == DialingRule(1, "App dialing rule", "App dialing rule", 1, "89", 1, 0, "7")
    assert len(rules) == 2
    cup.set_dialing_rules([])
    assert cup.get_dialing_rules(key) == ()


def test_get_all_config_every_part(cup: EpasService, key: str) -> None:
    config = cup.get_all_config(key)
    assert config.system_config is not None and len(config.system_config) == 79
    assert config.user_config == (Property("CallControl.Lineid"),)
    assert config.licensing == Licensing(True, True)
    assert config.contact_list == cup.get_contact_list(key)
    assert config.presence_rules == cup.get_presence_rules(key)
    assert config.acls == (
        AclResult("noACL_rule", SUCCEEDED),
        cup.get_acl(key, [DEMO_CUP_RULE])[0],
    )
    assert config.dialing_rules == DEMO_CUP_DIALING_RULES
    assert ALL_CONFIG_PARTS[0] == "system-config" and len(ALL_CONFIG_PARTS) == 6


def test_get_all_config_some_parts(cup: EpasService, key: str) -> None:
    config = cup.get_all_config(key, ["licensing-features", "dialing-rules"])
    assert config.licensing == Licensing(True, True)
    assert config.dialing_rules == DEMO_CUP_DIALING_RULES
    assert config.system_config is None
    assert config.user_config is None
    assert config.contact_list is None
    assert config.presence_rules is None and config.acls is None
    empty = cup.get_all_config(key, [])
    assert empty.licensing is None and empty.dialing_rules is None
    with pytest.raises(ValueError, match="unknown get-all-config parts"):
        cup.get_all_config(key, ["bogus"])  # type: ignore[list-item]


# --------------------------------------------------------------------------- contact groups


def test_get_contact_list(cup: EpasService, key: str) -> None:
    groups = cup.get_contact_list(key)
    assert [g.name for g in groups] == [DEFAULT_GROUP, "work", "new customers"]
    assert groups[2] == ContactGroup(
        "new customers",
        D("2000.9"),
        (
            Contact("soapuser2", D("202"), "another user2's nickname", True),
            Contact("soapuser3", D("203"), "", False),
        ),
    )


def test_add_group_as_example_29(cup: EpasService) -> None:
    key = fresh(cup)
    asked = [
        GroupSpec("work"),
        GroupSpec("friends", D(2)),
        GroupSpec("customers", D(540)),
        GroupSpec("work", D(-1)),
        GroupSpec(""),
    ]
    answer = cup.add_group(key, asked)
    assert answer == [
        ItemStatus(asked[0], SUCCEEDED),
        ItemStatus(asked[1], SUCCEEDED),
        ItemStatus(asked[2], SUCCEEDED),
        ItemStatus(asked[3], FAILED),
        ItemStatus(asked[4], FAILED),
    ]
    assert [(g.name, g.index) for g in cup.get_contact_list(key)] == [
        ("", D(0)),
        ("work", D(1)),
        ("friends", D(2)),
        ("customers", D(540)),
    ]
    cup.add_group(key, [GroupSpec("later")])
    assert cup.get_contact_list(key)[-1] == ContactGroup("later", D(541))


def test_modify_group_as_example_31(cup: EpasService) -> None:
    key = fresh(cup)
    cup.add_group(key, [GroupSpec("work"), GroupSpec("friends", D(2)), GroupSpec("customers")])
    asked = [
        GroupChange("non existing", "still non existing"),
        GroupChange("", "can i change this?", D(-200)),
        GroupChange("friends", "new friends"),
        GroupChange("work", index=D("1000.9")),
        GroupChange("customers", "new customers", D("2000.9")),
    ]
    answer = cup.modify_group(key, asked)
    assert [a.status for a in answer] == [FAILED, SUCCEEDED, SUCCEEDED, SUCCEEDED, SUCCEEDED]
    assert [a.item for a in answer] == asked
    assert [(g.name, g.index) for g in cup.get_contact_list(key)] == [
        ("", D(-200)),  # the default group keeps its empty name (Example 27)
        ("new friends", D(2)),
        ("work", D("1000.9")),
        ("new customers", D("2000.9")),
    ]


def test_modify_group_to_an_existing_name_fails(cup: EpasService, key: str) -> None:
    answer = cup.modify_group(key, [GroupChange("work", "new customers", D(5))])
    assert answer[0].status == FAILED
    assert [(g.name, g.index) for g in cup.get_contact_list(key)][1] == ("work", D("1000.9"))
    same = cup.modify_group(key, [GroupChange("work", "work")])
    assert same[0].status == SUCCEEDED


def test_renamed_group_keeps_its_contacts(cup: EpasService, key: str) -> None:
    cup.modify_group(key, [GroupChange("work", "new work")])
    groups = {g.name: g for g in cup.get_contact_list(key)}
    assert "work" not in groups
    assert len(groups["new work"].contacts) == 4


def test_delete_group_as_example_33(cup: EpasService, key: str) -> None:
    asked = [GroupSpec("non existing"), GroupSpec("work"), GroupSpec(""), GroupSpec("work")]
    answer = cup.delete_group(key, asked)
    assert [a.status for a in answer] == [SUCCEEDED, SUCCEEDED, FAILED, SUCCEEDED]
    assert [g.name for g in cup.get_contact_list(key)] == ["", "new customers"]
    assert len(cup.get_contact_list(key)[0].contacts) == 4


# --------------------------------------------------------------------------- contacts


def test_add_contact_as_examples_34_and_35(cup: EpasService) -> None:
    key = fresh(cup, "owner")
    cup.add_group(key, [GroupSpec("work"), GroupSpec("new customers")])
    asked = [
        ContactSpec("work", "soapuser2", D(200), "user2 nickname", False),
        ContactSpec("work", "soapuser3", nickname="user3's nickname"),
        ContactSpec("work", "soapuser4", display_on_phone=True),
        ContactSpec("work", "soapuser5", D(-1)),
        ContactSpec("work", "nonexisting"),
        ContactSpec("new customers", "soapuser2", D(202), "another user2's nickname", True),
        ContactSpec("new customers", "soapuser3", display_on_phone=False),
        ContactSpec("new customers", "nonexisting", D(200), "non existing", False),
        ContactSpec("friends", "soapuser2", nickname="what"),
        ContactSpec("friends", "whatever"),
        ContactSpec("", "soapuser4", nickname="what", display_on_phone=False),
        ContactSpec("", "soapuser5", D(32), "dave"),
        ContactSpec("", "soapuser3"),
        ContactSpec("", "soapuser1", D("-33.3"), display_on_phone=True),
    ]
    answer = cup.add_contact(key, asked)
    assert [a.item for a in answer] == asked
    assert [a.status for a in answer] == [
        SUCCEEDED,
        SUCCEEDED,
        SUCCEEDED,
        SUCCEEDED,
        CONTACT_DOES_NOT_EXIST,
        SUCCEEDED,
        SUCCEEDED,
        CONTACT_DOES_NOT_EXIST,
        GROUP_DOES_NOT_EXIST,
        CONTACT_DOES_NOT_EXIST,
        SUCCEEDED,
        SUCCEEDED,
        SUCCEEDED,
        SUCCEEDED,
    ]
    assert CONTACT_DOES_NOT_EXIST == "Contact does not exist in."
    assert GROUP_DOES_NOT_EXIST == "The Contact Group does not exist."
    # The same contents as the guide's Example 27 (group indexes aside).
    guide = cup.user(DEMO_CUP_USER).contact_list
    mine = cup.get_contact_list(key)
    assert [g.contacts for g in mine] == [g.contacts for g in guide]


def test_add_contact_twice_to_a_group_fails(cup: EpasService, key: str) -> None:
    answer = cup.add_contact(key, [ContactSpec("work", "soapuser2", D(1))])
    assert answer[0].status == FAILED
    work = cup.get_contact_list(key)[1]
    assert Contact("soapuser2", D(200), "user2 nickname", False) in work.contacts


def test_add_contact_next_index_when_all_negative(cup: EpasService) -> None:
    key = fresh(cup)
    cup.add_contact(key, [ContactSpec("", "soapuser2", D("-5.5")), ContactSpec("", "soapuser3")])
    contacts = cup.get_contact_list(key)[0].contacts
    assert [(c.persona_id, c.index) for c in contacts] == [
        ("soapuser2", D("-5.5")),
        ("soapuser3", D(1)),
    ]


def test_modify_contact(cup: EpasService, key: str) -> None:
    asked = [
        ContactSpec("", "soapuser5", D(200), "user5 nick", False),
        ContactSpec("", "soapuser1", nickname="default 'one'", display_on_phone=False),
        ContactSpec("", "soapuser4"),
        ContactSpec("new customers", "soapuser3", nickname="who is soap user 3?"),
        ContactSpec("work", "soapuser2", D("-3000.5"), "", True),
        ContactSpec("new work", "soapuser2", nickname="doesn't work!!!"),
        ContactSpec("new customers", "soapuser5"),
    ]
    answer = cup.modify_contact(key, asked)
    assert [a.status for a in answer] == [
        SUCCEEDED,
        SUCCEEDED,
        SUCCEEDED,
        SUCCEEDED,
        SUCCEEDED,
        GROUP_DOES_NOT_EXIST,
        CONTACT_DOES_NOT_EXIST,
    ]
    groups = {g.name: g.contacts for g in cup.get_contact_list(key)}
    assert groups[""] == (
        Contact("soapuser1", D("-33.3"), "default 'one'", False),
        Contact("soapuser4", D(1), "what", False),
        Contact("soapuser3", D(33), "", False),
        Contact("soapuser5", D(200), "user5 nick", False),
    )
    assert groups["new customers"][1] == Contact("soapuser3", D(203), "who is soap user 3?", False)
    assert groups["work"][0] == Contact("soapuser2", D("-3000.5"), "", True)


def test_delete_contact_as_example_39(cup: EpasService, key: str) -> None:
    asked = [
        ContactSpec("work", "soapuser2"),
        ContactSpec("non-existing", "one"),
        ContactSpec("", "soapuser5"),
        ContactSpec("", "soapuser1"),
        ContactSpec("", "nonexisting"),
    ]
    answer = cup.delete_contact(key, asked)
    assert [a.status for a in answer] == [
        SUCCEEDED,
        GROUP_DOES_NOT_EXIST,
        SUCCEEDED,
        SUCCEEDED,
        CONTACT_DOES_NOT_EXIST,
    ]
    groups = {g.name: [c.persona_id for c in g.contacts] for g in cup.get_contact_list(key)}
    assert groups[""] == ["soapuser4", "soapuser3"]
    assert groups["work"] == ["soapuser5", "soapuser3", "soapuser4"]


def test_contact_lists_are_per_user(cup: EpasService, key: str) -> None:
    other = login(cup, "soapuser2")
    cup.add_contact(other, [ContactSpec("", "soapuser1", nickname="boss")])
    assert cup.get_contact_list(other) == (
        ContactGroup("", D(0), (Contact("soapuser1", D(1), "boss", False),)),
    )
    assert len(cup.get_contact_list(key)[0].contacts) == 4


# --------------------------------------------------------------------------- presence rules


def test_get_presence_rules(cup: EpasService, key: str) -> None:
    assert cup.get_presence_rules(key) == (
        PresenceRule("noACL_rule", "all"),
        PresenceRule(DEMO_CUP_RULE, "all"),
    )


def test_set_presence_rules(cup: EpasService, key: str) -> None:
    reach = {"cond": [("when", "away")]}
    rules = [
        PresenceRule("noACL_rule", "all"),
        PresenceRule("test rule", "reachability-only", reach, ("Cell Phone", "cupc")),
        PresenceRule(" ", "all"),
    ]
    answer = cup.set_presence_rules(key, rules)
    assert answer == [
        ItemStatus("noACL_rule", SUCCEEDED),
        ItemStatus("test rule", SUCCEEDED),
        ItemStatus(" ", INVALID_POLICY_NAME),
    ]
    stored = cup.get_presence_rules(key)
    assert [r.name for r in stored] == ["noACL_rule", DEMO_CUP_RULE, "test rule"]
    assert stored[2].reachability == reach
    assert stored[2].filter == ("Cell Phone", "cupc")
    assert stored[2].visibility == "reachability-only"
    assert cup.get_acl(key, ["test rule"]) == [AclResult("test rule", SUCCEEDED)]


def test_replacing_a_rule_keeps_its_acl(cup: EpasService, key: str) -> None:
    cup.set_presence_rules(key, [PresenceRule(DEMO_CUP_RULE, "reachability-only")])
    assert cup.get_presence_rules(key)[1] == PresenceRule(DEMO_CUP_RULE, "reachability-only")
    assert len(cup.get_acl(key, [DEMO_CUP_RULE])[0].watchers) == 4


def test_delete_presence_rules_as_example_46(cup: EpasService, key: str) -> None:
    answer = cup.delete_presence_rules(key, ["noACL_rule", "noexistentRule", DEMO_CUP_RULE])
    assert answer == [
        ItemStatus("noACL_rule", SUCCEEDED),
        ItemStatus("noexistentRule", INVALID_POLICY_NAME),
        ItemStatus(DEMO_CUP_RULE, SUCCEEDED),
    ]
    assert INVALID_POLICY_NAME == "Invalid Policy name"
    assert cup.get_presence_rules(key) == ()
    assert cup.get_acl(key, [DEMO_CUP_RULE]) == [AclResult(DEMO_CUP_RULE, INVALID_POLICY_NAME)]
    cup.set_presence_rules(key, [PresenceRule(DEMO_CUP_RULE)])
    assert cup.get_acl(key, [DEMO_CUP_RULE])[0].watchers == ()


# --------------------------------------------------------------------------- ACLs


def test_get_acl_as_example_60(cup: EpasService, key: str) -> None:
    answer = cup.get_acl(key, [DEMO_CUP_RULE, "non-existing acl343258"])
    assert answer == [
        AclResult(
            DEMO_CUP_RULE,
            SUCCEEDED,
            ("soapuser2", "soapuser3", "soapuser4", "soapuser5"),
            (
                "sip:soapuser2@cisco.com",
                "sip:soapuser3@cisco.com",
                "sip:soapuser4@cisco.com",
                "sip:soapuser5@cisco.com",
            ),
        ),
        AclResult("non-existing acl343258", INVALID_POLICY_NAME),
    ]


def test_watcher_uris_follow_the_presence_domain(cup: EpasService, key: str) -> None:
    cup.set_system_property("Presence.Domain", "example.org")
    assert cup.get_acl(key, [DEMO_CUP_RULE])[0].watcher_uris[0] == "sip:soapuser2@example.org"
    cup.set_system_property("Presence.Domain", "")
    assert cup.get_acl(key, [DEMO_CUP_RULE])[0].watcher_uris[0] == "sip:soapuser2@cisco.com"


def test_add_acl_as_example_62(cup: EpasService, key: str) -> None:
    cup.set_presence_rules(key, [PresenceRule("Kai rules!", "all")])
    watchers = ["soapuser2", "soapuser3", "soapuser4", "soapuser5", "g", "j"]
    answer = cup.add_acl(key, "Kai rules!", watchers)
    assert answer == [
        ItemStatus("soapuser2", SUCCEEDED),
        ItemStatus("soapuser3", SUCCEEDED),
        ItemStatus("soapuser4", SUCCEEDED),
        ItemStatus("soapuser5", SUCCEEDED),
        ItemStatus("g", FAILED),
        ItemStatus("j", FAILED),
    ]
    assert FAILED == "failed" and SUCCEEDED == "succeeded"
    assert cup.get_acl(key, ["Kai rules!"])[0].watchers == (
        "soapuser2",
        "soapuser3",
        "soapuser4",
        "soapuser5",
    )


def test_add_acl_again_and_by_uri(cup: EpasService, key: str) -> None:
    answer = cup.add_acl(key, "noACL_rule", ["soapuser2", "sip:soapuser3@cisco.com", "soapuser2"])
    assert [a.status for a in answer] == [SUCCEEDED, SUCCEEDED, SUCCEEDED]
    assert answer[1].item == "sip:soapuser3@cisco.com"
    assert cup.get_acl(key, ["noACL_rule"])[0].watchers == ("soapuser2", "soapuser3")
    foreign = cup.add_acl(key, "noACL_rule", ["sip:soapuser4@elsewhere.net"])
    assert foreign[0].status == FAILED


def test_add_acl_to_an_unknown_rule_fails(cup: EpasService, key: str) -> None:
    answer = cup.add_acl(key, "no such rule", ["soapuser2", "g"])
    assert [a.status for a in answer] == [FAILED, FAILED]
    assert cup.get_acl(key, ["no such rule"])[0].status == INVALID_POLICY_NAME


def test_delete_acl_as_example_64(cup: EpasService, key: str) -> None:
    answer = cup.delete_acl(key, DEMO_CUP_RULE, ["soapuser2", "soapuser5", "soapuser5", "g"])
    assert answer == [
        ItemStatus("soapuser2", SUCCEEDED),
        ItemStatus("soapuser5", SUCCEEDED),
        ItemStatus("soapuser5", FAILED),
        ItemStatus("g", FAILED),
    ]
    assert cup.get_acl(key, [DEMO_CUP_RULE])[0].watchers == ("soapuser3", "soapuser4")
    unknown = cup.delete_acl(key, "no such rule", ["soapuser3"])
    assert unknown == [ItemStatus("soapuser3", FAILED)]


# --------------------------------------------------------------------------- recent comm


def test_recent_comm_newest_first(cup: EpasService, key: str) -> None:
    assert cup.get_recent_comm(key) == (
        RecentComm("2007-03-24", 3, {"what": "this is another record"}),
        RecentComm("2006-03-24", 2, {"what": "xmltag-other"}),
        RecentComm("2005-03-22", 1, {"what": "this is a record"}),
    )
    assert cup.add_recent_comm(key, "2006-03-25", 2, {"what": "new"}) == STATUS_OK
    assert cup.add_recent_comm(key, "2006-03-25", 1, "same day, later") == STATUS_OK
    assert [(r.timestamp, r.type) for r in cup.get_recent_comm(key)] == [
        ("2007-03-24", 3),
        ("2006-03-25", 1),
        ("2006-03-25", 2),
        ("2006-03-24", 2),
        ("2005-03-22", 1),
    ]


def test_recent_comm_is_bounded_and_per_user(cup: EpasService) -> None:
    key = fresh(cup)
    for day in range(MAX_RECENT_COMM + 5):
        assert cup.add_recent_comm(key, f"2020-01-01T00:{day // 60:02}:{day % 60:02}", 1) == 0
    records = cup.get_recent_comm(key)
    assert len(records) == MAX_RECENT_COMM == 100
    assert records[0].timestamp == "2020-01-01T00:01:44"
    assert records[-1].timestamp == "2020-01-01T00:00:05"
    assert len(cup.user(DEMO_CUP_USER).recent_comm) == 3


# --------------------------------------------------------------------------- presence status


def test_publish_and_unpublish_pres_status(cup: EpasService, clock: FakeClock, key: str) -> None:
    assert cup.publish_pres_status(key, {"status": "vacation"}) == STATUS_OK
    assert cup.user(DEMO_CUP_USER).published == PublishedStatus({"status": "vacation"}, clock.value)
    clock.value += 5
    cup.publish_pres_status(key, "out of office")
    assert cup.user(DEMO_CUP_USER).published == PublishedStatus("out of office", clock.value)
    assert cup.unpublish_pres_status(key) == STATUS_OK
    assert cup.user(DEMO_CUP_USER).published is None
    assert cup.unpublish_pres_status(key) == STATUS_OK


# --------------------------------------------------------------------------- calendaring


def test_get_and_set_calendaring(cup: EpasService, key: str) -> None:
    assert cup.get_calendaring(key) is True
    assert cup.set_calendaring(key, False) == SUCCEEDED
    assert cup.get_calendaring(key) is False
    other = login(cup, "soapuser2")
    assert cup.get_calendaring(other) is False
    assert cup.set_calendaring(other, True) == "succeeded"
    assert cup.get_calendaring(other) is True
    assert cup.get_calendaring(key) is False


# --------------------------------------------------------------------------- threads


def test_concurrent_use_is_consistent(cup: EpasService) -> None:
    keys = [login(cup, f"soapuser{n}") for n in range(1, 6)]
    errors: list[BaseException] = []

    def work(key: str, n: int) -> None:
        try:
            for i in range(40):
                name = f"g{n}-{i}"
                assert cup.add_group(key, [GroupSpec(name)])[0].status == SUCCEEDED
                assert cup.add_recent_comm(key, f"2020-01-{i + 1:02}", n) == STATUS_OK
                status = cup.add_contact(key, [ContactSpec(name, "soapuser1")])[0].status
                assert status == SUCCEEDED
                cup.get_all_config(key)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k, n)) for n, k in enumerate(keys)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for n, key in enumerate(keys):
        groups = [g for g in cup.get_contact_list(key) if g.name.startswith(f"g{n}-")]
        assert len(groups) == 40
        assert all(g.contacts[0].persona_id == "soapuser1" for g in groups)
        assert len(cup.get_recent_comm(key)) == 40 + (3 if n == 0 else 0)


def test_concurrent_logins_give_one_session(cup: EpasService) -> None:
    answers: list[CupSession | CupFailure] = []
    lock = threading.Lock()

    def attempt() -> None:
        answer = cup.login("soapuser3", PASSWORDS["soapuser3"])
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(isinstance(a, CupSession) for a in answers) == 1
    assert answers.count(CupFailure(SESSION_ALREADY_ESTABLISHED)) == 7
    assert len(cup.sessions()) == 1
