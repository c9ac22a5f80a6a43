"""Settings for benchmark runs only: production-like (DEBUG off, WARNING logs) with the
benchmark's extra URL and without the per-IP SMS limit, because every simulated resident
comes from 127.0.0.1. Never used by the application itself."""

import os

from onewindow.config.base import *  # noqa: F403
from onewindow.config.base import LOGGING

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.urls"
WHITENOISE_USE_FINDERS = False

# One IP sends for thousands of residents; the per-phone limits stay as in production
# (the benchmark uses a distinct phone for every login flow).
SMS_SEND_LIMITS_PER_IP = []
# SMS "delivery" through the fake provider happens inside the request (no worker needed).
CELERY_TASK_ALWAYS_EAGER = True

LOGGING = {**LOGGING, "root": {**LOGGING["root"], "level": "WARNING"}}  # type: ignore[dict-item]

# How long a resident's page is kept (portal.home_cache); BENCH_HOME_CACHE_SECONDS=0 measures
# the page as built on every view.
if "BENCH_HOME_CACHE_SECONDS" in os.environ:
    PORTAL_HOME_CACHE_SECONDS = int(os.environ["BENCH_HOME_CACHE_SECONDS"])
