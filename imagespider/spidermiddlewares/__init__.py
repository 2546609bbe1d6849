"""imagespider's spider middlewares (named like Scrapy's own ``scrapy.spidermiddlewares``)."""
