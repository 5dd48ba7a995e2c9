"""AXL calls mypy must reject: the test fails if any of these type-checks."""

from __future__ import annotations

from ucxml.axl import AsyncAxlClient, AxlClient, AxlValue


def misuse(axl: AxlClient) -> None:
    axl.call("getUser", "tttt")  # the parameters are a mapping, not a bare string
    axl.call("getUser", [("userid", "tttt")])  # nor a list of pairs
    axl.call("getUser", {"userid": "tttt"}, 1234)  # the sequence is keyword-only
    axl.call("getUser", sequence="1234")  # a sequence is an int
    AxlClient("https://cucm:8443", username="admin")  # the password is required
    value: dict[str, AxlValue] = axl.call("getUser").return_value  # may be text or None


async def async_misuse(axl: AsyncAxlClient) -> None:
    answer = axl.call("getUser")
    answer.to_dict()  # not awaited: a coroutine has no to_dict
