"""The heavy course: one ressourceforløb from referral to the 13-week follow-up.

Preparation, team meeting, recommendation, a 36-month decision extended to the 5-year maximum,
contact preferences (SMS, then e-mail), the department tasks (heavy_tasks.py), the meetings with
the citizen (heavy_meetings.py), ten planned efforts, five justified pauses, a handover to a
second coordinator, the end, the status during follow-up, and the close. After every step the
course looks at the state: its size, and the provider's delivery reports for the SMS sent.
"""

import asyncio
import uuid
from datetime import date, datetime, timedelta

from temporalio.testing import WorkflowEnvironment

from bench.history.casework import (
    ProgrammeHandle,
    Sender,
    Staffing,
    refer,
    state_bytes,
)
from bench.history.clock import at, travel_to
from bench.history.course_figures import CourseFigures
from bench.history.heavy_meetings import Meetings
from bench.history.heavy_tasks import DepartmentTasks
from bench.history.material import DECISION_MONTHS, EFFORTS, EMAIL, PHONE
from bench.history.player import AFTER_STEP, Player, Step
from bench.history.service import Service
from models.contact import SetContactPreferences
from models.continuity import JustifyPause, RecordEffort
from models.danish_time import add_months, local_date
from models.enums import (
    Channel,
    DeliveryStatus,
    Department,
    Outcome,
    Recommendation,
    Stage,
)
from models.handover import AcceptHandover, HandoverNote, RequestHandover
from models.meeting import DeliveryReport
from models.programme import (
    Effort,
    EndProgramme,
    ExtendProgramme,
    ProgrammeState,
    RecordDecision,
    RecordRecommendation,
    RecordStatus,
    ScheduleTeamMeeting,
    StartPreparation,
)
from tests.factories import actor_of

# Bounds, so the script always stops by itself.
MAX_STEPS = 6_000
COURSE_TIMEOUT_SECONDS = 900

EFFORT_DEPARTMENTS = [
    Department.JOBCENTER,
    Department.HEALTH,
    Department.SOCIAL,
    Department.HEALTH,
    Department.JOBCENTER,
]
# Weeks after the decision, and why: each pause starts the week after and lasts three weeks.
PAUSES = [
    (40, "Indlagt på hospitalet efter en operation"),
    (92, "Sommerferie med børnene"),
    (144, "Genoptræning efter et fald; ingen indsats kan gennemføres"),
    (196, "Sommerferie"),
    (236, "Sygdom i familien; borgeren passer sin mor"),
]


async def play_course(service: Service, staffing: Staffing) -> CourseFigures:
    # A Monday morning at least a day ahead, so every moment of the plan is still to come.
    now = await service.env.get_current_time()
    monday = local_date(now) + timedelta(days=1)
    monday += timedelta(days=(7 - monday.weekday()) % 7)
    t0 = at(monday, 10)
    await travel_to(service.env, t0)
    handle = await refer(service, staffing.coordinators[0])
    course = HeavyCourse(service.env, staffing, handle, t0)
    return await course.play()


class HeavyCourse:
    """Plays the course from its agenda, looking at the state after every step."""

    def __init__(
        self, env: WorkflowEnvironment, staffing: Staffing, handle: ProgrammeHandle, t0: datetime
    ) -> None:
        self.env = env
        self.staffing = staffing
        self.handle = handle
        self.t0 = t0
        self.referral_day = local_date(t0)
        self.team_day = self.referral_day + timedelta(days=22)
        self.decision_day = self.referral_day + timedelta(days=35)
        self.player = Player(env, Sender(handle), staffing.coordinators[0])
        self.sender = self.player.sender
        self.tasks = DepartmentTasks(self.player, staffing, self.referral_day, self.decision_day)
        self.meetings = Meetings(self.player, self.decision_day)
        self.reported: set[str] = set()
        self.monthly: list[int] = []
        self.largest: ProgrammeState | None = None
        self.largest_size = 0
        self.samples = 0
        self.final: ProgrammeState | None = None
        self.steps = 0

    async def play(self) -> CourseFigures:
        self.plan_course()
        limit = self.t0 + timedelta(days=7 * 365)
        while self.final is None and (entry := self.player.next_entry()) is not None:
            if entry.when > limit or self.steps >= MAX_STEPS:
                raise RuntimeError(f"the course ran away at step {self.steps}: {entry.what}")
            await travel_to(self.env, entry.when)
            await entry.step()
            self.steps += 1
            if self.final is None:
                # A minute later whatever the step set off (a message, its projection) is
                # done: the provider reports on it then, as Twilio does within seconds.
                await self.env.sleep(AFTER_STEP)
                await self.look()
        if self.final is None:
            raise RuntimeError("the agenda ran out before the course closed")
        assert self.largest is not None
        return CourseFigures(
            workflow_id=self.handle.id,
            first_run_id=self.handle.first_execution_run_id or self.handle.result_run_id or "",
            started=self.t0,
            closed=self.final.closed_at or self.t0,
            final=self.final,
            monthly=self.monthly,
            largest=self.largest,
            largest_size=self.largest_size,
            samples=self.samples,
            sent=self.sender.sent,
            refusals=self.sender.refusals,
            coordinators=(
                str(self.staffing.coordinators[0].id),
                str(self.staffing.coordinators[1].id),
            ),
            tasks=self.tasks.fates,
            meetings_booked=self.meetings.booked,
            outcomes=self.meetings.outcomes,
            steps=self.steps,
        )

    async def look(self) -> None:
        """Read the state: its size, and the provider's delivery reports for every SMS sent
        since the last look (Twilio reports `sent`, then `delivered`)."""
        state = await self.sender.state()
        self.note_size(state)
        for message in state.sent:
            if message.channel != Channel.SMS or message.key in self.reported:
                continue
            self.reported.add(message.key)
            for status in (DeliveryStatus.SENT, DeliveryStatus.DELIVERED):
                await self.sender.send(DeliveryReport(key=message.key, status=status))
        self.player.last_state = state

    def note_size(self, state: ProgrammeState) -> None:
        size = state_bytes(state)
        self.samples += 1
        if size > self.largest_size:
            self.largest, self.largest_size = state, size

    # The course, as planned on the day of referral

    def plan_course(self) -> None:
        plan = self.player.plan
        plan(self.t0, "referral work", self.referral_work)
        plan(at(self.referral_day + timedelta(days=14), 10), "team date", self.team_date)
        plan(at(self.team_day, 15), "recommendation", self.recommendation)
        plan(at(self.decision_day, 10), "decision", self.decision)
        self.tasks.plan_all()
        for index in range(10):
            start = self.decision_day + timedelta(days=7 + 182 * index)
            moment = at(start - timedelta(days=7), 10, 30)
            plan(moment, f"effort {index}", self.effort(index, start))
        for weeks, reason in PAUSES:
            monday = self.decision_day + timedelta(weeks=weeks)
            plan(at(monday, 10, 15), "pause", self.pause(monday, reason))
        handover_day = self.decision_day + timedelta(weeks=121)
        plan(at(handover_day, 9, 45), "handover", self.request_handover)
        plan(at(handover_day + timedelta(days=1), 9, 30), "accept", self.accept_handover)
        plan(at(self.decision_day + timedelta(weeks=130), 10, 20), "extension", self.extension)
        plan(self.month_moment(1), "month", self.month_step(1))

    def month_moment(self, months: int) -> datetime:
        """The evening of the first of the month, `months` after the referral's month."""
        return at(add_months(self.referral_day.replace(day=1), months), 20)

    def month_step(self, months: int) -> Step:
        async def step() -> None:
            state = await self.sender.state()
            self.monthly.append(state_bytes(state))
            if state.stage != Stage.CLOSED:
                following = months + 1
                self.player.plan(self.month_moment(following), "month", self.month_step(following))

        return step

    async def referral_work(self) -> None:
        me = self.player.me
        await self.sender.send(
            SetContactPreferences(
                actor=me, channels=[Channel.SMS, Channel.EMAIL], phone=PHONE, email=EMAIL
            )
        )
        await self.sender.send(StartPreparation(actor=me))
        await self.meetings.book(0, at(self.referral_day + timedelta(days=2), 10))

    async def team_date(self) -> None:
        await self.sender.send(ScheduleTeamMeeting(actor=self.player.me, meeting_on=self.team_day))

    async def recommendation(self) -> None:
        await self.sender.send(
            RecordRecommendation(
                actor=self.player.me,
                kind=Recommendation.RESSOURCEFORLOEB,
                efforts=[
                    Effort(department=Department.JOBCENTER, description="Virksomhedspraktik"),
                    Effort(department=Department.HEALTH, description="Smertehåndtering"),
                    Effort(department=Department.SOCIAL, description="Støtte-kontaktperson"),
                    Effort(department=Department.FAMILY, description="Familiebehandling"),
                ],
                note="Borgeren er motiveret; skånehensyn: højst 3 timer ad gangen.",
            )
        )

    async def decision(self) -> None:
        await self.sender.send(
            RecordDecision(
                actor=self.player.me,
                kind=Recommendation.RESSOURCEFORLOEB,
                duration_months=DECISION_MONTHS,
            )
        )

    # The continuity plan

    def effort(self, index: int, start: date) -> Step:
        kind, title, owner = EFFORTS[index % len(EFFORTS)]

        async def step() -> None:
            await self.sender.send(
                RecordEffort(
                    actor=self.player.me,
                    item_id=str(uuid.uuid4()),
                    kind=kind,
                    title=title,
                    owner=owner,
                    department=EFFORT_DEPARTMENTS[index % len(EFFORT_DEPARTMENTS)],
                    start=start,
                    end=start + timedelta(days=181),
                )
            )

        return step

    def pause(self, monday: date, reason: str) -> Step:
        async def step() -> None:
            start = monday + timedelta(days=7)
            await self.sender.send(
                JustifyPause(
                    actor=self.player.me,
                    item_id=str(uuid.uuid4()),
                    start=start,
                    end=start + timedelta(days=20),
                    reason=reason,
                )
            )

        return step

    # Handover, extension, end and close

    async def request_handover(self) -> None:
        first, second = self.staffing.coordinators
        await self.sender.send(
            RequestHandover(
                actor=actor_of(first),
                to_id=str(second.id),
                to_name=second.full_name,
                to_is_coordinator=True,
                from_name=first.full_name,
                note=HandoverNote(
                    status="Aktivt ressourceforløb; praktik og fysioterapi kører.",
                    open_tasks="Jobcentret og Sundhed har hver en åben opgave.",
                    agreements="Møde hver måned; næste er booket.",
                    citizen_told="Borgeren ved, at Lars overtager.",
                ),
            )
        )

    async def accept_handover(self) -> None:
        second = self.staffing.coordinators[1]
        if await self.sender.send(AcceptHandover(actor=actor_of(second))) is not None:
            self.player.coordinator = second

    async def extension(self) -> None:
        state = await self.sender.state()
        if state.max_end is not None:
            await self.sender.send(
                ExtendProgramme(
                    actor=self.player.me,
                    new_end=state.max_end,
                    reason="Borgeren er i god udvikling; teamet anbefaler fem år i alt.",
                )
            )
            state = await self.sender.state()
        assert state.planned_end is not None
        self.player.plan(at(state.planned_end - timedelta(days=3), 10), "end", self.end)

    async def end(self) -> None:
        await self.sender.send(
            EndProgramme(
                actor=self.player.me,
                outcome=Outcome.JOB,
                reason="Borgeren er ansat i ordinært job fra den 1. i næste måned.",
            )
        )
        day = local_date(await self.player.now())
        self.player.plan(at(day + timedelta(weeks=6), 10), "status", self.status)

    async def status(self) -> None:
        await self.sender.send(RecordStatus(actor=self.player.me, status=Outcome.JOB))
        state = await self.sender.state()
        assert state.followup_on is not None
        self.player.plan(at(state.followup_on + timedelta(days=1), 12), "close", self.close)

    async def close(self) -> None:
        # The 13-week follow-up timer has fired: the workflow returns its final state.
        self.final = await asyncio.wait_for(self.handle.result(), timeout=60)
        self.note_size(self.final)
