"""Pinned return types of the CME clients; checked by mypy in tests/test_typing.py."""

from __future__ import annotations

from typing import assert_type

from ucxml.cme import AsyncCmeClient, CmeClient
from ucxml.generated.cme.models import (
    DeviceNameKeyword,
    ISDevice,
    ISexecCLIResponse,
    ISgetDevEvtsResponse,
    ISgetDeviceResponse,
    ISgetEvtCountsResponse,
    ISgetExtensionResponse,
    ISgetExtEvtsResponse,
    ISgetGlobalResponse,
    ISgetPresenceGlobalResponse,
    ISgetSessionServerResponse,
    ISgetUserResponse,
    ISgetVoiceRegGlobalResponse,
    ISSaveConfigResponse,
    ISsetKeyPhonesResponse,
    ISunsetKeyPhonesResponse,
    ISupdateUserResponse,
)


def sync_types(cme: CmeClient) -> None:
    assert_type(cme.exec_cli(["ephone 1"]), ISexecCLIResponse)
    assert_type(cme.save_config(), ISSaveConfigResponse)
    assert_type(cme.get_global(), ISgetGlobalResponse)
    response = cme.get_device(dev_id=[1], dev_name=[DeviceNameKeyword.ALL, "SEP000000000000"])
    assert_type(response, ISgetDeviceResponse)
    assert_type(response.device, list[ISDevice])
    assert_type(response.device[0].dev_id, int | None)
    assert_type(cme.get_extension(ext_number=["allUp"]), ISgetExtensionResponse)
    assert_type(cme.set_key_phones(["SEP000000000000"]), ISsetKeyPhonesResponse)
    assert_type(cme.unset_key_phones(["SEP000000000000"]), ISunsetKeyPhonesResponse)
    assert_type(cme.get_evt_counts(), ISgetEvtCountsResponse)
    assert_type(cme.get_dev_evts(dev_name=["all"]), ISgetDevEvtsResponse)
    assert_type(cme.get_ext_evts(ext_id=[1]), ISgetExtEvtsResponse)
    assert_type(cme.get_user("peter"), ISgetUserResponse)
    assert_type(cme.update_user(user_id="peter", password="x"), ISupdateUserResponse)
    assert_type(cme.get_voice_reg_global(), ISgetVoiceRegGlobalResponse)
    assert_type(cme.get_session_server(session_server_id=[1]), ISgetSessionServerResponse)
    assert_type(cme.get_presence_global(), ISgetPresenceGlobalResponse)


async def async_types(cme: AsyncCmeClient) -> None:
    assert_type(await cme.get_device(dev_id=[1]), ISgetDeviceResponse)
    assert_type(await cme.exec_cli(["ephone 1"]), ISexecCLIResponse)
    assert_type(await cme.get_user("peter"), ISgetUserResponse)
