"""Pinned return types of the EM clients; checked by mypy in tests/test_typing.py."""

from __future__ import annotations

from typing import assert_type

from ucxml.em import (
    AsyncEmClient,
    DeviceLogin,
    EmClient,
    LogoutAllResult,
    UserCheck,
    UserDevices,
    UserProfiles,
    logout_all_action,
)
from ucxml.generated.em.models import DeviceUserResults, Response


def sync_types(em: EmClient) -> None:
    assert_type(em.login("SEP0011223344AA", "jdoe", duration="indefinite"), None)
    assert_type(em.device_user_query("SEP0011223344AA", "SEP0011223344BB"), list[DeviceLogin])
    assert_type(em.user_devices_query("jdoe"), list[UserDevices])
    assert_type(em.check_user("jdoe"), UserCheck)
    assert_type(em.device_profile_query("jdoe"), list[UserProfiles])
    assert_type(em.operations.logout_all(), Response)
    assert_type(em.operations.device_user_query(device_name=["x"]), DeviceUserResults)
    assert_type(logout_all_action("app", "cert", call_manager_host="h:80"), LogoutAllResult)


async def async_types(em: AsyncEmClient) -> None:
    assert_type(await em.device_user_query("SEP0011223344AA"), list[DeviceLogin])
    assert_type(await em.check_user("jdoe"), UserCheck)
