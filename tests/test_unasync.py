"""The unasync tool: async source in, its sync twin out, by tokens and an explicit table."""

from __future__ import annotations

import textwrap

import pytest

from ucxml.codegen.unasync import NAMES, TWINS, UnasyncError, unasync


def _sync(source: str) -> str:
    return unasync(textwrap.dedent(source))


def test_keywords_are_dropped() -> None:
    source = """\
    async def f(x):
        async with x as y:
            async for z in y:
                await z.send()
        return await  g(x)
    """
    assert _sync(source) == textwrap.dedent(
        """\
        def f(x):
            with x as y:
                for z in y:
                    z.send()
            return g(x)
        """
    )


@pytest.mark.parametrize(("name", "twin"), sorted(NAMES.items()))
def test_each_name_of_the_table_is_renamed(name: str, twin: str) -> None:
    assert _sync(f"x = {name}\ny = obj.{name}()\n") == f"x = {twin}\ny = obj.{twin}()\n"


def test_protocol_names() -> None:
    source = """\
    class AsyncEmClient:
        async def __aenter__(self): ...
        async def __aexit__(self, *exc): await self.aclose()
        def __aiter__(self): ...
        async def __anext__(self): raise StopAsyncIteration
    """
    assert _sync(source) == textwrap.dedent(
        """\
        class EmClient:
            def __enter__(self): ...
            def __exit__(self, *exc): self.close()
            def __iter__(self): ...
            def __next__(self): raise StopIteration
        """
    )


def test_strings_and_comments_are_untouched() -> None:
    source = """\
    x = "await AsyncEmClient aclose"  # async def AsyncEmClient await arun
    y = '''async with AsyncTransport'''
    z = f"{AsyncEmClient} await {arun!r}"
    w = b"aclose"
    """
    assert _sync(source) == textwrap.dedent(source)


def test_only_names_are_renamed_not_parts_of_names() -> None:
    source = "AsyncEmClientX = my_arun + aclose_all + arun_\n"
    assert _sync(source) == source


def test_all_entries_are_renamed_other_strings_not() -> None:
    source = """\
    __all__ = ["AsyncEmClient", 'async_logout_all_action', "other"]
    names = ["AsyncEmClient"]
    """
    assert _sync(source) == textwrap.dedent(
        """\
        __all__ = ["EmClient", 'logout_all_action', "other"]
        names = ["AsyncEmClient"]
        """
    )


def test_private_async_modules_become_the_generated_twins() -> None:
    source = "from ucxml._async_client import AsyncClientBase, aexchange\n"
    expected = "from ucxml.generated._sync.client import ClientBase, exchange\n"
    assert _sync(source) == expected


def test_replacement_marker() -> None:
    source = """\
    # unasync: import threading
    import asyncio


    class C:
        def __init__(self) -> None:
            # unasync: self._lock = threading.Lock()
            self._lock = asyncio.Lock()
            self._n = 0
    """
    assert _sync(source) == textwrap.dedent(
        """\
        import threading


        class C:
            def __init__(self) -> None:
                self._lock = threading.Lock()
                self._n = 0
        """
    )


def test_replacement_marker_of_several_lines_replaces_a_multiline_statement() -> None:
    source = '''\
    class C:
        # unasync: """Synchronous, two
        # unasync: lines."""
        """Asynchronous.

        More.
        """

        x = 1
    '''
    assert _sync(source) == textwrap.dedent(
        '''\
        class C:
            """Synchronous, two
            lines."""

            x = 1
        '''
    )


def test_replacement_is_taken_as_written() -> None:
    source = """\
    # unasync: time.sleep(delay)  # stays: await asyncio.sleep
    await asyncio.sleep(delay)
    """
    assert _sync(source) == "time.sleep(delay)  # stays: await asyncio.sleep\n"


def test_drop_marker_removes_a_whole_definition() -> None:
    source = """\
    class S:
        def close(self) -> None:
            pass

        # unasync: drop
        @property
        async def aclose(self) -> None:
            if True:
                self.close()

        # a comment of the next method
        def keep(self) -> None:
            pass
    """
    assert _sync(source) == textwrap.dedent(
        """\
        class S:
            def close(self) -> None:
                pass


            # a comment of the next method
            def keep(self) -> None:
                pass
        """
    )


def test_drop_marker_of_the_last_method() -> None:
    source = """\
    class S:
        x = 1

        # unasync: drop
        async def aclose(self) -> None:
            self.close()


    y = 2
    """
    assert _sync(source) == "class S:\n    x = 1\n\n\n\ny = 2\n"


@pytest.mark.parametrize(
    "source",
    [
        "x = 1  # unasync: y = 1\n",
        "# unasync: y = 1\n\nx = 1\n",
        "# unasync: y = 1\n# a comment\nx = 1\n",
        "x = 1\n# unasync: y = 1\n",
        "# unasync: def f(): pass\ndef f():\n    pass\n",
    ],
    ids=["trailing", "blank-line", "comment-between", "nothing-follows", "compound"],
)
def test_misplaced_markers_are_refused(source: str) -> None:
    with pytest.raises(UnasyncError):
        unasync(source)


def test_every_twin_is_an_async_module_of_the_table() -> None:
    for source, target in TWINS.items():
        module = source.removesuffix(".py")
        assert NAMES[module] == f"generated._sync.{target.removesuffix('.py')}"
