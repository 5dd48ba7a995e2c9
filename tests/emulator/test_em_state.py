"""The in-memory Extension Mobility service: authorization, login rules, expiry, queries."""

from __future__ import annotations

import threading

import pytest

from ucxml.emulator.em_state import (
    ANOTHER_USER_LOGGED_IN,
    BUSY,
    DEMO_EM_APP_CERTIFICATE,
    DEMO_EM_APP_ID,
    DEMO_EM_DEVICES,
    DEMO_EM_NOPROXY_APP_ID,
    DEMO_EM_NOPROXY_CERTIFICATE,
    DEMO_EM_USERS,
    DEVICE_LOGON_DISABLED,
    DEVICE_NOT_FOUND,
    INDEFINITE,
    INVALID_APP_USER,
    NO_PROXY_RIGHTS,
    NO_USER_LOGGED_IN,
    PROFILE_NOT_FOUND,
    USER_LOGGED_IN_ELSEWHERE,
    USER_NOT_FOUND,
    AppCredentials,
    AppUser,
    DeviceStatus,
    EmFailure,
    EmLogin,
    EmProfile,
    EmService,
    UserDevicesStatus,
)

APP = AppCredentials(DEMO_EM_APP_ID, DEMO_EM_APP_CERTIFICATE)
AA, BB, CC = DEMO_EM_DEVICES


class FakeClock:
    """A settable wall clock (seconds since the epoch)."""

    def __init__(self) -> None:
        self.value = 1_700_000_000.0

    def __call__(self) -> float:
        return self.value


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def em(clock: FakeClock) -> EmService:
    service = EmService(clock=clock)
    service.seed_demo()
    return service


# --------------------------------------------------------------------------- seeding


def test_seed_demo(em: EmService) -> None:
    assert em.users() == sorted(DEMO_EM_USERS)
    assert [d.name for d in em.devices()] == list(DEMO_EM_DEVICES)
    assert all(d.em_enabled for d in em.devices())
    assert em.profiles("jdoe") == [
        EmProfile("jdoe-UDP-7975", "jdoe", False),
        EmProfile("jdoe-UDP-8845", "jdoe", True),
    ]
    assert [p.name for p in em.profiles()] == [
        "asmith-UDP",
        "em-UDP",
        "jdoe-UDP-7975",
        "jdoe-UDP-8845",
    ]
    assert em.logins() == []


def test_secrets_stay_out_of_reprs(em: EmService) -> None:
    app = em.add_app_user("x", "hunter2", encrypted_certificate="ZW5j")
    for text in (repr(app), repr(APP), repr(em)):
        assert "hunter2" not in text and DEMO_EM_APP_CERTIFICATE not in text
        assert "ZW5j" not in text
    assert "apps=3" in repr(em)


def test_add_profile_rules(em: EmService) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        em.add_profile("p", "nobody")
    with pytest.raises(ValueError, match="already exists"):
        em.add_profile("asmith-UDP", "asmith")
    em.add_profile("jdoe-new", "jdoe", default=True)
    defaults = [p.name for p in em.profiles("jdoe") if p.default]
    assert defaults == ["jdoe-new"]


# --------------------------------------------------------------------------- authorization


@pytest.mark.parametrize(
    ("app", "code"),
    [
        (AppCredentials("nobody", DEMO_EM_APP_CERTIFICATE), INVALID_APP_USER),
        (AppCredentials(DEMO_EM_APP_ID, "wrong"), INVALID_APP_USER),
        (AppCredentials(DEMO_EM_APP_ID, DEMO_EM_APP_CERTIFICATE, encrypted=True), INVALID_APP_USER),
        (AppCredentials(DEMO_EM_NOPROXY_APP_ID, DEMO_EM_NOPROXY_CERTIFICATE), NO_PROXY_RIGHTS),
        (AppCredentials(DEMO_EM_NOPROXY_APP_ID, "wrong"), INVALID_APP_USER),
    ],
)
def test_every_operation_checks_the_app_user(em: EmService, app: AppCredentials, code: int) -> None:
    failure = EmFailure(code)
    assert em.login(app, AA, "jdoe") == failure
    assert em.logout(app, AA) == failure
    assert em.logout_all(app) == failure
    assert em.device_users(app, [AA]) == failure
    assert em.user_devices(app, ["jdoe"]) == failure
    assert em.check_user(app, "jdoe") == failure
    assert em.device_profiles(app, ["jdoe"]) == failure
    assert em.logins() == []


def test_encrypted_certificate(em: EmService) -> None:
    em.add_app_user("cucm", "plain", encrypted_certificate="ZW5jcnlwdGVk")
    assert em.check_user(AppCredentials("cucm", "ZW5jcnlwdGVk", encrypted=True), "jdoe") is True
    assert em.check_user(AppCredentials("cucm", "plain"), "jdoe") is True
    assert em.check_user(AppCredentials("cucm", "plain", encrypted=True), "jdoe") == EmFailure(
        INVALID_APP_USER
    )


def test_busy_answers_26_everywhere(em: EmService) -> None:
    em.busy = True
    busy = EmFailure(BUSY)
    assert em.login(APP, AA, "jdoe") == busy
    assert em.logout(APP, AA) == busy
    assert em.logout_all(APP) == busy
    assert em.device_users(APP, [AA]) == busy
    assert em.user_devices(APP, ["jdoe"]) == busy
    assert em.check_user(APP, "jdoe") == busy
    assert em.device_profiles(APP, ["jdoe"]) == busy
    # Busy wins even over a bad app user.
    assert em.check_user(AppCredentials("nobody", "x"), "jdoe") == busy
    em.busy = False
    assert isinstance(em.login(APP, AA, "jdoe"), EmLogin)


# --------------------------------------------------------------------------- login


def test_login_uses_the_default_profile(em: EmService, clock: FakeClock) -> None:
    login = em.login(APP, AA, "jdoe")
    assert login == EmLogin(AA, "jdoe", "jdoe-UDP-8845", clock.value, None)
    assert em.login_of(AA) == login
    assert em.login_of(BB) is None


def test_login_with_an_explicit_profile(em: EmService) -> None:
    login = em.login(APP, AA, "jdoe", "jdoe-UDP-7975")
    assert isinstance(login, EmLogin) and login.profile == "jdoe-UDP-7975"


@pytest.mark.parametrize(
    ("device", "user", "profile", "code"),
    [
        ("SEPFFFFFFFFFFFF", "jdoe", None, DEVICE_NOT_FOUND),
        (AA, "nobody", None, USER_NOT_FOUND),
        (AA, "jdoe", "no-such-profile", PROFILE_NOT_FOUND),
        (AA, "jdoe", "asmith-UDP", PROFILE_NOT_FOUND),  # someone else's profile
    ],
)
def test_login_failures(
    em: EmService, device: str, user: str, profile: str | None, code: int
) -> None:
    assert em.login(APP, device, user, profile) == EmFailure(code)
    assert em.logins() == []


def test_login_without_any_profile_is_12(em: EmService) -> None:
    em.add_user("bare")
    assert em.login(APP, AA, "bare") == EmFailure(PROFILE_NOT_FOUND)


def test_login_on_a_device_without_em(em: EmService) -> None:
    em.add_device("SEPNOEM", em_enabled=False)
    assert em.login(APP, "SEPNOEM", "jdoe") == EmFailure(DEVICE_LOGON_DISABLED)


def test_another_user_logged_in_is_18(em: EmService) -> None:
    assert isinstance(em.login(APP, AA, "jdoe"), EmLogin)
    assert em.login(APP, AA, "asmith") == EmFailure(ANOTHER_USER_LOGGED_IN)
    login = em.login_of(AA)
    assert login is not None and login.user == "jdoe"


def test_same_user_again_refreshes(em: EmService, clock: FakeClock) -> None:
    first = em.login(APP, AA, "jdoe", duration=10)
    assert isinstance(first, EmLogin) and first.expires == clock.value + 600
    clock.value += 300
    again = em.login(APP, AA, "jdoe", "jdoe-UDP-7975", duration=INDEFINITE)
    assert again == EmLogin(AA, "jdoe", "jdoe-UDP-7975", clock.value, None)
    assert em.logins() == [again]


def test_user_logged_in_elsewhere_is_25(em: EmService) -> None:
    assert isinstance(em.login(APP, AA, "jdoe"), EmLogin)
    assert em.login(APP, BB, "jdoe") == EmFailure(USER_LOGGED_IN_ELSEWHERE)
    em.allow_multiple_logins = True
    assert isinstance(em.login(APP, BB, "jdoe"), EmLogin)
    assert [login.device for login in em.logins()] == [AA, BB]


def test_multiple_logins_policy_at_construction(clock: FakeClock) -> None:
    em = EmService(clock=clock, allow_multiple_logins=True)
    em.seed_demo()
    assert isinstance(em.login(APP, AA, "asmith"), EmLogin)
    assert isinstance(em.login(APP, BB, "asmith"), EmLogin)


@pytest.mark.parametrize("duration", [0, -5, True, 1.5, "forever"])
def test_bad_duration_is_refused(em: EmService, duration: object) -> None:
    with pytest.raises(ValueError, match="duration"):
        em.login(APP, AA, "jdoe", duration=duration)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- expiry


def test_exclusive_duration_expires(em: EmService, clock: FakeClock) -> None:
    login = em.login(APP, AA, "jdoe", duration=30)
    assert isinstance(login, EmLogin) and login.expires == clock.value + 1800
    clock.value += 1799
    assert em.login_of(AA) == login
    clock.value += 1
    assert em.login_of(AA) is None
    # The device is free again, and the user may log in elsewhere.
    assert isinstance(em.login(APP, BB, "jdoe"), EmLogin)


def test_expired_login_is_dropped_before_each_operation(em: EmService, clock: FakeClock) -> None:
    assert isinstance(em.login(APP, AA, "jdoe", duration=1), EmLogin)
    clock.value += 61
    assert isinstance(em.login(APP, AA, "asmith"), EmLogin)  # no 18
    clock.value += 10_000
    assert em.logout(APP, BB) == EmFailure(NO_USER_LOGGED_IN)
    statuses = em.device_users(APP, [AA])
    assert isinstance(statuses, list) and statuses[0].login is not None


@pytest.mark.parametrize("duration", [None, INDEFINITE])
def test_no_or_indefinite_duration_never_expires(
    em: EmService, clock: FakeClock, duration: int | str | None
) -> None:
    assert isinstance(em.login(APP, AA, "jdoe", duration=duration), EmLogin)  # type: ignore[arg-type]
    clock.value += 10 * 365 * 86400
    login = em.login_of(AA)
    assert login is not None and login.expires is None


# --------------------------------------------------------------------------- logout


def test_logout(em: EmService) -> None:
    login = em.login(APP, AA, "jdoe")
    assert em.logout(APP, AA) == login
    assert em.logout(APP, AA) == EmFailure(NO_USER_LOGGED_IN)
    assert em.logout(APP, "SEPFFFFFFFFFFFF") == EmFailure(DEVICE_NOT_FOUND)


def test_logout_all(em: EmService) -> None:
    em.allow_multiple_logins = True
    em.login(APP, BB, "jdoe")
    em.login(APP, AA, "asmith")
    ended = em.logout_all(APP)
    assert isinstance(ended, list) and [(e.device, e.user) for e in ended] == [
        (AA, "asmith"),
        (BB, "jdoe"),
    ]
    assert em.logins() == []
    assert em.logout_all(APP) == []


def test_removing_things_ends_their_logins(em: EmService) -> None:
    em.login(APP, AA, "jdoe")
    em.login(APP, BB, "asmith")
    em.remove_user("jdoe")
    em.remove_device(BB)
    assert em.logins() == []
    assert em.profiles("jdoe") == []
    em.login(APP, CC, "em@cisco.com")
    em.add_device(CC, em_enabled=False)
    assert em.login_of(CC) is None


# --------------------------------------------------------------------------- queries


def test_device_users(em: EmService, clock: FakeClock) -> None:
    login = em.login(APP, AA, "em@cisco.com")
    assert em.device_users(APP, [AA, BB, "SEPFFFFFFFFFFFF"]) == [
        DeviceStatus(AA, True, login if isinstance(login, EmLogin) else None),
        DeviceStatus(BB, True, None),
        DeviceStatus("SEPFFFFFFFFFFFF", False, None),
    ]


def test_user_devices(em: EmService) -> None:
    em.allow_multiple_logins = True
    em.login(APP, CC, "jdoe")
    em.login(APP, AA, "jdoe")
    assert em.user_devices(APP, ["jdoe", "asmith", "nobody"]) == [
        UserDevicesStatus("jdoe", True, (AA, CC)),
        UserDevicesStatus("asmith", True, ()),
        UserDevicesStatus("nobody", False, ()),
    ]


def test_check_user(em: EmService) -> None:
    assert em.check_user(APP, "em@cisco.com") is True
    assert em.check_user(APP, "em%40cisco.com") is False
    assert em.check_user(APP, "nobody") is False


def test_device_profiles(em: EmService) -> None:
    em.add_user("bare")
    answer = em.device_profiles(APP, ["jdoe", "bare"])
    assert isinstance(answer, list)
    jdoe, bare = answer
    assert [(p.name, p.default) for p in jdoe.profiles] == [
        ("jdoe-UDP-8845", True),
        ("jdoe-UDP-7975", False),
    ]
    assert (bare.user, bare.profiles) == ("bare", ())
    # An unknown user gets its own failure (ERRATA D16), the others their profiles.
    known, unknown = em.device_profiles(APP, ["jdoe", "nobody"])  # type: ignore[misc]
    assert known.exists and known.profiles and (unknown.user, unknown.exists) == ("nobody", False)


# --------------------------------------------------------------------------- threads


def test_concurrent_logins_leave_one_winner(em: EmService) -> None:
    em.allow_multiple_logins = True
    for n in range(20):
        em.add_user(f"u{n}")
        em.add_profile(f"u{n}-UDP", f"u{n}", default=True)
    results: list[object] = []
    barrier = threading.Barrier(20)

    def worker(n: int) -> None:
        barrier.wait()
        results.append(em.login(APP, AA, f"u{n}"))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [r for r in results if isinstance(r, EmLogin)]
    assert len(winners) == 1
    assert results.count(EmFailure(ANOTHER_USER_LOGGED_IN)) == 19
    assert em.logins() == winners


def test_app_user_is_a_plain_record() -> None:
    assert AppUser("a", "b").proxy_rights is True
