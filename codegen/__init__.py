"""ucxml.codegen: schemas + manifest -> generated bindings (``python -m ucxml.codegen``).

A staged pipeline, after xsdata's: load the manifest (:mod:`.manifest`), generate dataclass
models with xsdata used as a library (:mod:`.models`), read the generated classes back
(:mod:`.inspect`), parse the API's errata (:mod:`.errata`), render the operation stubs and
registry from jinja2 templates (:mod:`.render`), write the sync twins of the hand-written
async client shells (:mod:`.unasync`), then format and write or compare the output
(:mod:`.pipeline`). The runtime never imports this package.
"""

from ucxml.codegen.pipeline import check, generate

__all__ = ["check", "generate"]
