"""What every workflow button does once its view has found the record: make the transition as the user, tell
them how it went (the refusal's sentences, or ``success``), and go back to the page."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _


def transition_response(request, make, *, success: str, to: str, needs_reason: bool = False):
    """Call ``make(by=user[, reason=…])``; a refusal becomes an error message, nothing is raised."""
    kwargs = {"reason": request.POST.get("reason", "")} if needs_reason else {}
    try:
        make(by=request.user, **kwargs)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied:
        messages.error(request, _("您无权执行此操作。"))
    else:
        messages.success(request, success)
    return redirect(to)
