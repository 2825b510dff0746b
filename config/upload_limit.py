"""The size a file sent through a web page may have: ``JIXIAO_WEB_UPLOAD_MAX_MB``.

``WebUploadLimit`` comes first in ``FILE_UPLOAD_HANDLERS``. It passes each file's bytes on to Django's
own handlers (memory, then a temporary file) until the file passes the limit; the rest of that file is
read from the request and dropped, so no request keeps more than the limit of any file on disk or in
memory. The form then gets a ``NotKept`` file: its real size, no content. Every upload form refuses
it by its size before reading it (the workbook forms at the limit itself, evidence at 20 MB and
disclosures at 10 MB, both below the limit's minimum), with a sentence that says what to do instead.

Answering early, before the body is read, would spare the bandwidth, but a browser still sending shows
"connection reset" rather than the sentence; a proxy in front (nginx ``client_max_body_size``) is the
place to cut a request off.
"""

from io import BytesIO

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

MIB = 1024 * 1024


class NotKept(UploadedFile):
    """A file larger than the web upload limit: its name and real size, and no content."""

    def __init__(self, name: str, content_type: str, size: int, charset: str | None):
        super().__init__(BytesIO(), name, content_type, size, charset)


class WebUploadLimit(FileUploadHandler):
    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.limit = settings.JIXIAO_WEB_UPLOAD_MAX_MB * MIB
        self.too_large = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if self.too_large or start + len(raw_data) > self.limit:
            self.too_large = True
            return None  # the handlers after this one get no more of the file
        return raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.too_large:  # what the later handlers received of it is dropped with them
            return NotKept(self.file_name, self.content_type, file_size, self.charset)
        return None  # the next handler's file
