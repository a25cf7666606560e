from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import zoneinfo
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.timezone import now

from strata.accounts.roles import Role, role_may


class StrataUserManager(UserManager["User"]):
    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:  # type: ignore[override]
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:  # type: ignore[override]
        return self.create_user(email, password, is_staff=True, is_superuser=True, **extra)


class User(AbstractUser):
    """A person who signs in. Signs in with an e-mail address; has no username."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(unique=True)
    name = models.CharField(max_length=200, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []
    objects: ClassVar[StrataUserManager] = StrataUserManager()

    def __str__(self) -> str:
        return self.name or self.email


class Workspace(models.Model):
    """One brand or client, with one plan. Everything else belongs to a workspace."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=64, unique=True)
    timezone = models.CharField(max_length=64, default="UTC")
    created_at = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints: ClassVar[list[Any]] = [models.UniqueConstraint(fields=["user", "workspace"], name="one_membership_per_workspace")]

    def __str__(self) -> str:
        return f"{self.user} as {self.role} of {self.workspace}"

    def may(self, permission: str) -> bool:
        return role_may(self.role, permission)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class Invitation(models.Model):
    """An invitation to join a workspace with a role. Only the hash of its token is stored."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=now)
    accepted_at = models.DateTimeField(null=True, blank=True)

    VALID_DAYS = 14

    class Meta:
        constraints: ClassVar[list[Any]] = [
            # One invitation per address and workspace until it is accepted: inviting again is
            # refused (or renews an expired one), so a person never holds two links.
            models.UniqueConstraint(
                fields=["workspace", "email"], condition=models.Q(accepted_at=None), name="one_pending_invitation_per_address"
            )
        ]

    def __str__(self) -> str:
        return f"invitation of {self.email} to {self.workspace}"

    @property
    def expires_at(self) -> dt.datetime:
        return self.created_at + dt.timedelta(days=self.VALID_DAYS)

    @property
    def expired(self) -> bool:
        return self.expires_at < now()

    @staticmethod
    def new_token() -> tuple[str, str]:
        token = secrets.token_urlsafe(32)
        return token, _hash(token)

    @classmethod
    def pending(cls) -> models.QuerySet[Invitation]:
        """Invitations not yet accepted and not expired."""
        cutoff = now() - dt.timedelta(days=cls.VALID_DAYS)
        return cls.objects.filter(accepted_at=None, created_at__gte=cutoff).select_related("workspace", "invited_by")

    @classmethod
    def find(cls, token: str) -> Invitation | None:
        return cls.pending().filter(token_hash=_hash(token)).first()


class ApiToken(models.Model):
    """A personal API token. Shown once when made; only its SHA-256 is kept."""

    PREFIX = "strata_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)  # the first characters, so that people can tell tokens apart
    created_at = models.DateTimeField(default=now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def issue(cls, *, user: User, name: str) -> tuple[ApiToken, str]:
        secret = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, token_hash=_hash(secret), hint=secret[: len(cls.PREFIX) + 4])
        return token, secret

    @classmethod
    def authenticate(cls, secret: str) -> User | None:
        if not secret.startswith(cls.PREFIX):
            return None
        token = cls.objects.filter(token_hash=_hash(secret), user__is_active=True).select_related("user").first()
        if token is None:
            return None
        cls.objects.filter(pk=token.pk).update(last_used_at=now())
        return token.user
