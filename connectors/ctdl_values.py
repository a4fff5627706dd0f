"""Reading CTDL values whatever their vintage: language maps, concepts, references.

- Text is a language map (`{"en-US": "…"}`, values may be lists) in current
  documents and a plain string in 2016-era ones; `text()` takes the configured
  language, then the same primary language (`en` for `en-US`), then any.
- A controlled value is a `CredentialAlignmentObject` (`ceterms:targetNode`,
  `ceterms:targetNodeName`), a `skos:Concept` (`@id`, `skos:prefLabel`) or a
  bare term string (`deliveryType:OnlineOnly`); `concepts()` gives
  (code, label) pairs for all three.
- A reference is a URI string, an `{"@id": …}` object or an embedded node;
  `ctid_in()` finds the CTID in a registry URI (`…/resources/ce-<uuid>`).
"""

from __future__ import annotations

import re
from typing import Any

CTID = re.compile(
    r"ce-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I
)


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _first_text(value: Any) -> str | None:
    for item in as_list(value):
        if isinstance(item, str) and item.strip():
            return " ".join(item.split())
    return None


def _keys_by_preference(value: dict[str, Any], language: str) -> list[str]:
    """A language map's keys: the language asked for, then its primary
    language (`en` for `en-US`, `en-GB` for `en`), then the rest in order."""
    wanted = language.casefold()
    primary = wanted.split("-", 1)[0]
    keys = list(value)
    exact = [k for k in keys if k.casefold() == wanted]
    near = [
        k for k in keys if k not in exact and k.casefold().split("-", 1)[0] == primary
    ]
    return exact + near + [k for k in keys if k not in exact and k not in near]


def text(value: Any, language: str = "en") -> str | None:
    """One string from a plain string, a list or a language map."""
    if value is None:
        return None
    if isinstance(value, str | list):
        return _first_text(value)
    if not isinstance(value, dict):
        return None
    if "@value" in value:
        return _first_text(value["@value"])
    for key in _keys_by_preference(value, language):
        found = _first_text(value[key])
        if found:
            return found
    return None


def texts(value: Any, language: str = "en") -> list[str]:
    """Every string of the chosen language (a map's `keyword` holds lists)."""
    if isinstance(value, dict) and "@value" not in value:
        for key in _keys_by_preference(value, language):
            found = [t for t in (_first_text(v) for v in as_list(value[key])) if t]
            if found:
                return found
        return []
    return [t for t in (text(v, language) for v in as_list(value)) if t]


def concepts(value: Any, language: str = "en") -> list[tuple[str | None, str | None]]:
    """(code, label) of each CAO, Concept or term string."""
    out = []
    for item in as_list(value):
        if isinstance(item, str):
            out.append((item, item.rsplit(":", 1)[-1]))
        elif isinstance(item, dict):
            code = item.get("ceterms:targetNode") or item.get("@id")
            label = text(
                item.get("ceterms:targetNodeName")
                or item.get("skos:prefLabel")
                or item.get("ceterms:name"),
                language,
            )
            if isinstance(code, dict):  # {"@id": …}
                code = code.get("@id")
            out.append((code if isinstance(code, str) else None, label))
    return out


def labels(value: Any, language: str = "en") -> list[str]:
    return [label or code for code, label in concepts(value, language) if label or code]


def ref_of(value: Any) -> str | None:
    """The URI (or blank node id) a reference names."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        ref = value.get("@id")
        if isinstance(ref, str) and ref:
            return ref
        ctid = value.get("ceterms:ctid")
        return ctid.lower() if isinstance(ctid, str) and ctid else None
    return None


def ctid_in(uri: str | None) -> str | None:
    if not uri:
        return None
    match = CTID.search(uri)
    return match.group(0).lower() if match else None


def local_type(node: dict[str, Any]) -> str:
    """`ceterms:BachelorOfScienceDegree` -> `BachelorOfScienceDegree`."""
    for kind in as_list(node.get("@type")):
        if isinstance(kind, str) and kind:
            return kind.rsplit(":", 1)[-1].rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return ""
