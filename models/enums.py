"""The fixed vocabularies of a ressourceforløb, with their Danish labels for the UI."""

from enum import StrEnum


class Stage(StrEnum):
    """Where a programme is in the course of a case (domain brief, section 3)."""

    REFERRED = "referred"
    PREPARATION = "preparation"
    TEAM = "team"
    RECOMMENDED = "recommended"
    ACTIVE = "active"
    ENDED = "ended"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return _STAGE_LABELS[self]


# Before the decision, a case can still be closed with a reason.
PRE_DECISION = (Stage.REFERRED, Stage.PREPARATION, Stage.TEAM, Stage.RECOMMENDED)
# A course takes tasks and plan items until it has ended.
PLANNING_STAGES = (*PRE_DECISION, Stage.ACTIVE)

_STAGE_LABELS = {
    Stage.REFERRED: "Visiteret",
    Stage.PREPARATION: "Forberedende del",
    Stage.TEAM: "Rehabiliteringsteam",
    Stage.RECOMMENDED: "Indstillet, afventer afgørelse",
    Stage.ACTIVE: "Aktivt ressourceforløb",
    Stage.ENDED: "Afsluttet, afventer opfølgning",
    Stage.CLOSED: "Lukket",
}


class Recommendation(StrEnum):
    """What the rehabilitation team recommends, and what the municipality decides."""

    RESSOURCEFORLOEB = "ressourceforloeb"
    FLEKSJOB = "fleksjob"
    FOERTIDSPENSION = "foertidspension"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _RECOMMENDATION_LABELS[self]


_RECOMMENDATION_LABELS = {
    Recommendation.RESSOURCEFORLOEB: "Ressourceforløb",
    Recommendation.FLEKSJOB: "Fleksjob",
    Recommendation.FOERTIDSPENSION: "Førtidspension",
    Recommendation.OTHER: "Anden indsats",
}


class Outcome(StrEnum):
    """Where the citizen is when a course ends, and 13 weeks later (the DREAM categories)."""

    JOB = "job"
    EDUCATION = "education"
    FLEKSJOB = "fleksjob"
    LEDIGHEDSYDELSE = "ledighedsydelse"
    DAGPENGE = "dagpenge"
    FOERTIDSPENSION = "foertidspension"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _OUTCOME_LABELS[self]


_OUTCOME_LABELS = {
    Outcome.JOB: "Ordinært job",
    Outcome.EDUCATION: "Uddannelse",
    Outcome.FLEKSJOB: "Fleksjob",
    Outcome.LEDIGHEDSYDELSE: "Ledighedsydelse",
    Outcome.DAGPENGE: "Dagpenge",
    Outcome.FOERTIDSPENSION: "Førtidspension",
    Outcome.OTHER: "Andet",
}


class Department(StrEnum):
    """The municipal departments that share the responsibility for a course."""

    JOBCENTER = "jobcenter"
    SOCIAL = "social"
    HEALTH = "health"
    FAMILY = "family"

    @property
    def label(self) -> str:
        return _DEPARTMENT_LABELS[self]


_DEPARTMENT_LABELS = {
    Department.JOBCENTER: "Jobcenter",
    Department.SOCIAL: "Socialforvaltningen",
    Department.HEALTH: "Sundhed",
    Department.FAMILY: "Børn og familie",
}


class Role(StrEnum):
    """What a member of staff may do."""

    COORDINATOR = "coordinator"
    DEPARTMENT_WORKER = "department_worker"
    DEPARTMENT_LEAD = "department_lead"
    MANAGER = "manager"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return _ROLE_LABELS[self]


_ROLE_LABELS = {
    Role.COORDINATOR: "Koordinerende sagsbehandler",
    Role.DEPARTMENT_WORKER: "Medarbejder i afdeling",
    Role.DEPARTMENT_LEAD: "Afdelingsleder",
    Role.MANAGER: "Leder",
    Role.ADMIN: "Administrator",
}


class TaskState(StrEnum):
    """A department task's lifecycle; waiting times are measured between these."""

    ASSIGNED = "assigned"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DECLINED = "declined"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return _TASK_STATE_LABELS[self]

    @property
    def is_open(self) -> bool:
        return self in OPEN_TASK_STATES


# Tasks a department still has to act on.
OPEN_TASK_STATES = (TaskState.ASSIGNED, TaskState.ACKNOWLEDGED, TaskState.IN_PROGRESS)

_TASK_STATE_LABELS = {
    TaskState.ASSIGNED: "Tildelt",
    TaskState.ACKNOWLEDGED: "Kvitteret",
    TaskState.IN_PROGRESS: "I gang",
    TaskState.DONE: "Færdig",
    TaskState.DECLINED: "Afvist",
    TaskState.CANCELLED: "Annulleret",
}


class Breach(StrEnum):
    """Which deadline a task has passed."""

    ACKNOWLEDGE = "acknowledge"
    START = "start"
    DUE = "due"

    @property
    def label(self) -> str:
        return _BREACH_LABELS[self]


_BREACH_LABELS = {
    Breach.ACKNOWLEDGE: "Ikke kvitteret til tiden",
    Breach.START: "Ikke startet til tiden",
    Breach.DUE: "Ikke færdig til tiden",
}


class PlanItemKind(StrEnum):
    """What the coordinator records in the continuity plan besides tasks."""

    EFFORT = "effort"
    TREATMENT = "treatment"
    MEETING = "meeting"

    @property
    def label(self) -> str:
        return _PLAN_ITEM_LABELS[self]


_PLAN_ITEM_LABELS = {
    PlanItemKind.EFFORT: "Indsats",
    PlanItemKind.TREATMENT: "Behandling",
    PlanItemKind.MEETING: "Møde",
}


class Recipient(StrEnum):
    """Who a notice goes to; the notification activity finds the people."""

    DEPARTMENT = "department"
    DEPARTMENT_LEAD = "department_lead"
    STAFF = "staff"
    CITIZEN = "citizen"


class Channel(StrEnum):
    """How a citizen prefers to be reached, in their own order."""

    SMS = "sms"
    CALL = "call"
    EMAIL = "email"
    CASEWORKER_CALLS = "caseworker_calls"

    @property
    def label(self) -> str:
        return _CHANNEL_LABELS[self]


_CHANNEL_LABELS = {
    Channel.SMS: "SMS",
    Channel.CALL: "Automatisk opkald",
    Channel.EMAIL: "E-mail",
    Channel.CASEWORKER_CALLS: "Sagsbehandleren ringer",
}


class PlaceKind(StrEnum):
    """Where a meeting happens: anywhere the citizen can manage it."""

    JOBCENTER = "jobcenter"
    HOME = "home"
    CAFE = "cafe"
    LIBRARY = "library"
    WALK = "walk"
    PHONE = "phone"
    VIDEO = "video"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _PLACE_LABELS[self]


_PLACE_LABELS = {
    PlaceKind.JOBCENTER: "Jobcenteret",
    PlaceKind.HOME: "Hjemme hos borgeren",
    PlaceKind.CAFE: "Café",
    PlaceKind.LIBRARY: "Biblioteket",
    PlaceKind.WALK: "En gåtur",
    PlaceKind.PHONE: "Telefon",
    PlaceKind.VIDEO: "Video",
    PlaceKind.OTHER: "Andet sted",
}


class MeetingStatus(StrEnum):
    BOOKED = "booked"
    CONFIRMED = "confirmed"
    NEW_TIME_REQUESTED = "new_time_requested"
    HELD = "held"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return _MEETING_STATUS_LABELS[self]

    @property
    def is_upcoming(self) -> bool:
        return self in (
            MeetingStatus.BOOKED,
            MeetingStatus.CONFIRMED,
            MeetingStatus.NEW_TIME_REQUESTED,
        )


_MEETING_STATUS_LABELS = {
    MeetingStatus.BOOKED: "Aftalt",
    MeetingStatus.CONFIRMED: "Bekræftet af borgeren",
    MeetingStatus.NEW_TIME_REQUESTED: "Borgeren ønsker en ny tid",
    MeetingStatus.HELD: "Holdt",
    MeetingStatus.NO_SHOW: "Udeblevet",
    MeetingStatus.CANCELLED: "Aflyst",
}


class DeliveryStatus(StrEnum):
    """A message's delivery, as the provider reports it (Twilio's words)."""

    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return _DELIVERY_LABELS[self]

    @property
    def failed(self) -> bool:
        return self in (DeliveryStatus.UNDELIVERED, DeliveryStatus.FAILED)

    @property
    def rank(self) -> int:
        """Later statuses outrank earlier ones, so a late or repeated callback changes nothing."""
        return list(DeliveryStatus).index(self)


_DELIVERY_LABELS = {
    DeliveryStatus.QUEUED: "i kø",
    DeliveryStatus.SENT: "sendt",
    DeliveryStatus.DELIVERED: "leveret",
    DeliveryStatus.UNDELIVERED: "ikke leveret",
    DeliveryStatus.FAILED: "fejlet",
}


class TimingProfile(StrEnum):
    """How a course's activities are spread over its length (activities/case_metrics.py)."""

    FRONT = "front"
    BACK = "back"
    ENDS = "ends"
    EVEN = "even"

    @property
    def label(self) -> str:
        return _TIMING_LABELS[self]


_TIMING_LABELS = {
    TimingProfile.FRONT: "Fortung: aktiviteten ligger i starten",
    TimingProfile.BACK: "Bagtung: aktiviteten ligger i slutningen",
    TimingProfile.ENDS: "Kun start og slut: passiv midt i forløbet",
    TimingProfile.EVEN: "Jævnt fordelt",
}
