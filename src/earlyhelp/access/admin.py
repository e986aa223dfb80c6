from django.contrib import admin

from earlyhelp.audit.admin import AuditedAdmin

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin):
    """Tokens are issued with `ApiToken.issue` (the raw token is shown once); the admin can revoke them."""

    list_display = ["name", "user", "created_at", "revoked_at"]
    readonly_fields = ["user", "name", "token_hash", "created_at"]
    fields = ["user", "name", "token_hash", "created_at", "revoked_at"]

    def has_add_permission(self, request):
        return False
