"""The department's budget disclosure: the generated page and .docx, and the upload of a published one.

The page and the download are scoped with ``departments_for`` (a department the user may not see,
or a year without a budget, is a 404). Uploading is for reviewers and superusers: a dry run first
(what would be loaded, the gaps, the checks and the review), then the same file confirmed.
"""

from base64 import b64decode, b64encode
from binascii import Error as Base64Error
from io import BytesIO

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from budgets.models import Access, Department
from budgets.permissions import departments_for

from ..disclosure.generate import build_disclosure, disclosure_docx
from ..disclosure.importer import import_disclosure, read_disclosure
from ..disclosure.model import UnreadableDisclosure

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_DISCLOSURE_BYTES = 10 * 1024 * 1024


def _disclosure(request, code: str, year: int):
    department = get_object_or_404(departments_for(request.user), code=code)
    disclosure = build_disclosure(department, year)
    if disclosure is None:
        raise Http404
    return disclosure


@login_required
def disclosure_page(request, code: str, year: int):
    """部门预算信息公开情况说明 of a department's year, built from the app's data."""
    disclosure = _disclosure(request, code, year)
    return render(request, "performance/disclosure_detail.html", {"disclosure": disclosure})


@login_required
def disclosure_docx_download(request, code: str, year: int):
    disclosure = _disclosure(request, code, year)
    filename = f"{disclosure.department.name}{year}年部门预算信息公开情况说明.docx"
    return FileResponse(BytesIO(disclosure_docx(disclosure)), as_attachment=True, filename=filename, content_type=DOCX)


class DisclosureUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("公开文本（.docx 或 .txt）"), required=False)
    content = forms.CharField(widget=forms.HiddenInput, required=False)
    file_name = forms.CharField(widget=forms.HiddenInput, required=False)
    year = forms.IntegerField(label=gettext_lazy("年度（留空取标题中的年度）"), required=False, min_value=2000)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_DISCLOSURE_BYTES:
                raise forms.ValidationError(_("文件超过 10 MB 的上限。"))
            data["bytes"], data["file_name"] = upload.read(), upload.name
        elif data.get("content"):
            try:
                data["bytes"] = b64decode(data["content"], validate=True)
            except (Base64Error, ValueError) as error:
                raise forms.ValidationError(_("预览的文件已失效，请重新上传。")) from error
        else:
            raise forms.ValidationError(_("请选择要上传的公开文本。"))
        return data


def _may_upload(user) -> bool:
    return user.is_superuser or Access.objects.filter(user=user, role=Access.Role.REVIEWER).exists()


def _may_write(user, content: bytes, year: int | None) -> None:
    """A reviewer loads their own department's disclosure or one of a department not yet in the app."""
    if user.is_superuser:
        return
    code = read_disclosure(content, year=year).data["department"]["code"]
    if Department.objects.filter(code=code).exclude(pk__in=departments_for(user)).exists():
        raise UnreadableDisclosure(_("部门%(code)s已在系统中，您不是该部门的审核人，不能覆盖其数据。") % {"code": code})


@login_required
def disclosure_upload(request):
    """Upload a published disclosure: preview (dry run) first, then confirm to save."""
    if not _may_upload(request.user):
        raise PermissionDenied
    form = DisclosureUploadForm(request.POST or None, request.FILES or None)
    context: dict = {"form": form}
    if request.method == "POST" and form.is_valid():
        content, year = form.cleaned_data["bytes"], form.cleaned_data.get("year")
        confirm = request.POST.get("action") == "confirm"
        try:
            _may_write(request.user, content, year)
            outcome = import_disclosure(content=content, year=year, dry_run=not confirm)
        except UnreadableDisclosure as error:
            context["refused"] = str(error)
        else:
            context["outcome"] = outcome
            if confirm:
                messages.success(
                    request,
                    _("已导入%(department)s %(year)s年公开文本：新增 %(created)s 行，更新 %(changed)s 行。")
                    % {
                        "department": outcome.department,
                        "year": outcome.year,
                        "created": outcome.created,
                        "changed": outcome.changed,
                    },
                )
                context["saved"] = True
            else:
                context["content"] = b64encode(content).decode()
        context["file_name"] = form.cleaned_data.get("file_name", "")
        context["year"] = year or ""
    return render(request, "performance/disclosure_upload.html", context)
