"""An idle course for the memory measurement: like the heavy one early in its life.

Most courses a worker holds are waiting (for a meeting, a department, a date), so the cost
per cached course is measured on courses set up this far and then left alone.
"""

import uuid
from datetime import datetime, timedelta

from bench.history.casework import ProgrammeHandle, Sender, Staffing, refer
from bench.history.clock import at
from bench.history.material import (
    CONSIDERATIONS,
    DECISION_MONTHS,
    DEPARTMENTS,
    EFFORTS,
    EMAIL,
    MEETING_PURPOSE,
    PHONE,
    PLACES,
    PURPOSES,
    REMINDERS,
)
from bench.history.service import Service
from models.command import Command
from models.contact import SetContactPreferences
from models.continuity import RecordEffort
from models.danish_time import local_date
from models.enums import Channel, Department, Recommendation
from models.meeting import BookMeeting
from models.programme import (
    Effort,
    RecordDecision,
    RecordRecommendation,
    ScheduleTeamMeeting,
    StartPreparation,
)
from models.task import AssignTask
from tests.factories import actor_of


async def open_idle_course(
    service: Service, staffing: Staffing, now: datetime
) -> tuple[ProgrammeHandle, list[str]]:
    """An active course: contact set, two efforts, five open tasks and three upcoming
    meetings. Returns its handle and the reasons of any commands refused."""
    coordinator = staffing.coordinators[0]
    me = actor_of(coordinator)
    handle = await refer(service, coordinator)
    sender = Sender(handle)
    today = local_date(now)
    commands: list[Command] = [
        SetContactPreferences(
            actor=me, channels=[Channel.SMS, Channel.EMAIL], phone=PHONE, email=EMAIL
        ),
        StartPreparation(actor=me),
        ScheduleTeamMeeting(actor=me, meeting_on=today),
        RecordRecommendation(
            actor=me,
            kind=Recommendation.RESSOURCEFORLOEB,
            efforts=[Effort(department=Department.JOBCENTER, description="Virksomhedspraktik")],
        ),
        RecordDecision(
            actor=me, kind=Recommendation.RESSOURCEFORLOEB, duration_months=DECISION_MONTHS
        ),
    ]
    for index in range(2):
        effort_kind, title, owner = EFFORTS[index]
        start = today + timedelta(days=182 * index)
        commands.append(
            RecordEffort(
                actor=me,
                item_id=str(uuid.uuid4()),
                kind=effort_kind,
                title=title,
                owner=owner,
                start=start,
                end=start + timedelta(days=181),
            )
        )
    for index in range(5):
        department = DEPARTMENTS[index % 4]
        commands.append(
            AssignTask(
                actor=me,
                task_id=str(uuid.uuid4()),
                department=department,
                purpose=PURPOSES[department][index % 4],
                considerations=CONSIDERATIONS,
                expected_start=today + timedelta(days=7),
                due=today + timedelta(weeks=6),
            )
        )
    for index in range(3):
        kind, place = PLACES[index]
        commands.append(
            BookMeeting(
                actor=me,
                meeting_id=str(uuid.uuid4()),
                starts_at=at(today + timedelta(days=3 + 7 * index), 10),
                place_kind=kind,
                place=place,
                purpose=MEETING_PURPOSE,
                host_name=coordinator.full_name,
                reminders=REMINDERS,
            )
        )
    for command in commands:
        await sender.send(command)
    return handle, sender.refusals
