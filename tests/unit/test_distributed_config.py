"""imagespider/distributed/config.py: the settings of a distributed crawl, and the job's name."""

from __future__ import annotations

import pytest
from scrapy.settings import Settings

from imagespider import settings as project_settings
from imagespider.distributed.config import DistributedConfig, redact_url
from imagespider.errors import ArgumentError


def config(**values: object) -> DistributedConfig:
    settings = Settings()
    settings.setmodule(project_settings)
    settings.update(values)
    return DistributedConfig.from_settings(settings)


def test_off_without_redis_url() -> None:
    assert not config().enabled
    assert config(REDIS_URL="redis://localhost:6379/0").enabled


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"REDIS_URL": "localhost:6379"}, "is not a Redis URL"),
        ({"DISTRIBUTED_LEASE_SECONDS": "soon"}, "must be a number"),
        ({"DISTRIBUTED_LEASE_SECONDS": "0.5"}, "at least 1"),
        ({"DISTRIBUTED_LEASE_SECONDS": "nan"}, "at least 1"),  # NaN < 1 is False: it passed
        ({"DISTRIBUTED_QUERIES": "0"}, "at least 1"),
        ({"DISTRIBUTED_JOB": "a job"}, "letters, digits"),
    ],
)
def test_bad_values_are_one_line(values: dict[str, str], message: str) -> None:
    with pytest.raises(ArgumentError, match=message):
        config(**values)


def test_the_same_command_on_every_node_is_one_job() -> None:
    one = config(REDIS_URL="redis://r/0")
    args = {"q": "cat", "limit": "10"}
    same = one.namespace("flickr", {**args, "_job": "node1-abc"}, "s3://b/p")
    assert same == one.namespace("flickr", {**args, "_job": "node2-def"}, "s3://b/p"), "Scrapyd's _job differs"
    assert same != one.namespace("flickr", {**args, "limit": "20"}, "s3://b/p")
    assert same != one.namespace("flickr", args, "s3://b/other")
    assert config(REDIS_URL="redis://r/0", DISTRIBUTED_JOB="animals").namespace("flickr", args, "x") == (
        "imagespider:animals"
    )


def test_passwords_are_kept_out_of_messages() -> None:
    assert redact_url("redis://:s3cret@host:6379/0") == "redis://:***@host:6379/0"
    assert redact_url("redis://user:s3cret@host/0") == "redis://user:***@host/0"
    # redis-py takes ':' and '@' in a password: the part before the last of them was printed.
    assert redact_url("redis://:pw:with:colons@host:6379/0") == "redis://:***@host:6379/0"
    assert redact_url("redis://:p@ss@w@rd@host:6379/0?db=1") == "redis://:***@host:6379/0?db=1"
    assert redact_url("redis://host:6379/0") == "redis://host:6379/0"


def test_a_url_list_is_cut_into_named_chunks() -> None:
    from imagespider.distributed.chunks import chunk_names, chunk_span

    names = chunk_names(250, 100)
    assert names == ["rows:0-100", "rows:100-200", "rows:200-250"]
    assert [list(range(250))[chunk_span(name)][:1] for name in names] == [[0], [100], [200]]
    assert config(DISTRIBUTED_CHUNK_ROWS="25").chunk_rows == 25
    with pytest.raises(ArgumentError, match="DISTRIBUTED_CHUNK_ROWS must be at least 1"):
        config(DISTRIBUTED_CHUNK_ROWS="0")


def test_a_password_given_as_a_query_argument_is_kept_out_of_messages() -> None:
    # redis-py reads ?password= as the password (and &username=): it was shown in the one-line error.
    assert redact_url("redis://redis.lan:6379/0?password=hunter3&db=1") == "redis://redis.lan:6379/0?password=***&db=1"
