"""Tests for imagespider.rights.embedded, on image bytes written by Pillow.

Every image below is produced by Pillow, with metadata blocks built byte by byte where Pillow has
no writer (IPTC IIM in APP13, corrupt blocks, refused packets). Real files written by cameras and
editors, checked against exiftool, are in test_rights_embedded_real.py. What each block's own
reader does is in test_rights_xmp.py and test_rights_iim.py; here, how embedded.py reconciles
them (the Metadata Working Group's order), EXIF, and input that is not an image at all.
"""

from __future__ import annotations

import hashlib
import struct
from pathlib import Path

import pytest
from PIL import Image

from imagespider.rights.embedded import DATA_MINING_PROHIBITED, EmbeddedRights, data_mining_prohibited, read_embedded
from tests.embedded_samples import (
    BILLION_LAUGHS,
    DMI,
    EXPECTED_XMP,
    LICENSE,
    REAL_FIXTURES,
    RIGHTS,
    USAGE,
    WEB_STATEMENT,
    XMP_ELEMENTS,
    app13,
    iim_record,
    insert_after_soi,
    save,
    with_xmp,
)


def test_to_dict_omits_unset_fields() -> None:
    assert EmbeddedRights().to_dict() == {}
    assert EmbeddedRights(creator="A", malformed=("xmp",)).to_dict() == {
        "creator": "A",
        "malformed": ["xmp"],
    }
    assert EXPECTED_XMP.to_dict() == {
        "license_url": LICENSE,
        "web_statement": WEB_STATEMENT,
        "usage_terms": USAGE,
        "marked": True,
        "copyright": RIGHTS,
        "creator": "Ada Photographer",
        "credit": "Ada Photo Agency",
        "data_mining": DMI,
    }


# --------------------------------------------------------------------------- EXIF, XMP and IIM together


def test_exif_wins_then_xmp_in_sync_with_iptc() -> None:
    """MWG (exiftool's MWG module): a non-blank EXIF value first; else XMP when no IPTC digest
    says it is out of sync with IIM."""
    exif = Image.Exif()
    exif[0x8298] = "EXIF copyright"
    jpeg = save("JPEG", xmp=XMP_ELEMENTS, exif=exif)
    data = insert_after_soi(
        jpeg, app13(iim_record(2, 116, b"IIM copyright") + iim_record(2, 80, b"IIM byline"))
    )
    rights = read_embedded(data)
    assert rights.copyright == "EXIF copyright"
    assert rights.creator == "Ada Photographer"  # no EXIF Artist, no digest: XMP


def app13_with_digest(iim: bytes, digest: bytes) -> bytes:
    """APP13 with the IIM resource and Photoshop's IPTCDigest resource (0x0425)."""
    def resource(rid: int, data: bytes) -> bytes:
        return b"8BIM" + struct.pack(">H", rid) + b"\x00\x00" + struct.pack(">I", len(data)) + data + b"\x00" * (len(data) % 2)

    payload = b"Photoshop 3.0\x00" + resource(0x0404, iim) + resource(0x0425, digest)
    return b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload


@pytest.mark.parametrize(("in_sync", "expected"), [(True, RIGHTS), (False, "IIM copyright")])
def test_iptc_digest_decides_between_xmp_and_iim(in_sync: bool, expected: str) -> None:
    iim = iim_record(2, 116, b"IIM copyright")
    digest = hashlib.md5(iim).digest() if in_sync else b"\x00" * 16  # noqa: S324
    data = insert_after_soi(save("JPEG", xmp=XMP_ELEMENTS), app13_with_digest(iim, digest))
    assert read_embedded(data).copyright == expected


def test_iim_truncated_copy_of_xmp_gives_xmp() -> None:
    """exiftool's RecoverTruncatedIPTC: IIM cut at its 128-byte limit is the longer XMP value."""
    long = "© " + "x" * 200
    packet = XMP_ELEMENTS.replace(RIGHTS.encode(), long.encode())
    iim = iim_record(2, 116, long.encode()[:128])
    data = insert_after_soi(save("JPEG", xmp=packet), app13_with_digest(iim, b"\x00" * 16))
    assert read_embedded(data).copyright == long


def test_iptc_wins_over_xmp_missing_and_exif_blank() -> None:
    exif = Image.Exif()
    exif[0x8298] = "  "
    exif[0x013B] = "EXIF artist"
    data = insert_after_soi(save("JPEG", exif=exif), app13(iim_record(2, 116, b"IIM copyright")))
    rights = read_embedded(data)
    assert rights.copyright == "IIM copyright"
    assert rights.creator == "EXIF artist"


# --------------------------------------------------------------------------- EXIF


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_exif_copyright_and_artist(fmt: str) -> None:
    exif = Image.Exif()
    exif[0x8298] = "Copyright 2022 Bo Shooter"
    exif[0x013B] = "Bo Shooter"
    rights = read_embedded(save(fmt, exif=exif))
    assert rights == EmbeddedRights(copyright="Copyright 2022 Bo Shooter", creator="Bo Shooter")


def test_exif_copyright_photographer_and_editor_parts() -> None:
    exif = Image.Exif()
    exif[0x8298] = "Bo Shooter\x00Ed Itor"
    assert read_embedded(save("JPEG", exif=exif)).copyright == "Bo Shooter; Ed Itor"


def test_corrupt_exif_is_reported() -> None:
    payload = b"Exif\x00\x00" + b"not a tiff header at all, just junk"
    segment = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    rights = read_embedded(insert_after_soi(save("JPEG"), segment))
    assert rights.malformed == ("exif",)


# --------------------------------------------------------------------------- malformed input


def test_malformed_xmp_keeps_other_blocks() -> None:
    exif = Image.Exif()
    exif[0x013B] = "Bo Shooter"
    rights = read_embedded(save("JPEG", xmp=BILLION_LAUGHS, exif=exif))
    assert rights == EmbeddedRights(creator="Bo Shooter", malformed=("xmp",))


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_truncated_files_do_not_raise(fmt: str) -> None:
    data = with_xmp(fmt, XMP_ELEMENTS)
    for cut in (0, 1, 2, 10, 30, 100, len(data) // 2, len(data) - 10):
        assert isinstance(read_embedded(data[:cut]), EmbeddedRights)


def test_truncated_after_metadata_still_reads_it() -> None:
    data = save("JPEG", xmp=XMP_ELEMENTS)
    sos = data.index(b"\xff\xda")
    assert read_embedded(data[: sos + 20]) == EXPECTED_XMP


@pytest.mark.parametrize(
    "data",
    [
        b"<!DOCTYPE html><html><head><title>403 Forbidden</title></head></html>",
        b"",
        b"\xff\xd8\xff",
        b"\x89PNG\r\n\x1a\n",
        bytes(range(256)) * 4,
    ],
    ids=["html", "empty", "jpeg-soi-only", "png-signature-only", "noise"],
)
def test_non_images_give_nothing(data: bytes) -> None:
    assert read_embedded(data) == EmbeddedRights()


def test_does_not_decode_pixels() -> None:
    """Metadata must be readable from a file whose pixel data is garbage."""
    data = bytearray(save("JPEG", xmp=XMP_ELEMENTS))
    sos = data.index(b"\xff\xda")
    data[sos + 20 : -2] = b"\x00" * (len(data) - sos - 22)
    assert read_embedded(bytes(data)) == EXPECTED_XMP


@pytest.mark.skipif(not REAL_FIXTURES.is_dir(), reason="no real images with rights metadata")
@pytest.mark.parametrize(
    "path", sorted(p for p in REAL_FIXTURES.glob("*") if p.suffix != ".py") if REAL_FIXTURES.is_dir() else []
)
def test_real_fixtures_do_not_raise(path: Path) -> None:
    assert isinstance(read_embedded(path.read_bytes()), EmbeddedRights)


# --------------------------------------------------------------------------- data mining


@pytest.mark.parametrize(
    "value",
    [
        DMI,
        "http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED",
        "http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-GENAIMLTRAINING",
        "http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-EXCEPTSEARCHENGINEINDEXING",
        "http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-SEECONSTRAINT",
        "dmi-prohibited-aimltraining",
        " plus:DMI-PROHIBITED ",
    ],
)
def test_data_mining_prohibited(value: str) -> None:
    assert data_mining_prohibited(value)


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "http://ns.useplus.org/ldf/vocab/DMI-ALLOWED",
        "http://ns.useplus.org/ldf/vocab/DMI-UNSPECIFIED",
        "http://ns.useplus.org/ldf/vocab/DMI-ALLOWED-WITH-CONSTRAINTS",
        "something else",
    ],
)
def test_data_mining_not_prohibited(value: str | None) -> None:
    assert not data_mining_prohibited(value)


def test_prohibited_set_is_upper_case_terms() -> None:
    assert "DMI-PROHIBITED-AIMLTRAINING" in DATA_MINING_PROHIBITED
    assert all(term == term.upper() and "/" not in term for term in DATA_MINING_PROHIBITED)
