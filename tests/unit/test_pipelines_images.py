"""DatasetImagesPipeline's config and the drop reason of a failed download."""

from __future__ import annotations

import pytest
from scrapy.exceptions import DownloadCancelledError, DownloadTimeoutError, IgnoreRequest, ResponseDataLossError
from twisted.internet.error import ConnectionLost

from imagespider.downloadermiddlewares.privateaddress import PrivateAddressRefused
from imagespider.pipelines.images import ImagesConfig, failure_reason
from tests.settings import project_settings


def test_config_reads_the_project_defaults_once() -> None:
    config = ImagesConfig.from_settings(project_settings({"IMAGES_WORKERS": 3, "CONCURRENT_REQUESTS": 10}))
    assert config.workers == 3
    assert config.in_flight == 10 + 4 * 3
    assert config.max_pixels == 89_478_485
    assert config.download_maxsize == 50 * 1024 * 1024
    assert config.user_agent_token == "imagespider"
    assert config.exclude_ai_generated is True


def test_config_takes_values_as_scrapy_passes_them_from_the_command_line() -> None:
    config = ImagesConfig.from_settings(
        project_settings({"IMAGES_WORKERS": "0", "IMAGES_CHECK_PROCESSES": "False", "EXCLUDE_AI_GENERATED": "0"})
    )
    assert config.workers == 1  # at least one worker
    assert config.check_processes is False and config.exclude_ai_generated is False


@pytest.mark.parametrize(
    ("error", "message", "reason"),
    [
        (PrivateAddressRefused("x"), "x", "private_address"),
        (IgnoreRequest("max redirections reached"), "max redirections reached", "too_many_redirects"),
        (IgnoreRequest("Forbidden by robots.txt"), "Forbidden by robots.txt", "robots_txt"),
        (IgnoreRequest("x"), "Ignored response <200 http://h/b> because its body (1 B compressed, 2 B decompressed "
         "so far) exceeded DOWNLOAD_MAXSIZE (1 B) during decompression.", "too_large"),  # a gzip bomb
        (DownloadCancelledError(""), "DownloadCancelledError", "too_large"),
        (DownloadTimeoutError("took longer than 2.0 seconds"), "took longer", "timeout"),
        (ResponseDataLossError(""), "ResponseDataLossError", "connection_error"),
        (ConnectionLost(), "Connection lost", "connection_error"),
        (ValueError("odd"), "odd", "download_error"),
    ],
)
def test_failure_reasons(error: BaseException, message: str, reason: str) -> None:
    assert failure_reason(error, message) == reason
