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


def test_queries_sharing_one_quota_share_one_lease_set() -> None:
    """``-a mode=top-up``: a label's queries share its quota (imagespider/spiders/base.py); in a
    distributed job they must share one Redis quota too, not get one each (issue 28, item 11)."""
    from scrapy.utils.test import get_crawler

    from imagespider.distributed.config import DistributedConfig
    from imagespider.distributed.worker import Worker
    from imagespider.quota import Quota
    from tests.settings import project_values

    crawler = get_crawler(settings_dict=project_values({"REDIS_URL": "redis://127.0.0.1:1/0"}))
    worker = Worker(crawler, DistributedConfig.from_settings(crawler.settings), "imagespider:t", "flickr")
    cats, dogs = Quota(6), Quota(6)
    shared = worker.share_quotas({"kitten": cats, "housecat": cats, "puppy": dogs}, key=str)
    assert shared["kitten"] is shared["housecat"] and shared["kitten"] is not shared["puppy"]
    assert sorted(worker.quotas) == ["kitten", "puppy"]
