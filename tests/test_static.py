"""Vendored static files (no CDN) survive production's manifest storage: every sourceMappingURL resolves."""

from django.core.management import call_command
from django.test import override_settings


def test_static_files_collect_with_the_production_storage(tmp_path):
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
    assert (tmp_path / "vendor" / "bootstrap" / "bootstrap.min.css").exists()
    assert (tmp_path / "staticfiles.json").exists()
    assert list((tmp_path / "css").glob("jixiao.*.css"))
