"""C2PA Content Credentials in an image: whether it was made by generative AI, and whether its
owner said "do not train on this".

A C2PA manifest store (JUMBF in a JPEG's APP11, a PNG ``caBX`` chunk, a WebP ``C2PA`` chunk...)
holds one manifest per editing step. Two kinds of assertion matter here (real samples and what
each says: tests/fixtures/README.md, C2PA section):

* ``c2pa.actions`` / ``c2pa.actions.v2``: each action may carry an IPTC ``digitalSourceType``
  (``trainedAlgorithmicMedia`` for a generated image, ``compositeWithTrainedAlgorithmicMedia``
  for a generative fill...). Adobe also writes it as an action parameter
  ``com.adobe.digitalSourceType``. It is often only in an ingredient's manifest (an OpenAI image
  re-signed by ChatGPT), so every manifest in the store is read, not only the active one.
* ``c2pa.training-mining`` and its successor ``cawg.training-mining``: entries such as
  ``c2pa.ai_generative_training`` with ``use`` = ``allowed`` / ``notAllowed`` / ``constrained``.
  Every ``notAllowed`` entry, in any manifest, is an opt-out (opt-out always wins: docs/licenses.md),
  and so is every ``constrained`` one: CAWG's training-and-data-mining assertion 1.1 says "in the
  absence of additional information, constrained shall be treated as equivalent to notAllowed",
  and a crawler has no such information (the constraint is for a person to negotiate).

Reading uses the ``c2pa-python`` package (the C2PA reference SDK, c2pa-rs) offline: no remote
manifest and no OCSP fetch from a check worker. A signature that is not trusted or has expired does
not hide what the manifest says: the statements are evidence, as every other embedded field is.
A file whose C2PA data cannot be read is not an error: ``error`` says why, and nothing is
concluded from it.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

try:  # the C2PA reference SDK (c2pa-python, a native library): imported before check workers fork
    import c2pa
except ImportError:  # pragma: no cover - pinned in requirements.txt; without it C2PA is unread
    c2pa = None

__all__ = ["C2paFacts", "facts_from_store", "read_c2pa"]

MIME_TYPES = {"JPEG": "image/jpeg", "MPO": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp",
              "GIF": "image/gif", "TIFF": "image/tiff", "BMP": "image/bmp"}  # fmt: skip
TRAINING_MINING_LABELS = ("c2pa.training-mining", "cawg.training-mining")
ACTIONS_LABELS = ("c2pa.actions", "c2pa.actions.v2")


@dataclass(frozen=True, slots=True)
class C2paFacts:
    """What a C2PA manifest store says, for the manifest's ``rights`` column and the verdict."""

    #: The active manifest's claim generator (the app that signed it), when a store was read.
    generator: str | None = None
    #: Every digitalSourceType stated, as "<action>: <IPTC term URI>", in store order.
    source_types: tuple[str, ...] = ()
    #: Training-and-mining entries whose use is notAllowed or constrained (``cawg.ai_training``...).
    not_allowed: tuple[str, ...] = ()
    #: Why a store that is present could not be read (then nothing else is known).
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.generator:
            out["generator"] = self.generator
        if self.source_types:
            out["digital_source_types"] = list(self.source_types)
        if self.not_allowed:
            out["training_not_allowed"] = list(self.not_allowed)
        if self.error:
            out["error"] = self.error
        return out


def read_c2pa(body: bytes, image_format: str | None) -> C2paFacts | None:
    """The file's C2PA facts, or None when it carries no manifest store; never raises.

    Every manifest store is labelled "c2pa" in its JUMBF boxes, so a body without those four bytes
    is passed over without calling the SDK (most images on the web).
    """
    if b"c2pa" not in body:
        return None
    mime = MIME_TYPES.get(image_format or "")
    if mime is None:
        return None
    if c2pa is None:
        return C2paFacts(error="c2pa-python is not installed")
    try:
        reader = c2pa.Reader.try_create(mime, io.BytesIO(body), None, _offline_context())
        if reader is None:
            return None
        with reader:
            store = json.loads(reader.json())
    except Exception as error:  # noqa: BLE001  (C2paError, a missing library, bad JSON: nothing known)
        text = str(error).splitlines()[0] if str(error) else ""
        return C2paFacts(error=f"{type(error).__name__}: {text}"[:300])
    return facts_from_store(store)


@cache
def _offline_context() -> Any:
    settings = c2pa.Settings.from_dict({"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}})
    return c2pa.Context(settings)


def facts_from_store(store: dict[str, Any]) -> C2paFacts:
    """Interpret ``Reader.json()`` (a manifest store: ``active_manifest`` and ``manifests``)."""
    manifests = store.get("manifests")
    if not isinstance(manifests, dict):
        return C2paFacts()
    active = manifests.get(store.get("active_manifest")) or {}
    source_types: list[str] = []
    not_allowed: list[str] = []
    # The active manifest first, then its ingredients' manifests.
    ordered = [active, *(m for label, m in manifests.items() if label != store.get("active_manifest"))]
    for manifest in ordered:
        for assertion in _assertions(manifest):
            label, data = assertion.get("label"), assertion.get("data")
            if not isinstance(data, dict):
                continue
            if label in ACTIONS_LABELS:
                source_types += _source_types(data.get("actions"))
            elif label in TRAINING_MINING_LABELS:
                not_allowed += _not_allowed(data.get("entries"))
    return C2paFacts(
        generator=_generator(active),
        source_types=tuple(dict.fromkeys(source_types)),
        not_allowed=tuple(dict.fromkeys(not_allowed)),
    )


def _assertions(manifest: Any) -> Iterable[dict[str, Any]]:
    assertions = manifest.get("assertions") if isinstance(manifest, dict) else None
    return [a for a in assertions if isinstance(a, dict)] if isinstance(assertions, list) else []


def _source_types(actions: Any) -> list[str]:
    out: list[str] = []
    for action in actions if isinstance(actions, list) else []:
        if not isinstance(action, dict):
            continue
        name = str(action.get("action") or "action")
        parameters = action.get("parameters")
        if not isinstance(parameters, dict):
            parameters = {}
        for value in (action.get("digitalSourceType"), parameters.get("com.adobe.digitalSourceType")):
            if isinstance(value, str) and value.strip():
                out.append(f"{name}: {value.strip()}")
    return out


#: ``use`` values that reserve: notAllowed, and constrained read as notAllowed (CAWG 1.1).
_RESERVING_USES = frozenset({"notallowed", "constrained"})


def _not_allowed(entries: Any) -> list[str]:
    if not isinstance(entries, dict):
        return []
    return [
        str(key) for key, entry in entries.items()
        if isinstance(entry, dict) and str(entry.get("use", "")).strip().lower() in _RESERVING_USES
    ]  # fmt: skip


def _generator(manifest: dict[str, Any]) -> str | None:
    info = manifest.get("claim_generator_info")
    if isinstance(info, list) and info and isinstance(info[0], dict) and info[0].get("name"):
        version = info[0].get("version")
        return f"{info[0]['name']} {version}".strip() if version else str(info[0]["name"])
    generator = manifest.get("claim_generator")
    return str(generator) if generator else None
