"""A distributed crawl end to end: three ``scrapy crawl flickr`` workers on one real redis-server,
one query set, one bucket on a real S3-compatible server (moto's, on loopback), one worker
SIGKILLed mid-crawl and started again, then ``scrapy publish``: exactly ``limit`` images per query,
no bytes twice, every object with its row and every row with its object.

Flickr (the mock API, tests/mockserver/flickr.py) runs the real spider path with no browser:
search pages go through scrapy-redis's queue in Redis, image downloads and checks through the
project's pipelines, quotas and dedup through imagespider/distributed/.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PROJECT, run_scrapy, scrapy_command, scrapy_env
from tests.mockserver import MockHTTPServer
from tests.servers import (
    free_port,
    redis_server,
    redis_server_process,
    s3_client,
    s3_server,
    s3_server_process,
    s3_settings,
)

QUERIES = ("cat", "dog", "owl", "fox", "elk")
LIMIT = 8
BUCKET = "datasets"


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture(scope="module")
def s3() -> Iterator[str]:
    with s3_server() as endpoint:
        s3_client(endpoint).create_bucket(Bucket=BUCKET)
        yield endpoint


def objects(endpoint: str, prefix: str) -> dict[str, bytes]:
    client = s3_client(endpoint)
    found = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix):
        for entry in page.get("Contents", ()):
            key = entry["Key"]
            found[key[len(prefix):]] = client.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    return found


def worker(mockserver: MockHTTPServer, redis_url: str, s3: str, queries: Path, store: str,
           log: Path, debug: bool = False) -> subprocess.Popen[bytes]:
    command = scrapy_command(
        "crawl", "flickr", "-a", f"queries={queries}", "-a", f"limit={LIMIT}", "-a", "license=any",
        "-s", f"FLICKR_API_URL={mockserver.base}/services/rest/", "-s", f"IMAGES_STORE={store}",
        "-s", 'DOWNLOAD_SLOTS={"flickr-api": {"delay": 0}}', "-s", f"FLICKR_PER_PAGE={LIMIT}",
        # One page holds a query's limit, so the worker that reads it is the only one working on it;
        # images one at a time, a little apart, so the crawl lasts long enough to kill a worker in it.
        "-s", "DOWNLOAD_DELAY=0.2", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1",
        "-s", "IMAGES_WORKERS=1", "-s", "IMAGES_CHECK_PROCESSES=False",
        "-s", f"LOG_LEVEL={'DEBUG' if debug else 'INFO'}",
        "-s", f"REDIS_URL={redis_url}", "-s", "DISTRIBUTED_LEASE_SECONDS=3", "-s", "DISTRIBUTED_QUERIES=1",
        *s3_settings(s3),
    )
    env = scrapy_env({"FLICKR_API_KEY": "goodkey-distributed"})
    with log.open("wb") as out:
        return subprocess.Popen(command, cwd=PROJECT, env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_for(log: Path, text: str, count: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while log.read_text(errors="replace").count(text) < count:
        assert process.poll() is None, f"ended before {count} x {text!r}: " + log.read_text()[-3000:]
        assert time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.05)


def test_three_workers_one_killed_keep_exactly_the_limit(
    mockserver: MockHTTPServer, redis_url: str, s3: str, tmp_path: Path
) -> None:
    queries = tmp_path / "queries.txt"
    queries.write_text("\n".join(QUERIES) + "\n")
    store, prefix = f"s3://{BUCKET}/animals", "animals/"
    logs = [tmp_path / f"worker{n}.log" for n in range(4)]
    workers = [worker(mockserver, redis_url, s3, queries, store, logs[n], debug=n == 0) for n in range(3)]
    try:
        for n in range(3):
            wait_for(logs[n], "distributed crawl: job", 1, workers[n])
        # Worker 0 works on a query and has just kept part of it: kill it there, with no goodbye.
        while True:
            seen = logs[0].read_text(errors="replace").count("DEBUG: Kept ")
            wait_for(logs[0], "DEBUG: Kept ", seen + 1, workers[0])
            last = [line for line in logs[0].read_text(errors="replace").splitlines() if "DEBUG: Kept " in line][-1]
            label = last.split("DEBUG: Kept ", 1)[1].split("/", 1)[0]
            ended = f"query '{label}' (label {label}) ended"
            if not any(ended in log.read_text(errors="replace") for log in logs[:3]):
                break
        os.kill(workers[0].pid, signal.SIGKILL)
        workers[0].wait(10)
        assert workers[0].returncode == -signal.SIGKILL
        workers.append(worker(mockserver, redis_url, s3, queries, store, logs[3]))  # started again
        for n, process in enumerate(workers[1:], 1):
            assert process.wait(90) == 0, logs[n].read_text()[-3000:]
    finally:
        for process in workers:
            if process.poll() is None:
                process.kill()
                process.wait(10)
    text = "\n".join(log.read_text() for log in logs)
    assert "Traceback" not in text, text[-5000:]
    assert text.count("seeded the job's query list") == 1, "the first worker seeds the list, once"
    assert "took over query" in text, "the killed worker's query went to another worker"

    # Every worker has ended: the killed one's image with no row is an orphan now, not one in flight.
    published = run_scrapy("publish", store, "-s", "PUBLISH_ORPHAN_GRACE=0", *s3_settings(s3))
    assert published.returncode == 0, published.stderr[-3000:]
    found = objects(s3, prefix)
    images = {k: v for k, v in found.items() if "/" in k and not k.startswith(".") and not k.endswith(".json")}
    sidecars = {k for k in found if "/" in k and not k.startswith(".") and k.endswith(".json")}
    # every object has its row and every row its object
    assert {k.rsplit(".", 1)[0] for k in images} == {k.rsplit(".", 1)[0] for k in sidecars}
    rows = [json.loads(line) for line in found["metadata.jsonl"].decode().splitlines()]
    assert sorted(row["file_name"] for row in rows) == sorted(images)
    crawls = [json.loads(line) for line in found["crawls.jsonl"].decode().splitlines()]
    assert len(crawls) == 3 and {c["finish_reason"] for c in crawls} == {"finished"}, "one row per worker that ended"
    assert sum(c["kept"] for c in crawls) <= len(QUERIES) * LIMIT
    # exactly the limit per query, across the three workers and the restart
    assert Counter(row["query"] for row in rows) == dict.fromkeys(QUERIES, LIMIT)
    # no bytes twice: names are the sha256 of the bytes, and no two objects share one
    digests = [hashlib.sha256(data).hexdigest() for data in images.values()]
    assert len(set(digests)) == len(digests) == len(QUERIES) * LIMIT
    for key, data in images.items():
        assert key.split("/")[1].startswith(hashlib.sha256(data).hexdigest())


@pytest.mark.parametrize("url", ["http://127.0.0.1:6379", "redis://127.0.0.1:notaport/0", "closed"])
def test_a_bad_or_unreachable_redis_url_is_one_line(mockserver: MockHTTPServer, tmp_path: Path, url: str) -> None:
    if url == "closed":
        url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    result = run_scrapy(
        "crawl", "flickr", "-a", "q=cat", "-s", f"FLICKR_API_URL={mockserver.base}/services/rest/",
        "-s", f"IMAGES_STORE={tmp_path}", "-s", f"REDIS_URL={url}", env={"FLICKR_API_KEY": "goodkey"},
    )
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 1 and "REDIS_URL=" in errors[0], result.stderr[-2000:]


def test_two_urls_workers_share_one_list_in_chunks(
    mockserver: MockHTTPServer, redis_url: str, s3: str, tmp_path: Path
) -> None:
    """Rows go out in chunks of 100 (imagespider/distributed/chunks.py): each URL is fetched once in
    all, and the mock's same-bytes pairs (every index ending in 7) are kept once, across workers."""
    listing = tmp_path / "list.txt"
    listing.write_text("".join(f"{mockserver.base}/img/shared/{i}.jpg\n" for i in range(150)))
    store, prefix = f"s3://{BUCKET}/listed", "listed/"
    before = len(mockserver.requests)
    command = [
        "crawl", "urls", "-a", f"path={listing}", "-a", "label=things", "-a", "license=any",
        "-s", f"IMAGES_STORE={store}", "-s", f"REDIS_URL={redis_url}", "-s", "DISTRIBUTED_QUERIES=1",
        "-s", "IMAGES_WORKERS=1", "-s", "IMAGES_CHECK_PROCESSES=False", *s3_settings(s3),
    ]
    logs = [tmp_path / f"urls{n}.log" for n in range(2)]
    workers = []
    for log in logs:
        with log.open("wb") as out:
            workers.append(subprocess.Popen(scrapy_command(*command), cwd=PROJECT, env=scrapy_env(),
                                            stdout=out, stderr=subprocess.STDOUT))
    try:
        for n, process in enumerate(workers):
            assert process.wait(120) == 0, logs[n].read_text()[-3000:]
    finally:
        for process in workers:
            if process.poll() is None:
                process.kill()
    fetched = Counter(path for path in mockserver.requests[before:] if path.startswith("/img/shared/"))
    assert len(fetched) == 150 and set(fetched.values()) == {1}, "every row fetched once, by one worker"
    assert run_scrapy("publish", store, *s3_settings(s3)).returncode == 0
    rows = [json.loads(line) for line in objects(s3, prefix)["metadata.jsonl"].decode().splitlines()]
    assert len(rows) == 120 and len({row["sha256"] for row in rows}) == 120


@pytest.mark.parametrize("spider", ["urls", "flickr"])
def test_a_worker_whose_list_is_not_its_jobs_is_one_line(
    mockserver: MockHTTPServer, redis_url: str, tmp_path: Path, spider: str
) -> None:
    """The same command with another file behind the same path (a node's stale copy, or the file
    edited since the job began) is the same job: such a worker was handed the job's items anyway.
    A query it did not know was marked done, unsearched, for every worker; a URL list's chunk
    named rows of its own file, so other rows than the job's were fetched and the job's never."""
    import redis as redis_py

    from imagespider.distributed.feed import QueryFeed
    from imagespider.distributed.worker import query_key

    job = f"edited-{spider}"
    feed = QueryFeed(redis_py.Redis.from_url(redis_url, decode_responses=True), f"imagespider:{job}",
                     lease_seconds=300, per_worker=1)
    if spider == "urls":
        listing = tmp_path / "list.txt"
        listing.write_text("".join(f"{mockserver.base}/img/edited/{i}.jpg\n" for i in range(3)))
        feed.seed(["rows:0-3"], "the list before it was edited")
        arguments = ["-a", f"path={listing}", "-a", "license=any"]
    else:
        feed.seed([query_key("dog", "dog")], "another queries file")
        arguments = ["-a", "q=cat", "-s", f"FLICKR_API_URL={mockserver.base}/services/rest/"]
    before = len(mockserver.requests)
    result = run_scrapy(
        "crawl", spider, *arguments, "-s", f"IMAGES_STORE={tmp_path / 'store'}", "-s", f"REDIS_URL={redis_url}",
        "-s", f"DISTRIBUTED_JOB={job}", env={"FLICKR_API_KEY": "goodkey"},
    )
    assert result.returncode == 1, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if " ERROR" in line]
    assert len(errors) == 1 and f"job {job} was started with another list than this worker's" in errors[0], errors
    assert "failed_job_list_differs" in result.stderr
    fetched = [path for path in mockserver.requests[before:] if path.startswith("/img/") or "search" in path]
    assert fetched == [], "nothing of another list is fetched"


def test_a_worker_of_another_spiders_job_is_one_line(mockserver: MockHTTPServer, redis_url: str, tmp_path: Path) -> None:
    """One DISTRIBUTED_JOB given to two spiders: their requests share one Redis queue, and a
    flickr request popped by a bing worker names a callback bing has not (scrapy's request_from_dict:
    "ValueError: Method 'parse_search' not found in: <BingSpider ...>"). A job is one spider's."""
    import redis as redis_py

    redis_py.Redis.from_url(redis_url).set("imagespider:shared-by-two:spider", "bing")
    before = len(mockserver.requests)
    result = run_scrapy(
        "crawl", "flickr", "-a", "q=cat", "-s", f"FLICKR_API_URL={mockserver.base}/services/rest/",
        "-s", f"IMAGES_STORE={tmp_path / 'store'}", "-s", f"REDIS_URL={redis_url}",
        "-s", "DISTRIBUTED_JOB=shared-by-two", env={"FLICKR_API_KEY": "goodkey"},
    )
    assert result.returncode == 1, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if " ERROR" in line]
    assert len(errors) == 1 and "job shared-by-two is a bing job; this flickr worker cannot join it" in errors[0], errors
    assert "failed_job_spider_differs" in result.stderr
    assert mockserver.requests[before:] == [], "nothing is fetched"


def test_a_stalled_redis_and_store_stall_no_download(mockserver: MockHTTPServer, tmp_path: Path) -> None:
    """Issue 28, item 10: Redis and the S3 store both stop answering for 5 s (their processes
    SIGSTOPped) in the middle of a distributed crawl. Downloads go on meanwhile (every Redis call
    and every PUT was made on the reactor thread: nothing moved for the whole stall), and once
    they answer again the crawl ends with every image kept, no bytes twice."""
    # Enough for a stream that outlasts the stall on a loaded machine: with 30, a slow start of
    # the test's own polling let the crawl fetch them all before the stall began (0 "during").
    images = 80
    listing = tmp_path / "list.txt"
    # Each image answers after 0.4 s (tests/mockserver/hostile.py), one at a time: a steady stream.
    listing.write_text("".join(f"{mockserver.base}/hostile/slow/{200 + n}.png\n" for n in range(images)))
    (tmp_path / "redis").mkdir()
    with redis_server_process(tmp_path / "redis") as (redis_url, redis), s3_server_process() as (s3, store_server):
        s3_client(s3).create_bucket(Bucket=BUCKET)
        command = scrapy_command(
            "crawl", "urls", "-a", f"path={listing}", "-a", "label=stall", "-a", "license=any",
            "-s", f"IMAGES_STORE=s3://{BUCKET}/stall", "-s", f"REDIS_URL={redis_url}",
            "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s", "IMAGES_WORKERS=1", *s3_settings(s3),
        )
        log = tmp_path / "crawl.log"
        with log.open("wb") as out:
            process = subprocess.Popen(command, cwd=PROJECT, env=scrapy_env(), stdout=out, stderr=subprocess.STDOUT)
        try:
            def fetched() -> int:
                return sum(1 for path in mockserver.requests if path.startswith("/hostile/slow/2"))

            deadline = time.monotonic() + 60
            while fetched() < 4:
                assert process.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
                time.sleep(0.05)
            redis.send_signal(signal.SIGSTOP)
            store_server.send_signal(signal.SIGSTOP)
            try:
                time.sleep(0.5)  # what was on its way when they stopped
                before = fetched()
                assert images - before >= 20, f"only {images - before} images left when the stall began"
                time.sleep(5)
                during = fetched() - before
            finally:
                redis.send_signal(signal.SIGCONT)
                store_server.send_signal(signal.SIGCONT)
            assert process.wait(120) == 0, log.read_text()[-3000:]
        finally:
            if process.poll() is None:
                process.kill()
        output = log.read_text()
        assert "Traceback" not in output, output[-3000:]
        # No request of this crawl goes through the scheduler: the spider yields items, whose
        # images the pipeline fetches. The list's rows were past Redis before the first was
        # fetched (one round trip per batch, imagespider/spiders/urls.py), so the stall found them
        # all in the pipelines: they are fetched while it lasts, until the images waiting for
        # their Redis claim fill the pipeline's room (CONCURRENT_REQUESTS + 4 per IMAGES_WORKERS,
        # 36 here). Blocking on the reactor thread, or asking Redis row by row (a stall froze the
        # list at its row: 0 downloads here on a loaded machine), none would be.
        assert during >= 5, f"{during} downloads in the 5 s both servers stalled"
        assert fetched() == images
        stored = objects(s3, "stall/")
        rows = [name for name in stored if name.endswith(".json") and not name.startswith(".")]
        assert len(rows) == images and len({stored[name] for name in stored if name.endswith(".png")}) == images


def test_a_read_only_redis_is_one_line(mockserver: MockHTTPServer, tmp_path: Path) -> None:
    """REDIS_URL naming a read-only replica (a failover left the URL on the replica; a managed
    Redis's reader endpoint): it answers PING, but every write answers READONLY. One line saying
    so and what to change, exit 2, no traceback (Scrapy's 'Error caught on signal handler' from
    the worker's first write), nothing fetched."""
    import redis as redis_py

    (tmp_path / "redis").mkdir()
    with redis_server(tmp_path / "redis") as url:
        replica = redis_py.Redis.from_url(url)
        replica.config_set("replica-read-only", "yes")
        replica.replicaof("127.0.0.1", free_port())  # a primary nothing answers for: it stays a replica
        before = len(mockserver.requests)
        result = run_scrapy(
            "crawl", "flickr", "-a", "q=cat", "-s", f"FLICKR_API_URL={mockserver.base}/services/rest/",
            "-s", f"IMAGES_STORE={tmp_path / 'store'}", "-s", f"REDIS_URL={url}", env={"FLICKR_API_KEY": "goodkey"},
        )
    assert result.returncode == 2, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    errors = [line for line in result.stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 1, errors
    assert errors[0].endswith(
        f"REDIS_URL={url} is a read-only replica: a distributed crawl writes its job's state there; "
        "give REDIS_URL the primary's address"
    ), errors
    assert mockserver.requests[before:] == [], "nothing is fetched"


def test_a_redis_that_refuses_the_workers_first_write_is_one_line(
    mockserver: MockHTTPServer, redis_url: str, tmp_path: Path
) -> None:
    """A Redis that takes the check before the crawl but refuses the worker's first write as the
    spider opens (here a Redis user not allowed SET; a replica promoted back between the two is
    the same path): one line naming the job and what to change, exit 1, no traceback from Scrapy's
    signal handler, and the spider's start is not run."""
    import redis as redis_py

    admin = redis_py.Redis.from_url(redis_url)
    admin.execute_command("ACL", "SETUSER", "noset", "on", ">noset-pass", "~*", "&*", "+@all", "-set")
    port = redis_url.rsplit(":", 1)[1].split("/")[0]
    url = f"redis://noset:noset-pass@127.0.0.1:{port}/0"
    before = len(mockserver.requests)
    result = run_scrapy(
        "crawl", "flickr", "-a", "q=cat", "-s", f"FLICKR_API_URL={mockserver.base}/services/rest/",
        "-s", f"IMAGES_STORE={tmp_path / 'store'}", "-s", f"REDIS_URL={url}", "-s", "DISTRIBUTED_JOB=noset",
        env={"FLICKR_API_KEY": "goodkey"},
    )
    assert result.returncode == 1, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    errors = [line for line in result.stderr.splitlines() if " ERROR" in line]
    assert len(errors) == 1, errors
    assert "job noset: Redis at 127.0.0.1:" in errors[0] and "refused this worker's first write" in errors[0], errors
    assert "noset-pass" not in result.stderr
    assert "failed_redis_write" in result.stderr
    assert mockserver.requests[before:] == [], "nothing is fetched"
