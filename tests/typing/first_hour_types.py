"""Pinned types of the first-hour surface: parse, iter_records, stream=True, keywords."""

from __future__ import annotations

from collections.abc import Iterator
from typing import assert_type

import ucxml
from ucxml.cme import AsyncCmeClient, CmeClient, DeviceNameKeyword
from ucxml.generated.cme.models import ISDevice, ISgetDeviceResponse


def sync(cme: CmeClient, data: bytes) -> None:
    assert_type(ucxml.parse(data), object)
    assert_type(ucxml.parse(data, type=ISgetDeviceResponse), ISgetDeviceResponse)
    assert_type(ucxml.iter_records(data), Iterator[object])
    assert_type(ucxml.iter_records(data, type=ISDevice), Iterator[ISDevice])
    assert_type(cme.get_device(dev_name=[DeviceNameKeyword.ALL]), ISgetDeviceResponse)
    assert_type(cme.get_device(dev_name=["all"], stream=True), Iterator[ISDevice])


async def asynchronous(cme: AsyncCmeClient) -> None:
    assert_type(await cme.get_device(dev_id=[1]), ISgetDeviceResponse)
    assert_type(await cme.get_device(dev_id=[1], stream=True), Iterator[ISDevice])
