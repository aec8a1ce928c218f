"""An export job's file as a download: the one way the pages and the API hand
it out (through the storage API, so a shared volume or object storage alike)."""

from __future__ import annotations

from django.http import FileResponse, Http404

from reports.exporters import FORMATS
from reports.models import ExportJob


def export_file_response(job: ExportJob) -> FileResponse:
    """The file under its own name; 404 in Swedish when it is not (or no longer) there."""
    if not job.has_file:
        raise Http404("Exporten har ingen fil (den är inte klar eller har rensats).")
    try:
        stream = job.file.open("rb")
    except OSError:
        raise Http404("Filen finns inte längre. Beställ exporten igen.") from None
    file_format = FORMATS.get(job.format)
    return FileResponse(
        stream,
        as_attachment=True,
        filename=job.file_name or "export",
        content_type=file_format.content_type if file_format else None,
    )
