"""imagespider/rights/iim.py: IPTC IIM datasets found in a file's Photoshop resources and parsed,
and the IPTCDigest that says whether XMP was synchronised with them."""

from __future__ import annotations

import hashlib
import io
import struct

import pytest
from PIL import Image, PngImagePlugin

from imagespider.rights.embedded import EmbeddedRights, read_embedded
from imagespider.rights.iim import IimBlock, IimError, find_iim, parse_iim, photoshop_resources
from tests.embedded_samples import RIGHTS, XMP_ELEMENTS, app13, iim_record, insert_after_soi, jpeg_with_iptc, save


def test_iptc_iim_in_jpeg_app13() -> None:
    iim = (
        iim_record(1, 90, b"\x1b%G")
        + iim_record(2, 116, "© 2023 Jürgen Example".encode())
        + iim_record(2, 80, b"Jurgen Example")
        + iim_record(2, 80, b"Second Byline")
        + iim_record(2, 110, b"Example Agency")
    )
    data = jpeg_with_iptc(iim)
    rights = read_embedded(data)
    assert rights == EmbeddedRights(
        copyright="© 2023 Jürgen Example", creator="Jurgen Example", credit="Example Agency"
    )


def test_iptc_latin1_without_charset_record() -> None:
    data = jpeg_with_iptc(iim_record(2, 116, "© Jürgen".encode("latin-1")))
    assert read_embedded(data).copyright == "© Jürgen"


@pytest.mark.parametrize(
    "iim",
    [b"garbage, not IIM", iim_record(2, 116, b"truncated")[:4]],
    ids=["not-iim", "truncated-record"],
)
def test_malformed_iptc_is_reported(iim: bytes) -> None:
    data = insert_after_soi(save("JPEG", xmp=XMP_ELEMENTS), app13(iim))
    rights = read_embedded(data)
    assert rights.malformed == ("iptc",)
    assert rights.copyright == RIGHTS  # the good XMP block still counts


# --------------------------------------------------------------------------- the module's own functions


def test_parse_iim_keeps_repeated_datasets_in_order_and_reads_extended_lengths() -> None:
    long = b"x" * 40
    extended = bytes([0x1C, 2, 120]) + struct.pack(">H", 0x8002) + struct.pack(">H", len(long)) + long
    data = iim_record(2, 80, b"First") + iim_record(2, 80, b"Second") + extended + b"\x00\x00"  # padding
    assert parse_iim(data) == {(2, 80): [b"First", b"Second"], (2, 120): [long]}


@pytest.mark.parametrize(
    "data",
    [b"garbage", iim_record(2, 116, b"cut short")[:-3], bytes([0x1C, 2, 116, 0x80]),
     bytes([0x1C, 2, 120]) + struct.pack(">H", 0x8008) + b"\x00" * 8],
    ids=["not-iim", "truncated-dataset", "truncated-header", "extended-length-too-wide"],
)
def test_parse_iim_refuses_a_broken_block(data: bytes) -> None:
    with pytest.raises(IimError):
        parse_iim(data)


def test_photoshop_resources_splits_padded_names_and_sizes() -> None:
    def resource(rid: int, name: bytes, data: bytes) -> bytes:
        pascal = bytes([len(name)]) + name
        pascal += b"\x00" * (len(pascal) % 2)
        return b"8BIM" + struct.pack(">H", rid) + pascal + struct.pack(">I", len(data)) + data + b"\x00" * (len(data) % 2)

    block = resource(0x0404, b"", b"odd") + resource(0x0425, b"ab", b"0123456789abcdef") + b"junk after"
    assert photoshop_resources(block) == {0x0404: b"odd", 0x0425: b"0123456789abcdef"}
    assert photoshop_resources(b"not resources") == {}


def _open(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


@pytest.mark.parametrize(("digest", "matches"), [(None, None), ("md5", True), ("stale", False)])
def test_find_iim_in_jpeg_app13_compares_the_stored_digest(digest: str | None, matches: bool | None) -> None:
    iim = iim_record(2, 116, b"IIM copyright")
    resources = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(iim)) + iim
    resources += b"\x00" * (len(iim) % 2)
    if digest is not None:
        stored = hashlib.md5(iim).digest() if digest == "md5" else b"\x00" * 16  # noqa: S324
        resources += b"8BIM" + struct.pack(">H", 0x0425) + b"\x00\x00" + struct.pack(">I", 16) + stored
    payload = b"Photoshop 3.0\x00" + resources
    segment = b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload
    block = find_iim(_open(insert_after_soi(save("JPEG"), segment)))
    assert block == IimBlock({(2, 116): [b"IIM copyright"]}, matches)


def test_find_iim_reads_imagemagicks_raw_profile_in_png() -> None:
    iim = iim_record(2, 116, b"PNG copyright")
    image = Image.new("RGB", (8, 8))
    info = PngImagePlugin.PngInfo()
    info.add_text("Raw profile type iptc", f"\niptc\n{len(iim)}\n{iim.hex()}\n")
    buf = io.BytesIO()
    image.save(buf, "PNG", pnginfo=info)
    assert find_iim(_open(buf.getvalue())) == IimBlock({(2, 116): [b"PNG copyright"]}, None)


def test_find_iim_without_a_block_is_none_and_a_bad_raw_profile_an_error() -> None:
    assert find_iim(_open(save("JPEG"))) is None
    image = Image.new("RGB", (8, 8))
    info = PngImagePlugin.PngInfo()
    info.add_text("Raw profile type iptc", "\niptc\n12\nnot hex at all\n")
    buf = io.BytesIO()
    image.save(buf, "PNG", pnginfo=info)
    with pytest.raises(IimError):
        find_iim(_open(buf.getvalue()))
