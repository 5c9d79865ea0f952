"""Settings for the servers the exactness test starts: the project's, plus the probe views."""

import os

from seoaudit.settings import *  # noqa: F403

ROOT_URLCONF = "tests.middleware.urls"
SEOAUDIT_RATE_LIMIT_NAMESPACE = os.environ.get("PROBE_RATE_LIMIT_NAMESPACE", "probe")
