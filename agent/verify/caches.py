"""Every cache of the verifier, cleared in one place: a rule switch forgets indexed texts, a
cold-start timing their parses too. Importing this module (the package does) lets ``rules``
clear them without importing the modules that hold them."""

from __future__ import annotations

from ..figures import _extract_cached
from . import entities, frames, index, negation, roles, rules


def clear_caches(*, parses: bool = True) -> None:
    """Forget indexed texts (rule switches), and their parses (cold-start timing)."""
    index.source_index.cache_clear()
    index.mentions.cache_clear()
    if parses:
        frames._PARSES.cache_clear()
        frames._ENTS.cache_clear()
        entities.name_index.cache_clear()
        negation._source_clauses.cache_clear()
        negation._source_sentences.cache_clear()
        roles._source_roles.cache_clear()
        _extract_cached.cache_clear()


rules.on_switch(lambda: clear_caches(parses=False))
