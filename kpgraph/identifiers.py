"""Company identifiers as two companies that are one would write them: registration
numbers and addresses normalised so that "AE-2002" and "ae 2002", or "12 Harbour St." and
"12 HARBOUR STREET", are one. The one normalisation of the project: the shell-company rule
and the ``shared_identifiers`` query use it, and their Cypher writes the same steps out
(:data:`CYPHER_REGISTRATION`, :data:`CYPHER_ADDRESS`; a test holds them equal)."""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["normalise_address", "normalise_registration", "ADDRESS_WORDS",
           "CYPHER_REGISTRATION", "CYPHER_ADDRESS", "cypher_words"]

# Written forms of the same address word. Extend with care: every entry can merge two real
# addresses.
ADDRESS_WORDS = {"st": "street", "str": "street", "rd": "road", "ave": "avenue",
                 "av": "avenue", "blvd": "boulevard", "bldg": "building", "fl": "floor",
                 "no": "number", "ste": "suite", "twr": "tower"}

# The same steps in Cypher (APOC's regreplace; Java's \p{L}\p{N} are Python's [^\W_]), on
# VALUE, with the map ADDRESS_WORDS bound to `words`, as the canned queries write them.
CYPHER_REGISTRATION = "toUpper(apoc.text.regreplace(VALUE, '[^0-9A-Za-z]', ''))"
CYPHER_ADDRESS = ("apoc.text.join([w IN split(trim(apoc.text.regreplace(toLower(VALUE), "
                  "'[^\\\\p{L}\\\\p{N}]+', ' ')), ' ') | coalesce(words[w], w)], ' ')")


def cypher_words() -> str:
    """:data:`ADDRESS_WORDS` as a Cypher map literal."""
    return "{" + ", ".join(f"`{k}`: '{v}'" for k, v in ADDRESS_WORDS.items()) + "}"


def normalise_address(text) -> str | None:
    """Lower case, words only (runs of letters and digits: punctuation and spacing
    dropped), common abbreviations spelled out (:data:`ADDRESS_WORDS`).

    >>> normalise_address("Office 12, 7 Harbour St.")
    'office 12 7 harbour street'
    """
    if text is None or pd.isna(text):
        return None
    words = re.findall(r"[^\W_]+", str(text).lower())
    return " ".join(ADDRESS_WORDS.get(w, w) for w in words) or None


def normalise_registration(text) -> str | None:
    """Letters and digits only, upper case.

    >>> normalise_registration("ae-123 45")
    'AE12345'
    """
    if text is None or pd.isna(text):
        return None
    return re.sub(r"[^0-9A-Za-z]", "", str(text)).upper() or None
