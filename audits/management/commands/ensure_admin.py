"""Create (or update) the staff account the Quick start logs in with.

The password comes from SEOAUDIT_ADMIN_PASSWORD when set; otherwise one is generated on first
run and kept in var/admin-password (mode 600) so it can be printed again on later starts.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Ensure a staff superuser exists and print how to log in."

    def handle(self, *args: Any, **options: Any) -> None:
        username = os.environ.get("SEOAUDIT_ADMIN_USER", "admin")
        email = os.environ.get("SEOAUDIT_ADMIN_EMAIL", "admin@localhost")
        password = os.environ.get("SEOAUDIT_ADMIN_PASSWORD", "")
        stored = Path(settings.VAR_DIR) / "admin-password"
        if not password:
            if stored.exists():
                password = stored.read_text().strip()
            else:
                password = secrets.token_urlsafe(12)
                stored.write_text(password + "\n")
                stored.chmod(0o600)
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(
            username=username, defaults={"email": email, "is_staff": True, "is_superuser": True})
        if created or not user.check_password(password):
            user.is_staff = user.is_superuser = user.is_active = True
            user.set_password(password)
            user.save()
        self.stdout.write(f"staff account: {username} / {password}")
