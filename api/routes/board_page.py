"""The coordinator's board: what waits on her today, then her courses one line each, filtered
and sorted from the query string (api/board_view.py works it out)."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api import access_log
from api.board_view import BOARD_STAGES, Flag, Order, board_of
from api.deps import SessionDep, UserDep
from api.errors import Forbidden
from api.page_helpers import page
from models.enums import Department, Role

router = APIRouter(include_in_schema=False)


@router.get("/board")
def board(request: Request, session: SessionDep, user: UserDep) -> Response:
    if user.role != Role.COORDINATOR:
        raise Forbidden("Tavlen er for koordinerende sagsbehandlere.")
    shown = board_of(session, user, request.query_params)
    # Whose names the page shows: the courses listed and those with something waiting today.
    named = {c.case.id for c in (*shown.courses, *shown.ended)} | {n.case_id for n in shown.needs}
    access_log.record(session, user, named, "Tavle")
    return page(
        request,
        "board.html",
        user,
        # The page shows the board unfiltered where a filter could not be read, and says why.
        status=422 if shown.problems else 200,
        error=" ".join(shown.problems) or None,
        board=shown,
        stages=BOARD_STAGES,
        departments=list(Department),
        flags=list(Flag),
        orders=list(Order),
    )
