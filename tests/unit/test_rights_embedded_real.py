"""Embedded rights read from real files, against exiftool's reading of the same files.

The files are in tests/fixtures/images/ (sources in tests/fixtures/README.md; the two
``__metadata-only`` ones carry a large original's metadata segments byte for byte on a small
image, see derive.py there). Expected values are what ExifTool 12.57 prints for
``exiftool -charset exif=utf8 -MWG:Copyright -MWG:Creator -XMP-photoshop:Credit -XMP-xmpRights:all
-XMP-plus:all -XMP-iptcExt:DigitalSourceType`` (the MWG module's reconciliation of EXIF, IIM and
XMP; Credit has no MWG tag and follows the same IIM/XMP rule). They are written out here, so the
tests need no exiftool.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from imagespider.pipelines.imagecheck import inspect_image
from imagespider.rights.embedded import read_embedded, read_embedded_from

IMAGES = Path(__file__).parents[1] / "fixtures" / "images"
BIG = 10**9

#: file -> the fields read (EmbeddedRights.to_dict()), exactly.
EXPECTED: dict[str, dict[str, Any]] = {
    # MPO (MPF segment), UTF-16BE XMP, IPTCDigest out of date: EXIF wins for copyright/creator.
    "exiftool__ExifTool.jpg": {
        "web_statement": "https://exiftool.org/", "marked": False,
        "copyright": "Copyright 2004 Phil Harvey", "creator": "Phil Harvey", "credit": "My Credit",
    },
    # UTF-16BE XMP only, and EXIF.
    "exiftool__XMP.jpg": {
        "web_statement": "https://exiftool.org/", "marked": False,
        "copyright": "Copyright 2004 Phil Harvey", "creator": "Phil Harvey", "credit": "My Credit",
    },
    # The MWG test image: RIGHT-* values are what MWG reconciliation must pick. EXIF Artist is an
    # MWG string list "RIGHT1of2-EXIF-Creator; RIGHT2of2-EXIF-Creator": its first entry is the creator.
    "exiftool__MWG.jpg": {"copyright": "RIGHT-XMP-Copyright", "creator": "RIGHT1of2-EXIF-Creator"},
    "exiftool__IPTC.jpg": {"copyright": "Copyright 2004 Phil Harvey", "creator": "Phil Harvey", "credit": "My Credit"},
    # XMP after IDAT: seen once the image is loaded.
    "exiftool__PNG.png": {"creator": "Phil Harvey"},
    "exiftool__RIFF.webp": {"creator": "me"},
    "exiftool__ExifTool.tif": {"copyright": "Copyright notice", "creator": "I'm the author", "credit": "Phil Harvey"},
    "exiftool__PhotoMechanic.jpg": {"marked": True, "copyright": "Copyright", "creator": "Photographer", "credit": "Credit"},
    # XMP and IIM disagree and Photoshop's IPTCDigest does not match the IIM: IIM wins (MWG).
    "bep-imagemeta__metadata_demo_iim_and_xmp_only.jpg": {
        "web_statement": "metadatamatters.blog",
        "usage_terms": "This is the Rights Usage Terms field. For real, this test image is licensed under Creative Commons 4.0",
        "marked": True,
        "copyright": "© Copyright 2017 Carl Seibert  metadatamatters.blog (IIM)",
        "creator": "Carl Seibert (IIM)",
        "credit": "credit here",
        "copyright_owner": ["Joe Photographer"],
        "digital_source_type": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture",
    },
    # EXIF Copyright written in UTF-8 ("\xc2\xa9"): "©", not "Â©".
    "bep-imagemeta__metadata_demo_exif_only.jpg": {
        "copyright": "© Copyright 2017 Carl Seibert  metadatamatters.blog (Exif)", "creator": "Carl Seibert (Exif)",
    },
    # eXIf with UTF-8 Artist/Copyright, and IIM in a zTXt "Raw profile type iptc" chunk (no XMP).
    "bep-imagemeta__bep_sunrise__metadata-only.png": {
        "copyright": "Bjørn Erik Pedersen", "creator": "Bjørn Erik Pedersen",
    },
    # IPTC Photo Metadata reference 2024.1: PLUS Data Mining, Other Constraints, licensors,
    # copyright owners, Digital Source Type.
    "aidin36-xmp__IPTC-PhotometadataRef-Std2024.1__metadata-only.jpg": {
        "web_statement": "https://example.com/WebStatementOfRights/ref2023.2",
        "usage_terms": "Rights Usage Terms (ref2023.2)",
        "copyright": "Copyright (Notice) 2023.2 IPTC - www.iptc.org  (ref2023.2)",
        "creator": "Creator1 (ref2023.2)",
        "credit": "Credit Line (ref2023.2)",
        "data_mining": "http://ns.useplus.org/ldf/vocab/DMI-PROHIBITED-GENAIMLTRAINING",
        "other_constraints": "Data Mining for Generative AI/ML training is definitely prohibited",
        "licensor": ["Licensor Name 1 (ref2023.2)", "Licensor Name 2 (ref2023.2)"],
        "copyright_owner": ["Copyright Owner Name 1 (ref2023.2)", "Copyright Owner Name 2 (ref2023.2)"],
        "digital_source_type": "http://cv.iptc.org/newscodes/digitalsourcetype/softwareImage",
    },
    # All three out of sync (Carl Seibert's demo): EXIF wins over IIM and XMP.
    "bep-imagemeta__metadata_demo_inc_exif_out_of_sync_Inc_adobe__metadata-only.jpg": {
        "web_statement": "metadatamatters.blog",
        "usage_terms": "This is the Rights Usage Terms field. For real, this test image is licensed under Creative Commons 4.0",
        "marked": True,
        "copyright": "© Copyright 2017 Carl Seibert  metadatamatters.blog (Exif)",
        "creator": "Carl Seibert (Exif)",
        "credit": "credit here",
        "copyright_owner": ["Joe Photographer"],
        "digital_source_type": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture",
    },
    # Lightroom export, IPTCDigest current; UTF-8 non-ASCII name in every block.
    "bep-imagemeta__bep_sunrise__metadata-only.jpg": {
        "marked": True, "copyright": "Bjørn Erik Pedersen", "creator": "Bjørn Erik Pedersen",
    },
    "bep-imagemeta__issue-xmp-iptc-misalignment.jpg": {
        "copyright": "Creative Commons Attribution-ShareAlike (CC BY-SA)", "creator": "Lukas Nagel",
    },
    "bep-imagemeta__mushroom.jpg": {
        "copyright": "Creative Commons Attribution-ShareAlike (CC BY-SA)", "creator": "Lukas Nagel",
    },
    "bep-imagemeta__metadata-extractor_adobeJpeg1.jpg": {"marked": True, "copyright": "1999 Lars Borg"},
    "bep-imagemeta__metadata-extractor_withExifAndIptc.jpg": {
        "web_statement": "www.freefoto.com", "marked": True, "copyright": "ian Britton - FreeFoto.com",
        "creator": "Ian Britton", "credit": "Ian Britton",
    },
    "bep-imagemeta__metadata-extractor_withIptc.jpg": {"copyright": "Copyright", "creator": "Byline", "credit": "Credits"},
    "bep-imagemeta__metadata-extractor_withIptcPhotoshop6.jpg": {
        "copyright": "Copyright", "creator": "Byline", "credit": "Credits",
    },
    # An APP1 XMP segment with a non-standard header (exiftool warns), read all the same.
    "bep-imagemeta__metadata-extractor_withXmp.jpg": {
        "copyright": "CHRISTOF STACHE", "creator": "CHRISTOF STACHE", "credit": "AFP/Getty Images",
    },
    "exiftool__ExtendedXMP.jpg": {},
    "exiftool__GIF.gif": {},
    # PSD: XMP and IIM in image resources 0x0424 / 0x0404, IPTCDigest current.
    "exiftool__Photoshop.psd": {"web_statement": "https://exiftool.org/", "copyright": "Free for all", "creator": "Phil Harvey"},
}  # fmt: skip

#: Read by read_embedded only: the image check refuses these formats (not dataset formats).
NOT_DATASET_FORMATS = (".tif", ".psd")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_reads_as_exiftool_mwg_does(name: str) -> None:
    with Image.open(IMAGES / name) as im:
        im.load()
        assert read_embedded_from(im).to_dict() == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if not n.endswith(NOT_DATASET_FORMATS)))
def test_the_image_check_reads_the_same(name: str) -> None:
    """The worker's path: the check's own decoded image gives the same reading."""
    facts = inspect_image((IMAGES / name).read_bytes(), 1, 1, BIG)
    assert facts.embedded.to_dict() == EXPECTED[name]


def test_mpo_is_kept_as_jpeg() -> None:
    body = (IMAGES / "exiftool__ExifTool.jpg").read_bytes()
    assert Image.open(IMAGES / "exiftool__ExifTool.jpg").format == "MPO"  # what Pillow calls it
    facts = inspect_image(body, 1, 1, BIG)
    assert (facts.format, facts.width, facts.height) == ("JPEG", 8, 8)


def test_iim_in_png_raw_profile_is_read() -> None:
    """IIM By-line is the only creator left once the eXIf chunk is gone (MWG: EXIF first)."""
    data = (IMAGES / "bep-imagemeta__bep_sunrise__metadata-only.png").read_bytes()
    exif_at = data.index(b"eXIf") - 4
    size = int.from_bytes(data[exif_at : exif_at + 4], "big")
    without_exif = data[:exif_at] + data[exif_at + 12 + size :]
    assert read_embedded(without_exif).to_dict() == {
        "copyright": "Bjørn Erik Pedersen", "creator": "Bjørn Erik Pedersen",
    }
