"""imagespider/distributed/worker.py: the fingerprint a job keeps of its list (a worker with another
list is refused, imagespider/distributed/feed.py)."""

from __future__ import annotations

import hashlib

from imagespider.distributed.worker import fingerprint


def test_a_list_fingerprint_is_read_one_item_at_a_time() -> None:
    items = ["cat", "red fox", "chat noir é"]
    # The same value as the joined list (jobs seeded before keep theirs), from a generator too:
    # a urls list of a million rows is hashed without first joining it into one string.
    assert fingerprint(items) == hashlib.sha256("\n".join(items).encode()).hexdigest()[:16]
    assert fingerprint(item for item in items) == fingerprint(items)
    assert fingerprint(["ab"]) != fingerprint(["a", "b"])
