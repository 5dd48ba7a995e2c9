"""Pinned return types of the CME clients; checked by mypy in tests/test_typing.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import assert_type

from ucxml.cme import AsyncCmeClient, CmeClient
from ucxml.generated.cme.models import (
    DeviceNameKeyword,
    ISDevice,
    ISDeviceTemplate,
    ISDirectoryEntry,
    ISexecCLIResponse,
    ISgetDevEvtsResponse,
    ISgetDeviceResponse,
    ISgetDeviceTemplateResponse,
    ISgetEvtCountsResponse,
    ISgetExtensionResponse,
    ISgetExtensionTemplateResponse,
    ISgetExtEvtsResponse,
    ISgetGlobalResponse,
    ISgetPresenceGlobalResponse,
    ISgetSessionServerResponse,
    ISgetSipDeviceResponse,
    ISgetSipExtensionResponse,
    ISgetUserProfileResponse,
    ISgetUserResponse,
    ISgetUtilityDirectoryResponse,
    ISgetVoiceHuntGroupResponse,
    ISgetVoiceRegGlobalResponse,
    ISSaveConfigResponse,
    ISsetKeyPhonesResponse,
    ISSipDevice,
    ISunsetKeyPhonesResponse,
    ISupdateUserResponse,
    ISUserProfile,
    ISVoiceHuntGroup,
    PoolKeyword,
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
    # The seven queries of CME 12.x and later.
    templates = cme.get_device_template(dev_template_id=[1])
    assert_type(templates, ISgetDeviceTemplateResponse)
    assert_type(templates.device_template, list[ISDeviceTemplate])
    assert_type(
        cme.get_extension_template(extension_template_id=[1]), ISgetExtensionTemplateResponse
    )
    assert_type(cme.get_sip_device(pool_id=[1]), ISgetSipDeviceResponse)
    assert_type(cme.get_sip_device(pool_name=[PoolKeyword.ALL], stream=True), Iterator[ISSipDevice])
    assert_type(cme.get_sip_extension(voice_reg_dnid=[1]), ISgetSipExtensionResponse)
    profiles = cme.get_user_profile(user_profile_id=[1])
    assert_type(profiles, ISgetUserProfileResponse)
    assert_type(profiles.user_profile, list[ISUserProfile])
    directory = cme.get_utility_directory()
    assert_type(directory, ISgetUtilityDirectoryResponse)
    assert_type(directory.directory_entry, list[ISDirectoryEntry])
    hunt = cme.get_voice_hunt_group(voice_hunt_group_id=[1])
    assert_type(hunt, ISgetVoiceHuntGroupResponse)
    assert_type(hunt.voice_hunt_group, list[ISVoiceHuntGroup])
    assert_type(cme.release, str | None)


async def async_types(cme: AsyncCmeClient) -> None:
    assert_type(await cme.get_device(dev_id=[1]), ISgetDeviceResponse)
    assert_type(await cme.get_device_template(dev_template_id=[1]), ISgetDeviceTemplateResponse)
    assert_type(
        await cme.get_extension_template(extension_template_id=[1]), ISgetExtensionTemplateResponse
    )
    assert_type(await cme.get_sip_device(pool_id=[1]), ISgetSipDeviceResponse)
    assert_type(await cme.get_sip_extension(voice_reg_dnid=[1]), ISgetSipExtensionResponse)
    assert_type(await cme.get_user_profile(user_profile_id=[1]), ISgetUserProfileResponse)
    assert_type(await cme.get_utility_directory(), ISgetUtilityDirectoryResponse)
    assert_type(
        await cme.get_voice_hunt_group(voice_hunt_group_id=[1]), ISgetVoiceHuntGroupResponse
    )
    assert_type(await cme.exec_cli(["ephone 1"]), ISexecCLIResponse)
    assert_type(await cme.get_user("peter"), ISgetUserResponse)
