"""One course's life, played through the programme workflow's own rules on a simulated clock.

The benchmark's read model must look like one the projection wrote from real workflows: the
same state, timeline, breached and escalated deadlines, messages queued and sent. Playing the
pure rule functions (workflows/*_rules.py) and the workflow's timer step (workflows/deadlines.py)
gives exactly that without a Temporal server, which would take hours for 20,000 courses.
Stalls are judged once, at the end, as the workflow's stall timer would find them now.
"""

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar

from pydantic import ValidationError
from temporalio.exceptions import ApplicationError

from models.command import Actor, Command
from models.contact import SetContactPreferences
from models.continuity import JustifyPause, RecordEffort
from models.danish_time import (
    COPENHAGEN,
    add_months,
    add_weeks,
    add_working_time,
    end_of_working_day,
    is_working_day,
    local_date,
)
from models.enums import (
    Channel,
    Department,
    MeetingStatus,
    Outcome,
    PlaceKind,
    PlanItemKind,
    Recommendation,
    Role,
    Stage,
)
from models.handover import HandoverNote, RequestHandover, ResolveTeamFlag
from models.meeting import (
    BookMeeting,
    CancelMeeting,
    CitizenReply,
    CompleteTodo,
    Participant,
    RecordMeetingOutcome,
    ReminderRule,
)
from models.programme import (
    CloseEarly,
    Effort,
    EndProgramme,
    ExtendProgramme,
    ProgrammeState,
    RecordDecision,
    RecordRecommendation,
    RecordStatus,
    ScheduleTeamMeeting,
    StartPreparation,
    TimelineEvent,
)
from models.progression import RecordProgression
from models.registration import FOLLOWUP_WEEKS
from models.task import (
    AcknowledgeTask,
    AssignTask,
    CancelTask,
    CompleteTask,
    DeclineTask,
    ReassignTask,
    StartTask,
    TaskSla,
)
from workflows import engine, programme_rules, stall
from workflows.rule_patches import PROGRESSION

Step = Callable[[datetime], None]
T = TypeVar("T")

# The deployment's default reminders (deploy/settings.py: "24,2:call").
REMINDERS = [ReminderRule(hours_before=24), ReminderRule(hours_before=2, channel=Channel.CALL)]
# Working days to acknowledge, per department (the department table's deadlines).
ACKNOWLEDGE_DAYS = {
    Department.JOBCENTER: 2.0,
    Department.SOCIAL: 3.0,
    Department.HEALTH: 5.0,
    Department.FAMILY: 3.0,
}
TASK_SHARE = {
    Department.JOBCENTER: 0.42,
    Department.HEALTH: 0.26,
    Department.SOCIAL: 0.22,
    Department.FAMILY: 0.10,
}
PURPOSES = {
    Department.JOBCENTER: [
        "Virksomhedspraktik med mentor",
        "Arbejdsprøvning i kommunal praktik",
        "Mentorstøtte i praktikken",
        "Jobsøgningsforløb med jobkonsulent",
        "Afklaring af skånehensyn på arbejdspladsen",
        "Småjob med løntilskud",
    ],
    Department.HEALTH: [
        "Helbredsvurdering hos kommunallæge",
        "Samtaleforløb hos psykolog",
        "Fysioterapi og genoptræning",
        "Smertehåndteringsforløb",
        "Ambulant misbrugsbehandling",
    ],
    Department.SOCIAL: [
        "Bostøtte to gange om ugen",
        "Gældsrådgivning",
        "Socialpædagogisk støtte",
        "Hjælp til boligsituationen",
    ],
    Department.FAMILY: [
        "Familierådgivning",
        "Støtte til forældrerollen",
        "Familiebehandling i hjemmet",
    ],
}
PLAN_EFFORTS = [
    (PlanItemKind.EFFORT, "Virksomhedspraktik", "Mentor i Jobcenter", Department.JOBCENTER),
    (PlanItemKind.EFFORT, "Afklaringsforløb", "Jobcenter", Department.JOBCENTER),
    (PlanItemKind.EFFORT, "Småjob med skånehensyn", "Jobcenter", Department.JOBCENTER),
    (PlanItemKind.TREATMENT, "Psykologforløb", "Psykolog i Sundhed", Department.HEALTH),
    (PlanItemKind.TREATMENT, "Fysioterapi", "Sundhed", Department.HEALTH),
    (PlanItemKind.TREATMENT, "Behandling hos egen læge", "Egen læge", None),
    (PlanItemKind.EFFORT, "Bostøtte", "Socialforvaltningen", Department.SOCIAL),
]
PLACES = [
    (PlaceKind.JOBCENTER, "Jobcenteret, mødelokale 3", 0.35),
    (PlaceKind.CAFE, "Café Solsikken, Torvet 3", 0.1),
    (PlaceKind.HOME, "Hjemme hos borgeren", 0.15),
    (PlaceKind.LIBRARY, "Hovedbiblioteket, mødelokale 2", 0.08),
    (PlaceKind.WALK, "Gåtur fra Rådhuspladsen", 0.07),
    (PlaceKind.PHONE, "Telefonmøde: koordinatoren ringer op", 0.15),
    (PlaceKind.VIDEO, "Videomøde", 0.1),
]
MEETING_PURPOSES = [
    "Opfølgning på planen",
    "Hvordan går praktikken",
    "Status og næste skridt",
    "Samtale om helbred og job",
]
# Where citizens are when a course ends, roughly as in DREAM: a sixth in job or education, a
# fifth in fleksjob, a quarter on førtidspension, the rest on other benefits.
OUTCOMES = {
    Outcome.JOB: 0.10,
    Outcome.EDUCATION: 0.05,
    Outcome.FLEKSJOB: 0.20,
    Outcome.FOERTIDSPENSION: 0.25,
    Outcome.LEDIGHEDSYDELSE: 0.10,
    Outcome.DAGPENGE: 0.07,
    Outcome.OTHER: 0.23,
}
RECOMMENDATIONS = {
    Recommendation.RESSOURCEFORLOEB: 0.85,
    Recommendation.FLEKSJOB: 0.07,
    Recommendation.FOERTIDSPENSION: 0.06,
    Recommendation.OTHER: 0.02,
}
DURATIONS = {12: 0.22, 18: 0.15, 24: 0.33, 36: 0.25, 48: 0.03, 60: 0.02}
STYLES = {"even": 0.45, "front": 0.25, "ends": 0.2, "back": 0.1}
RESULTS = [
    "Gennemført som aftalt",
    "Borgeren har deltaget stabilt; skånehensyn er beskrevet",
    "Afsluttet; anbefalinger sendt til koordinatoren",
]


def pick(rng: random.Random, weights: dict[T, float]) -> T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def new_id(rng: random.Random) -> str:
    """A uuid4 from the course's own random stream, so every run seeds the same ids."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def at(day: date, hour: float) -> datetime:
    """A moment on a local day, in UTC as workflow.now() gives it."""
    minutes = round(hour * 60)
    local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=COPENHAGEN)
    return local.astimezone(UTC)


def working_day(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def office(moment: datetime, rng: random.Random) -> datetime:
    """The moment moved into office hours on a working day (never earlier than 8:00)."""
    local = moment.astimezone(COPENHAGEN)
    day, hour = local.date(), local.hour + local.minute / 60
    if hour >= 15.5:
        day, hour = day + timedelta(days=1), rng.uniform(8, 10)
    elif hour < 8:
        hour = rng.uniform(8, 10)
    if not is_working_day(day):
        day, hour = working_day(day), rng.uniform(8, 10)
    return at(day, hour)


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    role: Role
    department: Department | None = None

    @property
    def actor(self) -> Actor:
        return Actor(id=self.id, role=self.role, department=self.department)


@dataclass(frozen=True)
class Staffing:
    """The people a course can involve besides its coordinator."""

    leads: dict[Department, list[Person]]
    workers: dict[Department, list[Person]]
    coordinators: list[Person]


@dataclass(frozen=True)
class Outline:
    """A course's milestones, drawn before its coordinator is chosen: caseloads are counted
    on the courses still open today."""

    referred: date
    prep: date
    team_scheduled: date
    team_meeting: date
    decided: date
    recommendation: Recommendation
    months: int
    extend_months: int
    outcome: Outcome
    ended_by_coordinator: bool
    end_day: date
    followup_status: Outcome
    close_early: date | None
    idle_from: date | None

    @property
    def planned_end(self) -> date:
        return add_months(self.decided, self.months)

    @property
    def final_end(self) -> date:
        return add_months(self.planned_end, self.extend_months)

    def closes_on(self) -> date:
        if self.close_early is not None:
            return self.close_early
        if self.recommendation != Recommendation.RESSOURCEFORLOEB:
            return self.decided
        ended = self.end_day
        if self.idle_from is not None and self.idle_from <= ended:
            ended = self.final_end if self.idle_from > self.planned_end else self.planned_end
        return add_weeks(ended, FOLLOWUP_WEEKS)


def draw_outline(rng: random.Random, today: date, idle_share: float) -> Outline:
    referred = today - timedelta(days=rng.randrange(0, 5 * 365))
    prep = working_day(referred + timedelta(days=rng.randint(1, 9)))
    team_scheduled = working_day(prep + timedelta(days=rng.randint(12, 34)))
    team_meeting = working_day(team_scheduled + timedelta(days=rng.randint(10, 28)))
    decided = working_day(team_meeting + timedelta(days=rng.randint(2, 10)))
    recommendation = pick(rng, RECOMMENDATIONS)
    months = pick(rng, DURATIONS)
    planned_end = add_months(decided, months)
    extend_months = 0
    if rng.random() < 0.12 and months <= 48:
        extend_months = min(rng.choice([6, 9, 12]), 60 - months)
    final_end = add_months(planned_end, extend_months)
    outcome = pick(rng, OUTCOMES)
    ended_by_coordinator = rng.random() < 0.6
    span = (final_end - decided).days
    if outcome in (Outcome.JOB, Outcome.EDUCATION) and ended_by_coordinator:
        end_day = decided + timedelta(days=int(span * rng.uniform(0.35, 0.95)))
    elif ended_by_coordinator:
        end_day = final_end - timedelta(days=rng.randint(1, 20))
    else:
        end_day = final_end
    followup_status = outcome if rng.random() < 0.8 else pick(rng, OUTCOMES)
    close_early = None
    if rng.random() < 0.04:
        close_early = prep + timedelta(days=rng.randint(5, 40))
    idle_from = None
    if rng.random() < idle_share:
        idle_from = today - timedelta(days=rng.randint(12, 90))
    return Outline(
        referred=referred,
        prep=prep,
        team_scheduled=team_scheduled,
        team_meeting=team_meeting,
        decided=decided,
        recommendation=recommendation,
        months=months,
        extend_months=extend_months,
        outcome=outcome,
        ended_by_coordinator=ended_by_coordinator,
        end_day=end_day,
        followup_status=followup_status,
        close_early=close_early,
        idle_from=idle_from,
    )


@dataclass
class Player:
    """Runs a course's planned actions in time order and fires the workflow's timers between
    them, as the programme workflow's loop does; actions after `now` have not happened yet."""

    state: ProgrammeState
    now: datetime
    idle_from: datetime | None = None
    events: list[TimelineEvent] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    _plan: list[tuple[datetime, int, Step]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.events.append(programme_rules.refer(self.state))

    def at(self, moment: datetime, step: Step, *, drifts: bool = True) -> None:
        """Plan a step; one the coordinator would take is dropped once the course drifts."""
        if drifts and self.idle_from is not None and moment >= self.idle_from:
            return
        self._plan.append((moment, len(self._plan), step))

    def apply(self, command: Command, moment: datetime) -> TimelineEvent | None:
        try:
            event = engine.apply(self.state, command, moment)
        except ApplicationError as refusal:
            # Refused by the rules, as the caseworker would have been told.
            self.refused.append(refusal.type or "")
            return None
        if event.recorded:
            self.events.append(event)
        return event

    def play(self) -> None:
        last = self.state.referred_at
        for moment, _, step in sorted(self._plan, key=lambda planned: planned[:2]):
            if moment > self.now:
                break
            self._fire_timers(last, moment)
            step(moment)
            last = moment
        self._fire_timers(last, self.now)
        judged = stall.judge(self.state, self.now)
        if judged is not None:
            self.events.append(judged)

    def _fire_timers(self, since: datetime, until: datetime) -> None:
        # As the workflow's timer would, but without stalls: they are judged once, at the end.
        if self.state.stage != Stage.CLOSED:
            self.events += engine.run_until(self.state, since, until, judge_stalls=False)


@dataclass
class Course:
    """Plans everything that happens on one course, then plays it."""

    rng: random.Random
    outline: Outline
    coordinator: Person
    staffing: Staffing
    citizen_name: str
    now: datetime
    handover_to: Person | None = None
    player: Player = field(init=False)
    style: str = field(init=False)  # where the course's activity lies: its timing profile

    def __post_init__(self) -> None:
        o = self.outline
        state = ProgrammeState(
            case_id=new_id(self.rng),
            citizen_id=new_id(self.rng),
            coordinator_id=self.coordinator.id,
            referred_at=at(o.referred, self.rng.uniform(8.5, 14)),
            # Progression is measured from the start, as in every course begun today.
            rule_patches=[PROGRESSION],
        )
        idle = at(o.idle_from, 0) if o.idle_from else None
        self.player = Player(state=state, now=self.now, idle_from=idle)
        self.style = pick(self.rng, STYLES)

    def busy(self, day: date) -> bool | None:
        """Whether the course's style puts much activity at `day`; None for an even course
        or before the decision."""
        o = self.outline
        if self.style == "even" or day < o.decided:
            return None
        share = (day - o.decided).days / max(1, (o.final_end - o.decided).days)
        if self.style == "front":
            return share < 0.2
        if self.style == "back":
            return share > 0.8
        return share < 0.2 or share > 0.8

    def spaced(
        self, day: date, even: tuple[int, int], busy: tuple[int, int], idle: tuple[int, int]
    ) -> int:
        """Days to the next activity of a kind, by the course's style at `day`."""
        lo, hi = {None: even, True: busy, False: idle}[self.busy(day)]
        return self.rng.randint(lo, hi)

    @property
    def actor(self) -> Actor:
        return self.coordinator.actor

    def act(self, moment: datetime, command: Command, *, drifts: bool = True) -> None:
        self.player.at(moment, lambda now: self._apply(command, now), drifts=drifts)

    def _apply(self, command: Command, now: datetime) -> None:
        self.player.apply(command, now)

    def day_at(self, day: date) -> datetime:
        return at(working_day(day), self.rng.uniform(8.5, 15))

    def before(self, day: date) -> datetime:
        """Office hours on the working day on or before `day`."""
        while not is_working_day(day):
            day -= timedelta(days=1)
        return at(day, self.rng.uniform(8.5, 15))

    def play(self) -> ProgrammeState:
        self.plan()
        self.player.play()
        return self.player.state

    # The plan ------------------------------------------------------------------------------

    def plan(self) -> None:
        o, rng = self.outline, self.rng
        start = self.day_at(o.prep)
        self.act(start, StartPreparation(actor=self.actor))
        self._contact(start)
        self.act(
            start,
            RecordEffort(
                actor=self.actor,
                kind=PlanItemKind.MEETING,
                title="Forberedende samtaler",
                owner="Koordinator",
                start=o.prep,
                end=o.team_meeting,
                item_id=new_id(rng),
            ),
        )
        if rng.random() < 0.6:
            department = Department.HEALTH if rng.random() < 0.7 else Department.JOBCENTER
            assigned = self.day_at(o.prep + timedelta(days=rng.randint(1, 8)))
            first = local_date(assigned) + timedelta(days=rng.randint(3, 10))
            self._task(department, assigned, first, first + timedelta(days=rng.randint(14, 35)))
        if o.close_early is not None:
            self._close_early()
        self.act(
            self.day_at(o.team_scheduled),
            ScheduleTeamMeeting(actor=self.actor, meeting_on=o.team_meeting),
        )
        efforts = []
        if o.recommendation == Recommendation.RESSOURCEFORLOEB:
            chosen = rng.sample(PLAN_EFFORTS, k=rng.randint(2, 3))
            efforts = [
                Effort(department=d or Department.HEALTH, description=title)
                for _, title, _, d in chosen
            ]
        self.act(
            at(o.team_meeting, rng.uniform(13, 15)),
            RecordRecommendation(actor=self.actor, kind=o.recommendation, efforts=efforts),
        )
        rf = o.recommendation == Recommendation.RESSOURCEFORLOEB
        self.act(
            self.day_at(o.decided),
            RecordDecision(
                actor=self.actor,
                kind=o.recommendation,
                duration_months=o.months if rf else None,
            ),
        )
        course_end = o.final_end if rf else o.decided
        self._meetings(start, o.close_early or course_end - timedelta(days=10))
        if self.handover_to is not None:
            self._handover()
        if not rf:
            self._cancel_open_tasks(self.day_at(o.decided) - timedelta(minutes=5), "Intet forløb")
            return
        self._plan_efforts()
        self._course_tasks()
        if o.extend_months:
            self.act(
                self.day_at(o.planned_end - timedelta(days=rng.randint(20, 60))),
                ExtendProgramme(
                    actor=self.actor,
                    new_end=o.final_end,
                    reason="Borgeren har brug for mere tid i praktikken",
                ),
            )
        self._ending()
        if rng.random() < 0.1:
            self._citizen_message()

    def _contact(self, moment: datetime) -> None:
        rng = self.rng
        channels = pick(
            rng,
            {
                (Channel.SMS,): 0.45,
                (Channel.SMS, Channel.CALL): 0.15,
                (Channel.EMAIL,): 0.12,
                (Channel.SMS, Channel.EMAIL): 0.08,
                (): 0.2,  # the default: the caseworker calls
            },
        )
        if not channels:
            return
        first, last = self.citizen_name.split()[0], self.citizen_name.split()[-1]
        local = f"{first}.{last}{rng.randint(1, 99)}".lower()
        for danish, plain in (("æ", "ae"), ("ø", "oe"), ("å", "aa")):
            local = local.replace(danish, plain)
        try:
            command = SetContactPreferences(
                actor=self.actor,
                channels=list(channels),
                phone=f"2{rng.randint(0, 9)} {rng.randint(10, 99)} {rng.randint(10, 99)} "
                f"{rng.randint(10, 99)}",
                email=f"{local}@eksempel.dk",
            )
        except ValidationError:
            return
        self.act(moment, command)

    def _close_early(self) -> None:
        assert self.outline.close_early is not None
        moment = self.day_at(self.outline.close_early)
        self._cancel_open_tasks(moment, "Sagen lukkes")
        reason = self.rng.choice(
            ["Borgeren er flyttet til en anden kommune", "Borgeren er i arbejde igen"]
        )
        self.act(moment, CloseEarly(actor=self.actor, reason=reason))

    def _meetings(self, first_booked: datetime, last_day: date) -> None:
        """A chain of meetings with the citizen: each ends by booking the next."""
        rng = self.rng
        booked = first_booked
        day = local_date(booked) + timedelta(days=rng.randint(4, 12))
        while True:
            if day > last_day:
                if local_date(booked) >= last_day - timedelta(days=21):
                    break
                day = last_day  # a closing meeting before the course ends
            starts = at(working_day(day), rng.choice([9, 9.5, 10, 10.5, 11, 13, 13.5, 14]))
            if starts <= booked:
                starts = at(working_day(local_date(booked) + timedelta(days=2)), 10)
            meeting_id = new_id(rng)
            place_kind, place = self._place()
            invited = self._invited()
            self.act(
                booked,
                BookMeeting(
                    actor=self.actor,
                    starts_at=starts,
                    duration_minutes=rng.choice([30, 45, 60, 60, 90]),
                    place_kind=place_kind,
                    place=place,
                    purpose=rng.choice(MEETING_PURPOSES),
                    participants=invited,
                    meeting_id=meeting_id,
                    host_name=self.coordinator.name,
                    reminders=REMINDERS,
                ),
            )
            if rng.random() < 0.5:
                reply = booked + timedelta(hours=rng.uniform(1, 30))
                if reply < starts:
                    self._confirm(reply, meeting_id, new_id(rng))
            roll = rng.random()
            if roll < 0.05:
                cancelled = booked + (starts - booked) * rng.uniform(0.3, 0.9)
                self.act(
                    cancelled,
                    CancelMeeting(
                        actor=self.actor, meeting_id=meeting_id, reason="Borgeren er syg"
                    ),
                )
                booked = cancelled
            else:
                outcome = MeetingStatus.HELD if roll < 0.9 else MeetingStatus.NO_SHOW
                delay = rng.uniform(1, 5) if rng.random() < 0.9 else rng.uniform(16, 40)
                booked = office(starts + timedelta(hours=delay), rng)
                # Recording what happened is routine even on a drifting course; booking the
                # next meeting is what gets forgotten.
                self.act(
                    booked,
                    RecordMeetingOutcome(actor=self.actor, meeting_id=meeting_id, outcome=outcome),
                    drifts=False,
                )
                if outcome == MeetingStatus.HELD:
                    self._measure(booked)
            after = local_date(booked)
            day = after + timedelta(days=self.spaced(after, (42, 98), (14, 28), (112, 182)))

    def _measure(self, moment: datetime) -> None:
        """At a held meeting, the due progression round is measured: every indicator moved a
        step or two from where it stood, more often up than down."""

        def measure(now: datetime) -> None:
            progression = self.player.state.progression
            if not progression.pending:
                return
            last = progression.measurements[-1].scores if progression.measurements else {}
            scores = {
                key: min(
                    10, max(1, last.get(key, self.rng.randint(2, 5)) + self.rng.randint(-1, 2))
                )
                for key in progression.pending
            }
            self.player.apply(RecordProgression(actor=self.actor, scores=scores), now)

        self.player.at(moment, measure)

    def _confirm(self, moment: datetime, meeting_id: str, reply_id: str) -> None:
        """The citizen answers JA to a meeting that is still booked."""

        def reply(now: datetime) -> None:
            meeting = self.player.state.meetings.get(meeting_id)
            if meeting is not None and meeting.status == MeetingStatus.BOOKED:
                command = CitizenReply(text="JA", reply_id=reply_id)
                self.player.apply(command, now)

        self.player.at(moment, reply, drifts=False)

    def _place(self) -> tuple[PlaceKind, str]:
        kind, place, _ = self.rng.choices(PLACES, weights=[w for *_, w in PLACES])[0]
        return kind, place

    def _invited(self) -> list[Participant]:
        if self.rng.random() > 0.3:
            return []
        department = pick(self.rng, TASK_SHARE)
        people = self.rng.sample(self.staffing.workers[department], k=1)
        return [Participant(staff_id=p.id, name=p.name, department=p.department) for p in people]

    def _plan_efforts(self) -> None:
        """Contiguous efforts over the course, each recorded shortly before it starts; now and
        then a justified pause (illness), recorded with the effort that follows it."""
        rng, o = self.rng, self.outline
        day, end = o.decided + timedelta(days=rng.randint(0, 5)), o.final_end
        while day < end:
            last = min(end, day + timedelta(days=self.spaced(day, (60, 180), (20, 45), (150, 300))))
            recorded = max(at(o.decided, 16), self.day_at(day - timedelta(days=rng.randint(0, 14))))
            self._effort(recorded, day, last)
            day = last + timedelta(days=rng.randint(1, 10))
            if rng.random() < 0.1 and day < end:
                pause_end = day + timedelta(days=rng.randint(21, 56))
                recorded = self.day_at(day - timedelta(days=rng.randint(1, 8)))
                self.act(
                    recorded,
                    JustifyPause(
                        actor=self.actor,
                        start=last + timedelta(days=1),
                        end=pause_end,
                        reason="Indlagt; aftalt pause med egen læge",
                        item_id=new_id(rng),
                    ),
                )
                day = pause_end + timedelta(days=1)
                if day < end:
                    following = min(end, day + timedelta(days=rng.randint(60, 180)))
                    self._effort(recorded, day, following)
                    day = following + timedelta(days=rng.randint(1, 10))

    def _effort(self, recorded: datetime, start: date, end: date) -> None:
        kind, title, owner, department = self.rng.choice(PLAN_EFFORTS)
        self.act(
            recorded,
            RecordEffort(
                actor=self.actor,
                kind=kind,
                title=title,
                owner=owner,
                department=department,
                start=start,
                end=end,
                item_id=new_id(self.rng),
            ),
        )

    def _course_tasks(self) -> None:
        """Three to ten tasks over the course, when its timing style puts them."""
        rng, o = self.rng, self.outline
        count = rng.randint(3, 9)
        style = self.style
        span = max(30, (o.final_end - o.decided).days - 30)
        for n in range(count):
            if (n < 2 and style != "back") or (style == "front" and rng.random() < 0.7):
                share = rng.uniform(0, 0.2)
            elif style == "ends" and rng.random() < 0.9:
                share = rng.choice([rng.uniform(0, 0.2), rng.uniform(0.8, 1)])
            elif style == "back" and rng.random() < 0.6:
                share = rng.uniform(0.8, 1)
            else:
                share = rng.random()
            assigned = self.day_at(o.decided + timedelta(days=int(span * share)))
            assigned = max(assigned, at(o.decided, 15))
            first = local_date(assigned) + timedelta(days=rng.randint(5, 20))
            due = min(o.final_end, first + timedelta(days=rng.randint(20, 150)))
            self._task(pick(rng, TASK_SHARE), assigned, first, max(first, due), carries=n < 2)

    def _task(
        self,
        department: Department,
        assigned: datetime,
        first: date,
        due: date,
        *,
        carries: bool = False,
    ) -> None:
        """Assign a task, then what the department does with it and when."""
        rng = self.rng
        task_id = new_id(rng)
        purpose = rng.choice(PURPOSES[department])
        sla = TaskSla(acknowledge_days=ACKNOWLEDGE_DAYS[department], escalation_interval_days=1)
        self.act(
            assigned,
            AssignTask(
                actor=self.actor,
                department=department,
                purpose=purpose,
                considerations=rng.choice(["", "", "Højst 12 timer om ugen; pauser efter behov"]),
                expected_start=first,
                due=due,
                carries_recommendation=carries,
                task_id=task_id,
                sla=sla,
            ),
        )
        worker = rng.choice(self.staffing.workers[department])
        if rng.random() < 0.8:  # the lead hands most tasks to a named colleague at once
            lead = rng.choice(self.staffing.leads[department])
            self.act(
                office(add_working_time(assigned, rng.uniform(0.05, 0.6)), rng),
                ReassignTask(
                    actor=lead.actor,
                    task_id=task_id,
                    assignee_id=worker.id,
                    assignee_name=worker.name,
                    assignee_department=department,
                    note="Du har borgeren i forvejen",
                ),
                drifts=False,
            )
        by = worker.actor
        # Most departments acknowledge within their deadline; some are late by days.
        sla_days = ACKNOWLEDGE_DAYS[department]
        if rng.random() < 0.85:
            delay = sla_days * rng.betavariate(1.3, 2.5)
        else:
            delay = sla_days + rng.uniform(0.2, 10)
        acknowledged = max(
            assigned + timedelta(minutes=30), office(add_working_time(assigned, delay), rng)
        )
        fate = rng.random()
        if fate < 0.04:
            self.act(
                acknowledged,
                DeclineTask(actor=by, task_id=task_id, reason="Borgeren er ikke i målgruppen"),
                drifts=False,
            )
            if carries and rng.random() < 0.7:
                self.act(
                    acknowledged + timedelta(days=rng.randint(3, 20)),
                    ResolveTeamFlag(actor=self.actor, note="Drøftet i teamet; planen er justeret"),
                )
            return
        self.act(
            acknowledged,
            AcknowledgeTask(actor=by, task_id=task_id),
            drifts=False,
        )
        if rng.random() < 0.1:
            late = rng.uniform(0.5, 15)
            started = office(add_working_time(end_of_working_day(first), late), rng)
        else:
            started = self.before(first - timedelta(days=rng.randint(0, 4)))
        started = max(acknowledged + timedelta(hours=1), started)
        self.act(started, StartTask(actor=by, task_id=task_id), drifts=False)
        if fate < 0.06:
            self.act(
                started + timedelta(days=rng.randint(5, 40)),
                CancelTask(actor=self.actor, task_id=task_id, reason="Indsatsen passer ikke"),
            )
            return
        if rng.random() < 0.12:
            finished = office(add_working_time(end_of_working_day(due), rng.uniform(0.5, 20)), rng)
        else:
            finished = self.before(due - timedelta(days=rng.randint(0, 20)))
        finished = max(started + timedelta(days=2), finished)
        self.act(
            finished,
            CompleteTask(actor=by, task_id=task_id, result=rng.choice(RESULTS)),
            drifts=False,
        )

    def _cancel_open_tasks(self, moment: datetime, reason: str) -> None:
        def cancel(now: datetime) -> None:
            for task in list(self.player.state.tasks.values()):
                if task.state.is_open:
                    command = CancelTask(actor=self.actor, task_id=task.id, reason=reason)
                    self.player.apply(command, now)

        self.player.at(moment, cancel)

    def _cancel_upcoming_meetings(self, moment: datetime) -> None:
        def cancel(now: datetime) -> None:
            for meeting in list(self.player.state.meetings.values()):
                if meeting.status.is_upcoming and meeting.starts_at > now:
                    command = CancelMeeting(
                        actor=self.actor, meeting_id=meeting.id, reason="Forløbet er afsluttet"
                    )
                    self.player.apply(command, now)

        self.player.at(moment, cancel)

    def _ending(self) -> None:
        rng, o = self.rng, self.outline
        if o.ended_by_coordinator:
            moment = self.day_at(o.end_day)
            self._cancel_open_tasks(moment, "Forløbet afsluttes")
            self._cancel_upcoming_meetings(moment)
            self.act(
                moment,
                EndProgramme(actor=self.actor, outcome=o.outcome, reason="Borgerens situation"),
            )
            ended = o.end_day
        else:
            ended = o.final_end
            if rng.random() < 0.92:
                self.act(
                    self.day_at(ended + timedelta(days=rng.randint(5, 50))),
                    RecordStatus(actor=self.actor, status=o.outcome),
                )
        if o.followup_status != o.outcome:
            followup = add_weeks(ended, FOLLOWUP_WEEKS)
            self.act(
                self.day_at(followup - timedelta(days=rng.randint(8, 30))),
                RecordStatus(actor=self.actor, status=o.followup_status),
            )

    def _handover(self) -> None:
        assert self.handover_to is not None
        to = self.handover_to
        moment = office(self.now - timedelta(days=self.rng.uniform(0.5, 6)), self.rng)
        moment = min(moment, self.now - timedelta(minutes=5))
        self.act(
            moment,
            RequestHandover(
                actor=self.actor,
                to_id=to.id,
                to_name=to.name,
                to_is_coordinator=True,
                from_name=self.coordinator.name,
                note=HandoverNote(
                    status="Forløbet kører; borgeren er motiveret",
                    open_tasks="Se tavlen",
                    agreements="Ringer til borgeren hver mandag formiddag",
                    citizen_told="At der kommer en ny kontaktperson",
                ),
            ),
            drifts=False,
        )

    def _citizen_message(self) -> None:
        rng, o = self.rng, self.outline
        span = max(1, (min(o.final_end, local_date(self.now)) - o.decided).days)
        sent = at(o.decided + timedelta(days=rng.randrange(span)), rng.uniform(7, 22))
        self.act(
            sent,
            CitizenReply(text="Kan vi tale om min praktik?", reply_id=new_id(rng)),
            drifts=False,
        )

        def done(now: datetime) -> None:
            for todo in self.player.state.todos:
                if todo.meeting_id is None and todo.done_at is None:
                    command = CompleteTodo(actor=self.actor, todo_id=todo.id)
                    self.player.apply(command, now)

        self.player.at(office(sent + timedelta(days=rng.uniform(0.2, 4)), rng), done)


def play(
    rng: random.Random,
    outline: Outline,
    coordinator: Person,
    staffing: Staffing,
    citizen_name: str,
    now: datetime,
    handover_to: Person | None = None,
) -> tuple[ProgrammeState, list[TimelineEvent]]:
    course = Course(rng, outline, coordinator, staffing, citizen_name, now, handover_to)
    state = course.play()
    return state, course.player.events
