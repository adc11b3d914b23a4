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
        return self in (TaskState.ASSIGNED, TaskState.ACKNOWLEDGED, TaskState.IN_PROGRESS)


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
