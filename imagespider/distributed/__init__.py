"""Distributed crawls on Redis (issue 18, in progress): the state N workers share."""
