"""Calls mypy must reject: the test fails if any of these type-checks."""

from __future__ import annotations

from ucxml.cme import CmeClient


def misuse(cme: CmeClient) -> None:
    cme.get_device(dev_id=["one"])  # a tag is an int
    cme.get_device(1)  # selectors are keyword-only
    cme.get_user(user_id=7)  # a user id is a string
    cme.update_user(user_id="peter")  # the password is required
    result: str = cme.get_global()  # returns a model, not a string
