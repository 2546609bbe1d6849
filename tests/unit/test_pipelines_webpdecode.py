"""Still WebPs decoded through libwebp directly (imagespider/pipelines/webpdecode.py), not Pillow's
animation decoder: the same pixels, and the same verdict on every damaged file.

What is proven here:
- the fast path is the one in use in this environment (else the tests below would test Pillow);
- lossy and lossless, with and without alpha: pixels and mode equal to Pillow's decode;
- files cut short, with bits flipped or bytes deleted are refused exactly when Pillow refuses
  them, through ``inspect_image`` as ``corrupt_image``, at full size and when the check decodes a
  large file scaled down (``min_side``);
- a scaled decode has the size ``Image.reduce`` would give and nearly the same pixels;
- a lossy bitstream that runs out inside its own chunk is refused even when EXIF follows it
  (given the whole file, libwebp would read on into the EXIF bytes and call it whole);
- an animation is left to Pillow (its first frame), and still accepted.
"""

from __future__ import annotations

import random
import struct
from io import BytesIO

import pytest
from PIL import Image

from imagespider.errors import Rejected
from imagespider.pipelines import webpdecode
from imagespider.pipelines.imagecheck import inspect_image
from imagespider.pipelines.webpdecode import decode_still_webp, still_frame

MAX_PIXELS = 89_478_485


def picture(mode: str, size: tuple[int, int] = (320, 240)) -> Image.Image:
    """Detail everywhere (gradients at several angles), so the bitstream spans the whole file."""
    grey = Image.linear_gradient("L").resize(size)
    bands = [grey, grey.rotate(90, expand=False), grey.rotate(45), grey.rotate(135)]
    return Image.merge(mode, bands[: len(mode)])


def webp(mode: str = "RGB", size: tuple[int, int] = (320, 240), **options: object) -> bytes:
    out = BytesIO()
    picture(mode, size).save(out, "WEBP", **options)
    return out.getvalue()


def pillow_decodes(body: bytes) -> bool:
    try:
        with Image.open(BytesIO(body)) as image:
            image.load()
        return True
    except Exception:  # noqa: BLE001 (any failure is a refusal)
        return False


def check_accepts(body: bytes) -> bool:
    try:
        inspect_image(body, 1, 1, MAX_PIXELS)
        return True
    except Rejected:  # corrupt_image, or not_an_image / decompression_bomb from a damaged header
        return False


def test_the_fast_path_is_available_here() -> None:
    assert webpdecode.available()


@pytest.mark.parametrize(
    ("mode", "options"),
    [("RGB", {}), ("RGB", {"lossless": True}), ("RGBA", {}), ("RGBA", {"lossless": True})],
)
def test_pixels_equal_pillows(mode: str, options: dict[str, object]) -> None:
    body = webp(mode, **options)
    ours = decode_still_webp(body)
    assert ours is not None
    with Image.open(BytesIO(body)) as theirs:
        theirs.load()
        assert (ours.mode, ours.size) == (theirs.mode, theirs.size) == (mode, (320, 240))
        assert ours.tobytes() == theirs.tobytes()


@pytest.mark.parametrize(("mode", "options"), [("RGB", {}), ("RGBA", {"lossless": True})])
def test_a_large_file_is_decoded_scaled_down_as_reduce_would(mode: str, options: dict[str, object]) -> None:
    body = webp(mode, (1100, 800), **options)
    ours = decode_still_webp(body, min_side=256)  # 800 // 256: a factor of 3
    assert ours is not None
    with Image.open(BytesIO(body)) as theirs:
        theirs.load()
        reduced = theirs.reduce(3)
    assert (ours.mode, ours.size) == (reduced.mode, reduced.size) == (mode, (367, 267))
    difference = sum(abs(a - b) for a, b in zip(ours.tobytes(), reduced.tobytes(), strict=True))
    assert difference / len(reduced.tobytes()) < 4  # mean per channel, of 255
    small = decode_still_webp(webp(mode, (500, 300), **options), min_side=256)  # under 2 x 256: whole
    assert small is not None and small.size == (500, 300)


def damaged(body: bytes, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    out = [body[: len(body) * k // 20] for k in range(1, 20)] + [body[:-1]]
    for _ in range(60):
        flipped = bytearray(body)
        flipped[rng.randrange(12, len(body))] ^= 1 << rng.randrange(8)
        out.append(bytes(flipped))
    for _ in range(10):
        cut = bytearray(body)
        start = rng.randrange(30, len(body) - 20)
        del cut[start : start + rng.randrange(1, 20)]
        out.append(bytes(cut))
    return out


@pytest.mark.parametrize(
    ("mode", "options"),
    [
        ("RGB", {}),
        ("RGB", {"exif": b"Exif\x00\x00II*\x00\x08\x00\x00\x00\x00\x00"}),  # VP8X, EXIF after the image
        ("RGBA", {}),  # VP8X + ALPH + VP8
        ("RGBA", {"lossless": True}),
    ],
)
@pytest.mark.parametrize("size", [(320, 240), (1100, 800)])  # the second is checked scaled down
def test_damaged_files_get_pillows_verdict(mode: str, options: dict[str, object], size: tuple[int, int]) -> None:
    body = webp(mode, size, **options)
    for index, variant in enumerate(damaged(body, seed=len(body))):
        assert check_accepts(variant) == pillow_decodes(variant), f"variant {index}"


def lossy_cut_inside_its_chunk() -> bytes:
    """A lossy WebP with EXIF after the image whose VP8 chunk lost the last third of its bytes,
    with every size field made to agree: a well-formed container around a bitstream that ends
    too soon."""
    body = webp("RGB", quality=95, exif=b"Exif\x00\x00II*\x00\x08\x00\x00\x00\x00\x00" + b"\x00" * 4000)
    at = body.index(b"VP8 ")
    size = int.from_bytes(body[at + 4 : at + 8], "little")
    keep = size * 2 // 3 & ~1
    rest = body[at + 8 + size + (size & 1) :]
    chunks = body[12:at] + b"VP8 " + struct.pack("<I", keep) + body[at + 8 : at + 8 + keep] + rest
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WEBP" + chunks


def test_a_bitstream_cut_inside_its_chunk_is_corrupt_even_with_exif_after_it() -> None:
    body = lossy_cut_inside_its_chunk()
    assert not pillow_decodes(body)
    with pytest.raises(Rejected) as verdict:
        inspect_image(body, 1, 1, MAX_PIXELS)
    assert verdict.value.reason == "corrupt_image"
    assert still_frame(body) is not None and b"EXIF" not in still_frame(body)  # type: ignore[operator]


def test_an_animation_is_left_to_pillow() -> None:
    frames = [picture("RGB"), picture("RGB").rotate(180)]
    out = BytesIO()
    frames[0].save(out, "WEBP", save_all=True, append_images=frames[1:], duration=100)
    body = out.getvalue()
    assert still_frame(body) is None
    assert decode_still_webp(body) is None
    facts = inspect_image(body, 1, 1, MAX_PIXELS)
    assert (facts.format, facts.width, facts.height) == ("WEBP", 320, 240)
