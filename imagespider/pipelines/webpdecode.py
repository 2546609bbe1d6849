"""Decode a still WebP with libwebp's own decoder, not through Pillow's animation decoder.

Pillow opens every WebP with libwebp's animation API (``WebPAnimDecoder``): even a still image
is decoded into an RGBA canvas that is cleared and copied, then copied into a bytes object and
unpacked once more. Decoding the same file with ``WebPDecode`` straight into the buffer the
image is made from gives the same pixels for less than half the CPU (1-2 MP photos, the
benchmark's WebPs: 12 ms against 26 ms, benchmarks/checkprofile.py).

It is the same library Pillow uses: the symbols are looked up through Pillow's own ``_webp``
extension, so a wheel's bundled libwebp or a distribution's shared one, whichever Pillow was
built against. The proof is unchanged: ``WebPDecode`` decodes every macroblock (lossy) or every
pixel (lossless) of the bitstream, and a file cut short or damaged so that it cannot be decoded
gives a status other than ``VP8_STATUS_OK``, which the check calls ``corrupt_image``
(tests/unit/test_pipelines_webpdecode.py compares its verdicts with Pillow's on damaged files).
Animations keep Pillow's path (only their first frame is decoded, with the canvas the format
asks for), as does any build where the library cannot be reached: :func:`decode_still_webp`
then answers None.
"""

from __future__ import annotations

import ctypes
import functools
from typing import Any

from PIL import Image

#: decode.h: the major byte must match the library's (WEBP_ABI_IS_INCOMPATIBLE); every libwebp
#: since 0.5 (2015) has decoder ABI 0x02xx with the structures below.
_ABI = 0x0209
#: decode.h VP8StatusCode.
_OK, _OUT_OF_MEMORY = 0, 1
_STATUS = {
    1: "out of memory",
    2: "invalid parameter",
    3: "bitstream error",
    4: "unsupported feature",
    5: "suspended",
    6: "user abort",
    7: "not enough data (the file is cut short)",
}
#: decode.h WEBP_CSP_MODE.
_MODE_RGB, _MODE_RGBA = 0, 1


class _Features(ctypes.Structure):
    _fields_ = [  # noqa: RUF012 (ctypes' own attribute)
        ("width", ctypes.c_int),
        ("height", ctypes.c_int),
        ("has_alpha", ctypes.c_int),
        ("has_animation", ctypes.c_int),
        ("format", ctypes.c_int),
        ("pad", ctypes.c_uint32 * 5),
    ]


class _RGBABuffer(ctypes.Structure):
    _fields_ = [("rgba", ctypes.c_void_p), ("stride", ctypes.c_int), ("size", ctypes.c_size_t)]  # noqa: RUF012


class _YUVABuffer(ctypes.Structure):
    _fields_ = [  # noqa: RUF012
        *((name, ctypes.c_void_p) for name in ("y", "u", "v", "a")),
        *((name, ctypes.c_int) for name in ("y_stride", "u_stride", "v_stride", "a_stride")),
        *((name, ctypes.c_size_t) for name in ("y_size", "u_size", "v_size", "a_size")),
    ]


class _Buffers(ctypes.Union):
    _fields_ = [("RGBA", _RGBABuffer), ("YUVA", _YUVABuffer)]  # noqa: RUF012


class _DecBuffer(ctypes.Structure):
    _fields_ = [  # noqa: RUF012
        ("colorspace", ctypes.c_int),
        ("width", ctypes.c_int),
        ("height", ctypes.c_int),
        ("is_external_memory", ctypes.c_int),
        ("u", _Buffers),
        ("pad", ctypes.c_uint32 * 4),
        ("private_memory", ctypes.c_void_p),
    ]


class _Options(ctypes.Structure):
    _fields_ = [  # noqa: RUF012
        *(
            (name, ctypes.c_int)
            for name in (
                "bypass_filtering", "no_fancy_upsampling", "use_cropping", "crop_left", "crop_top",
                "crop_width", "crop_height", "use_scaling", "scaled_width", "scaled_height",
                "use_threads", "dithering_strength", "flip", "alpha_dithering_strength",
            )
        ),
        ("pad", ctypes.c_uint32 * 5),
    ]  # fmt: skip


class _Config(ctypes.Structure):
    _fields_ = [("input", _Features), ("output", _DecBuffer), ("options", _Options)]  # noqa: RUF012


@functools.cache
def _library() -> Any | None:
    """libwebp's decoder as Pillow loaded it, or None (no WebP in this Pillow, or an ABI we do
    not know). Cached per process: a forked check worker inherits the loaded library."""
    try:
        from PIL import _webp

        lib = ctypes.CDLL(_webp.__file__)
        init, decode, features = lib.WebPInitDecoderConfigInternal, lib.WebPDecode, lib.WebPGetFeaturesInternal
    except (ImportError, OSError, AttributeError):
        return None
    init.argtypes = [ctypes.POINTER(_Config), ctypes.c_int]
    decode.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(_Config)]
    features.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(_Features), ctypes.c_int]
    if not init(ctypes.byref(_Config()), _ABI):
        return None
    return lib


def available() -> bool:
    """Whether still WebPs are decoded here rather than by Pillow."""
    return _library() is not None


def decode_still_webp(body: bytes, min_side: int = 0) -> Image.Image | None:
    """The pixels of a still WebP (mode RGB, or RGBA when it has alpha), decoded whole.

    With ``min_side``, an image at least twice that on its short side comes out shrunk by the
    whole factor that keeps it at least ``min_side`` (as ``Image.reduce`` would, as ``draft()``
    does for JPEG): libwebp still decodes every macroblock, but scales the rows as it goes
    instead of filling, upsampling and converting every full-size pixel (the benchmark's 1-2 MP
    WebPs: 12 ms against 20 ms, benchmarks/checkprofile.py).

    None when this path does not apply (an animation, or no libwebp reachable): the caller
    decodes with Pillow. Raises ``OSError`` for a file libwebp cannot decode to the end and
    ``MemoryError`` when it runs out of memory (the check calls those ``corrupt_image`` and
    ``too_costly``)."""
    lib = _library()
    if lib is None:
        return None
    frame = still_frame(body)
    if frame is None:
        return None
    features = _Features()
    status = lib.WebPGetFeaturesInternal(frame, len(frame), ctypes.byref(features), _ABI)
    if status != _OK:
        raise _error(status)
    if features.has_animation:
        return None
    width, height = features.width, features.height
    factor = min(width, height) // min_side if min_side else 1
    if factor >= 2:
        width, height = -(-width // factor), -(-height // factor)
    mode, bands = ("RGBA", 4) if features.has_alpha else ("RGB", 3)
    pixels = bytearray(width * height * bands)  # MemoryError under the worker's RLIMIT_AS
    config = _Config()
    if not lib.WebPInitDecoderConfigInternal(ctypes.byref(config), _ABI):
        return None
    config.output.colorspace = _MODE_RGBA if bands == 4 else _MODE_RGB
    config.output.is_external_memory = 1
    rgba = config.output.u.RGBA
    rgba.rgba = ctypes.addressof((ctypes.c_char * len(pixels)).from_buffer(pixels))
    rgba.stride = width * bands
    rgba.size = len(pixels)
    if factor >= 2:
        config.options.use_scaling = 1
        config.options.scaled_width, config.options.scaled_height = width, height
    status = lib.WebPDecode(frame, len(frame), ctypes.byref(config))
    if status != _OK:
        raise _error(status)
    return Image.frombuffer(mode, (width, height), pixels, "raw", mode, 0, 1)


def still_frame(body: bytes) -> bytes | None:
    """The image's own chunks (``ALPH`` if any, then ``VP8 `` or ``VP8L``), as Pillow's decoder is
    given them, or None for an animation or a layout this does not know.

    Not the whole file: given the whole file, libwebp lets a lossy bitstream that runs out read on
    into the chunks after it (EXIF, XMP), so a damaged file would decode; cut to its own chunks,
    it fails as it does in Pillow. Raises ``OSError`` for chunks that overrun the file."""
    if len(body) < 20 or body[:4] != b"RIFF" or body[8:12] != b"WEBP":
        return None
    end = min(len(body), 8 + int.from_bytes(body[4:8], "little"))
    alpha: bytes = b""
    pos = 12
    while pos + 8 <= end:
        kind, size = body[pos : pos + 4], int.from_bytes(body[pos + 4 : pos + 8], "little")
        stop = pos + 8 + size
        if stop > end:
            raise OSError(f"the WebP {kind!r} chunk runs past the end of the file")
        if kind in (b"ANIM", b"ANMF"):
            return None
        if kind == b"ALPH":
            alpha = body[pos : stop + (size & 1)]  # with its pad byte, as libwebp reads chunks
        elif kind in (b"VP8 ", b"VP8L"):
            return alpha + body[pos:stop]
        pos = stop + (size & 1)
    raise OSError("the WebP file has no image chunk")


def _error(status: int) -> OSError | MemoryError:
    if status == _OUT_OF_MEMORY:
        return MemoryError("libwebp ran out of memory decoding this file")
    return OSError(f"libwebp could not decode this file: {_STATUS.get(status, f'status {status}')}")
