"""``scrapy crawl search`` as a distributed worker: two workers on one real redis-server and one bucket
on a real S3-compatible server (moto's, on loopback), one SIGKILLed mid-crawl; the other finishes the
killed worker's query. Every request calls back into the search spider with its engine in its meta
(imagespider/spiders/runner.py), so it goes through scrapy-redis's queue like a single engine's, and a
query Openverse has nothing for is handed to Commons wherever its answer is read.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
from collections import Counter
from pathlib import Path

from tests.conftest import PROJECT, run_scrapy, scrapy_command, scrapy_env
from tests.crawl.test_distributed import BUCKET, objects, wait_for
from tests.mockserver import MockHTTPServer
from tests.servers import redis_server_process, s3_client, s3_server_process, s3_settings

#: ``querywithnoresults`` is Openverse's empty answer (tests/mockserver/openverse.py): Commons fills it.
QUERIES = ("cat", "dog", "owl", "querywithnoresults")
LIMIT = 6


def worker(mockserver: MockHTTPServer, redis_url: str, s3: str, queries: Path, log: Path) -> subprocess.Popen[bytes]:
    command = scrapy_command(
        "crawl", "search", "-a", f"queries={queries}", "-a", f"limit={LIMIT}", "-a", "license=any",
        "-a", "engines=openverse,commons",
        "-s", f"OPENVERSE_API_URL={mockserver.base}", "-s", f"COMMONS_API_URL={mockserver.base}/w/api.php",
        "-s", f"OPENVERSE_PAGE_SIZE={LIMIT + 4}", "-s", f"COMMONS_PAGE_SIZE={LIMIT + 4}",
        "-s", 'DOWNLOAD_SLOTS={"openverse-api": {"delay": 0}, "commons-api": {"delay": 0}}',
        "-s", f"IMAGES_STORE=s3://{BUCKET}/search",
        # Images one at a time, a little apart, so the crawl lasts long enough to kill a worker in it.
        "-s", "DOWNLOAD_DELAY=0.2", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1",
        "-s", "IMAGES_WORKERS=1", "-s", "IMAGES_CHECK_PROCESSES=False", "-s", "LOG_LEVEL=DEBUG",
        "-s", f"REDIS_URL={redis_url}", "-s", "DISTRIBUTED_LEASE_SECONDS=3", "-s", "DISTRIBUTED_QUERIES=1",
        *s3_settings(s3),
    )
    with log.open("wb") as out:
        return subprocess.Popen(command, cwd=PROJECT, env=scrapy_env(), stdout=out, stderr=subprocess.STDOUT)


def test_two_search_workers_one_killed_keep_exactly_the_limit(mockserver: MockHTTPServer, tmp_path: Path) -> None:
    queries = tmp_path / "queries.txt"
    queries.write_text("\n".join(QUERIES) + "\n")
    logs = [tmp_path / f"worker{n}.log" for n in range(2)]
    (tmp_path / "redis").mkdir()
    with redis_server_process(tmp_path / "redis") as (redis_url, _), s3_server_process() as (s3, _):
        s3_client(s3).create_bucket(Bucket=BUCKET)
        workers = [worker(mockserver, redis_url, s3, queries, logs[n]) for n in range(2)]
        try:
            for n in range(2):
                wait_for(logs[n], "distributed crawl: job", 1, workers[n])
            # Worker 0 has just kept part of a query no worker has ended: kill it there, with no goodbye.
            while True:
                seen = logs[0].read_text(errors="replace").count("DEBUG: Kept ")
                wait_for(logs[0], "DEBUG: Kept ", seen + 1, workers[0])
                last = [line for line in logs[0].read_text(errors="replace").splitlines() if "DEBUG: Kept " in line][-1]
                killed = last.split("DEBUG: Kept ", 1)[1].split("/", 1)[0]
                if not any(f"query {killed!r} (label {killed}) ended" in log.read_text(errors="replace") for log in logs):
                    break
            os.kill(workers[0].pid, signal.SIGKILL)
            workers[0].wait(10)
            assert workers[0].returncode == -signal.SIGKILL
            assert workers[1].wait(120) == 0, logs[1].read_text()[-3000:]
        finally:
            for process in workers:
                if process.poll() is None:
                    process.kill()
                    process.wait(10)
        survivor = logs[1].read_text()
        assert "Traceback" not in survivor, survivor[-5000:]
        assert "took over query" in survivor, "the killed worker's query went to the other worker"
        assert f"search: query {killed!r} (label {killed}) ended, limit reached: kept {LIMIT} of {LIMIT}" in survivor
        text = logs[0].read_text() + survivor
        assert text.count("seeded the job's query list") == 1, "the first worker seeds the list, once"
        assert "search: openverse ended query 'querywithnoresults', no more results after 0" in text
        assert "; commons takes over" in text

        assert run_scrapy("publish", f"s3://{BUCKET}/search", "-s", "PUBLISH_ORPHAN_GRACE=0", *s3_settings(s3)).returncode == 0
        found = objects(s3, "search/")
    rows = [json.loads(line) for line in found["metadata.jsonl"].decode().splitlines()]
    # exactly the limit per query, across both workers and the kill
    assert Counter(row["query"] for row in rows) == dict.fromkeys(QUERIES, LIMIT)
    assert {row["engine"] for row in rows if row["query"] == "querywithnoresults"} == {"commons"}
    assert {row["engine"] for row in rows if row["query"] != "querywithnoresults"} == {"openverse"}
    # no image twice: no URL twice, and no bytes twice (names are the sha256 of the bytes)
    assert len({row["image_url"] for row in rows}) == len(rows)
    images = {k: v for k, v in found.items() if "/" in k and not k.startswith(".") and not k.endswith(".json")}
    assert sorted(row["file_name"] for row in rows) == sorted(images)
    digests = [hashlib.sha256(data).hexdigest() for data in images.values()]
    assert len(set(digests)) == len(digests) == len(QUERIES) * LIMIT
