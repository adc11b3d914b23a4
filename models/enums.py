"""The fixed vocabularies of a course, with their Danish labels for the UI."""

from enum import StrEnum
from typing import Self


class Labelled(StrEnum):
    """A value stored as its string, declared together with the Danish label users see."""

    _value_: str
    label: str

    def __new__(cls, value: str, label: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label or value
        return member


class CourseType(Labelled):
    """Which kind of course a case is (models/course_types.py); the law decides which."""

    # The former LAB chapter 19: no new ones since 1 February 2026; running ones are completed
    # under the rules as they were (domain brief, section 8).
    RESSOURCEFORLOEB = "ressourceforloeb", "Ressourceforløb"
    # The municipality's own cross-department course that follows it; its name is a setting.
    TVAERFAGLIGT = "tvaerfagligt", "Tværfagligt forløb"


class Stage(Labelled):
    """Where a course is (domain brief, section 3). Each course type walks its own path
    through these (models/course_types.py); the shared ones mean the same in every type."""

    REFERRED = "referred", "Visiteret"
    PREPARATION = "preparation", "Forberedende del"
    TEAM = "team", "Rehabiliteringsteam"
    RECOMMENDED = "recommended", "Indstillet, afventer afgørelse"
    DESCRIPTION = "description", "Samlet beskrivelse"
    HEALTH_ADVICE = "health_advice", "Afventer sundhedskoordinator"
    DESCRIBED = "described", "Beskrevet, afventer afgørelse"
    ACTIVE = "active", "Aktivt forløb"
    ENDED = "ended", "Afsluttet, afventer opfølgning"
    CLOSED = "closed", "Lukket"


# Before the decision, a case can still be closed with a reason.
PRE_DECISION = (
    Stage.REFERRED,
    Stage.PREPARATION,
    Stage.TEAM,
    Stage.RECOMMENDED,
    Stage.DESCRIPTION,
    Stage.HEALTH_ADVICE,
    Stage.DESCRIBED,
)
# A course takes tasks and plan items until it has ended.
PLANNING_STAGES = (*PRE_DECISION, Stage.ACTIVE)


class Recommendation(Labelled):
    """What the rehabilitation team recommends, and what the municipality decides."""

    RESSOURCEFORLOEB = "ressourceforloeb", "Ressourceforløb"
    FLEKSJOB = "fleksjob", "Fleksjob"
    FOERTIDSPENSION = "foertidspension", "Førtidspension"
    # The cross-department course's decision to carry on with a coordinated effort and a plan.
    COORDINATED = "coordinated", "Koordineret indsats med en plan"
    OTHER = "other", "Anden indsats"


class Outcome(Labelled):
    """Where the citizen is when a course ends, and 13 weeks later (the DREAM categories)."""

    JOB = "job", "Ordinært job"
    EDUCATION = "education", "Uddannelse"
    FLEKSJOB = "fleksjob", "Fleksjob"
    LEDIGHEDSYDELSE = "ledighedsydelse", "Ledighedsydelse"
    DAGPENGE = "dagpenge", "Dagpenge"
    FOERTIDSPENSION = "foertidspension", "Førtidspension"
    OTHER = "other", "Andet"


class Department(Labelled):
    """The municipal departments that share the responsibility for a course."""

    JOBCENTER = "jobcenter", "Jobcenter"
    SOCIAL = "social", "Socialforvaltningen"
    HEALTH = "health", "Sundhed"
    FAMILY = "family", "Børn og familie"


class Role(Labelled):
    """What a member of staff may do."""

    COORDINATOR = "coordinator", "Koordinerende sagsbehandler"
    DEPARTMENT_WORKER = "department_worker", "Medarbejder i afdeling"
    DEPARTMENT_LEAD = "department_lead", "Afdelingsleder"
    MANAGER = "manager", "Leder"
    ADMIN = "admin", "Administrator"
    # Reads the access log, to answer a citizen's request for insight; sees no case.
    DATA_PROTECTION = "data_protection", "Databeskyttelsesrådgiver"


class TaskState(Labelled):
    """A department task's lifecycle; waiting times are measured between these."""

    ASSIGNED = "assigned", "Tildelt"
    ACKNOWLEDGED = "acknowledged", "Kvitteret"
    IN_PROGRESS = "in_progress", "I gang"
    DONE = "done", "Færdig"
    DECLINED = "declined", "Afvist"
    CANCELLED = "cancelled", "Annulleret"

    @property
    def is_open(self) -> bool:
        return self in OPEN_TASK_STATES


# Tasks a department still has to act on.
OPEN_TASK_STATES = (TaskState.ASSIGNED, TaskState.ACKNOWLEDGED, TaskState.IN_PROGRESS)


class Breach(Labelled):
    """Which deadline a task has passed."""

    ACKNOWLEDGE = "acknowledge", "Ikke kvitteret til tiden"
    START = "start", "Ikke startet til tiden"
    DUE = "due", "Ikke færdig til tiden"


class PlanItemKind(Labelled):
    """What the coordinator records in the continuity plan besides tasks."""

    EFFORT = "effort", "Indsats"
    TREATMENT = "treatment", "Behandling"
    MEETING = "meeting", "Møde"


class Recipient(StrEnum):
    """Who a notice goes to; the notification activity finds the people."""

    DEPARTMENT = "department"
    DEPARTMENT_LEAD = "department_lead"
    STAFF = "staff"
    CITIZEN = "citizen"


class Channel(Labelled):
    """How a citizen prefers to be reached, in their own order."""

    SMS = "sms", "SMS"
    CALL = "call", "Automatisk opkald"
    EMAIL = "email", "E-mail"
    CASEWORKER_CALLS = "caseworker_calls", "Sagsbehandleren ringer"


class PlaceKind(Labelled):
    """Where a meeting happens: anywhere the citizen can manage it."""

    JOBCENTER = "jobcenter", "Jobcenteret"
    HOME = "home", "Hjemme hos borgeren"
    CAFE = "cafe", "Café"
    LIBRARY = "library", "Biblioteket"
    WALK = "walk", "En gåtur"
    PHONE = "phone", "Telefon"
    VIDEO = "video", "Video"
    OTHER = "other", "Andet sted"


class MeetingStatus(Labelled):
    BOOKED = "booked", "Aftalt"
    CONFIRMED = "confirmed", "Bekræftet af borgeren"
    NEW_TIME_REQUESTED = "new_time_requested", "Borgeren ønsker en ny tid"
    HELD = "held", "Holdt"
    NO_SHOW = "no_show", "Udeblevet"
    CANCELLED = "cancelled", "Aflyst"

    @property
    def is_upcoming(self) -> bool:
        return self in (
            MeetingStatus.BOOKED,
            MeetingStatus.CONFIRMED,
            MeetingStatus.NEW_TIME_REQUESTED,
        )


class DeliveryStatus(Labelled):
    """A message's delivery, as the provider reports it (Twilio's words)."""

    QUEUED = "queued", "i kø"
    SENT = "sent", "sendt"
    DELIVERED = "delivered", "leveret"
    UNDELIVERED = "undelivered", "ikke leveret"
    FAILED = "failed", "fejlet"

    @property
    def failed(self) -> bool:
        return self in (DeliveryStatus.UNDELIVERED, DeliveryStatus.FAILED)

    @property
    def rank(self) -> int:
        """Later statuses outrank earlier ones, so a late or repeated callback changes nothing."""
        return list(DeliveryStatus).index(self)


class TimingProfile(Labelled):
    """How a course's activities are spread over its length (activities/case_metrics.py)."""

    FRONT = "front", "Fortung: aktiviteten ligger i starten"
    BACK = "back", "Bagtung: aktiviteten ligger i slutningen"
    ENDS = "ends", "Kun start og slut: passiv midt i forløbet"
    EVEN = "even", "Jævnt fordelt"
