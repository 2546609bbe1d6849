"""``python -m tests.mockserver [--port N]``: every mock engine on one port, for trying a crawl by hand."""

from tests.mockserver import main

main()
