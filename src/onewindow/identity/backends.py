"""Authorisation backend: a staff member has the Django permissions of the Roles they hold
(through StaffRole), so ``user.has_perm("identity.view_pii")`` works. It never
authenticates anyone; passwords stay with ModelBackend (behind django-axes)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.models import Permission

CACHE_ATTR = "_ow_role_perm_cache"


class RolePermissionBackend(BaseBackend):
    def authenticate(self, request: Any, **credentials: Any) -> None:
        return None

    def get_role_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if obj is not None or not getattr(user_obj, "is_active", False):
            return set()
        if getattr(user_obj, "kind", "") not in {"staff", "operator"}:
            return set()
        if not hasattr(user_obj, CACHE_ATTR):
            rows = (
                Permission.objects.filter(role__holders__staff__user=user_obj)
                .values_list("content_type__app_label", "codename")
                .distinct()
            )
            setattr(user_obj, CACHE_ATTR, {f"{app}.{codename}" for app, codename in rows})
        return set(getattr(user_obj, CACHE_ATTR))

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return self.get_role_permissions(user_obj, obj)

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return perm in self.get_role_permissions(user_obj, obj)
