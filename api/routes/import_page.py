"""The administrator's page for bringing the running courses in (api/course_import.py): upload
the file, read the check of every line, then confirm.

The confirmation sends the checked file back in the form rather than keeping it on the
server, so any API process can take it; the import checks every line again before it writes.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from api.course_file import MAX_BYTES, ImportReport, LineStatus
from api.course_import import check_file, import_file
from api.deps import OpenSessionDep, SettingsDep, UserDep, get_temporal
from api.errors import Forbidden
from api.page_helpers import page
from models.enums import CourseType, Department, Outcome, Recommendation, Role, Stage
from models.registration import REGISTRABLE
from models.staff import Staff

router = APIRouter(include_in_schema=False)

# The form's steps: check an uploaded file, or import the file checked before.
CHECK, IMPORT = "kontroller", "importer"


def administrator(user: UserDep) -> Staff:
    if user.role != Role.ADMIN:
        raise Forbidden("Kun en administrator kan indlæse forløb.")
    return user


AdminDep = Annotated[Staff, Depends(administrator)]


def _page(
    request: Request,
    user: Staff,
    *,
    status: int = 200,
    report: ImportReport | None = None,
    content: str = "",
    errors: dict[str, str] | None = None,
) -> Response:
    response = page(
        request,
        "import.html",
        user,
        status=status,
        report=report,
        content=content,
        errors=errors or {},
        statuses=LineStatus,
        # The file may name its choices as the pages do; the page lists those names.
        course_types=list(CourseType),
        registrable=REGISTRABLE,
        # The team recommends; a coordinated effort is the cross-department course's decision.
        recommendations=[r for r in Recommendation if r != Recommendation.COORDINATED],
        outcomes=list(Outcome),
        departments=list(Department),
        stages=Stage,
        check=CHECK,
        confirm=IMPORT,
    )
    # The report and the file carry CPR numbers: no copy in any cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/admin/import")
def import_form(request: Request, user: AdminDep) -> Response:
    return _page(request, user)


@router.post("/admin/import")
async def check_or_import(
    request: Request, open_session: OpenSessionDep, settings: SettingsDep, user: AdminDep
) -> Response:
    # The checked file comes back as a form field: let it be as large as a file may.
    form = await request.form(max_part_size=MAX_BYTES + 1)
    if form.get("trin") == IMPORT:
        data = str(form.get("indhold", "")).encode()
        if not data.strip():
            return _page(request, user, status=422, errors={"fil": "Vælg en CSV-fil."})
        temporal = await get_temporal(request)
        report = await import_file(open_session, temporal, data=data, user=user, settings=settings)
        return _page(request, user, report=report)
    upload = form.get("fil")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _page(request, user, status=422, errors={"fil": "Vælg en CSV-fil."})
    data = await upload.read(MAX_BYTES + 1)
    report = await check_file(open_session, data=data, rules=settings.course_rules)
    if report.file_problems:
        errors = {"fil": " ".join(report.file_problems)}
        return _page(request, user, status=422, report=report, errors=errors)
    # Read as UTF-8 by the check already; sent back unchanged when the import is confirmed.
    return _page(request, user, report=report, content=data.decode("utf-8-sig"))
