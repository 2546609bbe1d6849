"""imagespider: image datasets for deep learning from the open web, with the rights kept straight."""

__version__ = "0.1.0"
