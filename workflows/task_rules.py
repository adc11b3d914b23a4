"""The rules of department tasks, as pure functions on ProgrammeState (see programme_rules).

Deadlines run on Danish working days. Each open task has at most one timer pending: the
reminder at half the acknowledgement time, the first breached deadline, or the next repeat of
an escalation. The programme workflow sleeps until the earliest timer of all its tasks.
"""

from datetime import datetime

from models.consent import labels
from models.danish_time import add_working_time, end_of_working_day, local_date, start_of
from models.enums import Breach, Recipient, TaskState
from models.notice import Notice
from models.programme import ProgrammeState, TimelineEvent
from models.task import (
    AcknowledgeTask,
    AssignTask,
    BreachMark,
    CancelTask,
    CompleteTask,
    DeclineTask,
    ReassignTask,
    StartTask,
    TaskRecord,
    TaskSla,
)
from workflows import description_rules
from workflows.consent_rules import require_consent
from workflows.goal_rules import sub_goal
from workflows.guards import acting, fmt, record, require_planning, unchanged
from workflows.rejections import invalid, refuse
from workflows.rule import rule


@rule("assign_task")
def assign(state: ProgrammeState, cmd: AssignTask, now: datetime) -> TimelineEvent:
    actor = acting(cmd)
    task = give(state, cmd, now, assigned_by=actor.id)
    by_law = task.by_law
    return record(
        state,
        "task_assigned",
        now,
        actor,
        f"Opgave til {task.department.label}: {task.purpose}. "
        f"Kvitteres senest {fmt(local_date(task.acknowledge_by))}."
        + (
            f" Oplysninger om {labels(by_law)} gives uden samtykke med hjemmel i: "
            f"{task.legal_basis}"
            if by_law
            else ""
        ),
        task_id=task.id,
        happened=task.assigned_at,
    )


def give(state: ProgrammeState, cmd: AssignTask, now: datetime, *, assigned_by: str) -> TaskRecord:
    """Check a task against the course and put it on it, its deadlines counted from the day it
    was given; the registration of a running course (workflows/registration.py) gives its open
    tasks this way too, so they get the same reminder and acknowledgement deadline."""
    require_planning(state, "Tildeling af opgaver")
    if not cmd.task_id:
        raise invalid("Opgaven mangler et id.")
    if cmd.task_id in state.tasks:
        raise refuse("Opgaven findes allerede.")
    today = local_date(now)
    assigned_at = now
    if cmd.assigned_on is not None and cmd.assigned_on != today:
        if cmd.assigned_on > today:
            raise invalid("Tildelingsdatoen kan ikke ligge i fremtiden.")
        if cmd.assigned_on < local_date(state.referred_at):
            raise invalid("Tildelingsdatoen kan ikke ligge før visitationen.")
        assigned_at = start_of(cmd.assigned_on)
    if cmd.due is not None and cmd.due < local_date(assigned_at):
        raise invalid("Fristen kan ikke ligge før tildelingen.")
    by_law = require_consent(state, cmd.department, cmd.needs, cmd.legal_basis, today)
    if cmd.subgoal_id is not None:
        sub_goal(state, cmd.subgoal_id)
    if cmd.for_description:
        description_rules.require_describing(state)
    sla = cmd.sla or TaskSla()
    task = TaskRecord(
        id=cmd.task_id,
        department=cmd.department,
        purpose=cmd.purpose,
        considerations=cmd.considerations,
        expected_start=cmd.expected_start,
        due=cmd.due,
        carries_recommendation=cmd.carries_recommendation,
        needs=cmd.needs,
        legal_basis=cmd.legal_basis if by_law else "",
        by_law=by_law,
        subgoal_id=cmd.subgoal_id,
        citizen_text=cmd.citizen_text,
        assigned_at=assigned_at,
        assigned_by=assigned_by,
        sla=sla,
        reminder_at=add_working_time(assigned_at, sla.acknowledge_days / 2),
        acknowledge_by=add_working_time(assigned_at, sla.acknowledge_days),
    )
    state.tasks[task.id] = task
    if cmd.for_description:
        assert state.description is not None  # require_describing
        state.description.contributions.append(task.id)
    return task


def _task(state: ProgrammeState, task_id: str) -> TaskRecord:
    task = state.tasks.get(task_id)
    if task is None:
        raise refuse("Opgaven findes ikke på sagen.")
    return task


def _require_open(task: TaskRecord, what: str) -> None:
    if task.state == TaskState.CANCELLED:
        raise refuse(f"Opgaven er annulleret af koordinatoren: {task.cancel_reason}")
    if task.state == TaskState.DECLINED:
        raise refuse(f"Opgaven er afvist: {task.decline_reason}")
    if task.state == TaskState.DONE:
        raise refuse(f"Opgaven er allerede færdig, så {what} kan ikke ske.")


def _moved_on(task: TaskRecord) -> None:
    # A step forward ends the current breach; a deadline that still applies is found again
    # at once by the next timer.
    task.breach = None
    task.next_escalation_at = None


@rule("acknowledge_task")
def acknowledge(state: ProgrammeState, cmd: AcknowledgeTask, now: datetime) -> TimelineEvent:
    task = _task(state, cmd.task_id)
    actor = acting(cmd)
    _require_open(task, "kvittering")
    if task.state != TaskState.ASSIGNED:
        return unchanged(state, now, "Opgaven var allerede kvitteret. Intet er ændret.")
    task.state = TaskState.ACKNOWLEDGED
    task.acknowledged_at = now
    _moved_on(task)
    return record(
        state,
        "task_acknowledged",
        now,
        actor,
        f"{task.department.label} har kvitteret for opgaven: {task.purpose}.",
        task_id=task.id,
    )


@rule("start_task")
def start(state: ProgrammeState, cmd: StartTask, now: datetime) -> TimelineEvent:
    task = _task(state, cmd.task_id)
    actor = acting(cmd)
    _require_open(task, "start")
    if task.state == TaskState.IN_PROGRESS:
        return unchanged(state, now, "Opgaven var allerede i gang. Intet er ændret.")
    if task.acknowledged_at is None:
        task.acknowledged_at = now  # starting is the clearest acknowledgement
    task.state = TaskState.IN_PROGRESS
    task.started_at = now
    _moved_on(task)
    return record(
        state,
        "task_started",
        now,
        actor,
        f"{task.department.label} er gået i gang med: {task.purpose}.",
        task_id=task.id,
    )


@rule("complete_task")
def complete(state: ProgrammeState, cmd: CompleteTask, now: datetime) -> TimelineEvent:
    task = _task(state, cmd.task_id)
    actor = acting(cmd)
    _require_open(task, "afslutning")
    if task.state != TaskState.IN_PROGRESS:
        raise refuse("Opgaven skal være i gang, før den kan meldes færdig.")
    task.state = TaskState.DONE
    task.finished_at = now
    task.result = cmd.result
    _moved_on(task)
    return record(
        state,
        "task_completed",
        now,
        actor,
        f"{task.department.label} har afsluttet: {task.purpose}. Resultat: {cmd.result}",
        task_id=task.id,
    )


@rule("decline_task")
def decline(state: ProgrammeState, cmd: DeclineTask, now: datetime) -> TimelineEvent:
    task = _task(state, cmd.task_id)
    actor = acting(cmd)
    _require_open(task, "afvisning")
    if task.state == TaskState.IN_PROGRESS:
        raise refuse("Opgaven er allerede i gang og kan ikke afvises. Meld den færdig i stedet.")
    task.state = TaskState.DECLINED
    task.finished_at = now
    task.decline_reason = cmd.reason
    _moved_on(task)
    summary = (
        f"{task.department.label} har afvist opgaven: {task.purpose}. Begrundelse: {cmd.reason}"
    )
    if task.carries_recommendation:
        # The department deviates from the team's recommendation: the team must see the case.
        state.team_flag = (
            f"{task.department.label} har afvist en opgave, der udfører rehabiliteringsteamets "
            f"indstilling ({task.purpose}). Sagen skal forelægges teamet igen."
        )
        summary += " Sagen er markeret til rehabiliteringsteamet."
    return record(state, "task_declined", now, actor, summary, task_id=task.id)


@rule("cancel_task")
def cancel(state: ProgrammeState, cmd: CancelTask, now: datetime) -> TimelineEvent:
    actor = acting(cmd)
    task = _task(state, cmd.task_id)
    _require_open(task, "annullering")
    task.state = TaskState.CANCELLED
    task.finished_at = now
    task.cancel_reason = cmd.reason
    _moved_on(task)
    return record(
        state,
        "task_cancelled",
        now,
        actor,
        f"Opgaven til {task.department.label} er annulleret: {task.purpose}. "
        f"Begrundelse: {cmd.reason}",
        task_id=task.id,
    )


@rule("reassign_task")
def reassign(state: ProgrammeState, cmd: ReassignTask, now: datetime) -> TimelineEvent:
    task = _task(state, cmd.task_id)
    actor = acting(cmd)
    _require_open(task, "overdragelse")
    if cmd.assignee_department != task.department:
        raise invalid(f"Opgaven kan kun gives til en kollega i {task.department.label}.")
    if cmd.assignee_id == task.assignee_id:
        return unchanged(state, now, f"Opgaven ligger allerede hos {task.assignee_name}.")
    task.assignee_id = cmd.assignee_id
    task.assignee_name = cmd.assignee_name
    return record(
        state,
        "task_reassigned",
        now,
        actor,
        f"Opgaven »{task.purpose}« er givet videre til {cmd.assignee_name}. Note: {cmd.note}",
        task_id=task.id,
        notices=[
            Notice(
                key=f"task:{task.id}:assigned:{state.seq + 1}",
                purpose="task_handed_over",
                to=Recipient.STAFF,
                staff_id=cmd.assignee_id,
                context={"purpose": task.purpose, "note": cmd.note},
            )
        ],
    )


# Timers ---------------------------------------------------------------------------------------


def _deadlines(task: TaskRecord) -> list[tuple[datetime, Breach]]:
    found = []
    if task.state == TaskState.ASSIGNED:
        found.append((task.acknowledge_by, Breach.ACKNOWLEDGE))
    if task.state in (TaskState.ASSIGNED, TaskState.ACKNOWLEDGED) and task.expected_start:
        found.append((end_of_working_day(task.expected_start), Breach.START))
    if task.state.is_open and task.due:
        found.append((end_of_working_day(task.due), Breach.DUE))
    return sorted(found)


def next_timer(task: TaskRecord) -> datetime | None:
    if not task.state.is_open:
        return None
    timers = []
    if task.state == TaskState.ASSIGNED and not task.reminded:
        timers.append(task.reminder_at)
    if task.breach is None:
        timers += [at for at, _ in _deadlines(task)[:1]]
    elif task.next_escalation_at is not None:
        timers.append(task.next_escalation_at)
    return min(timers, default=None)


def on_timer(state: ProgrammeState, task: TaskRecord, now: datetime) -> list[TimelineEvent]:
    """Send what is due for one task: the half-time reminder, or an (repeated) escalation."""
    events = []
    if task.state == TaskState.ASSIGNED and not task.reminded and task.reminder_at <= now:
        task.reminded = True
        events.append(
            record(
                state,
                "task_reminded",
                now,
                None,
                f"Påmindelse til {task.department.label}: opgaven »{task.purpose}« skal "
                f"kvitteres senest {fmt(local_date(task.acknowledge_by))}.",
                task_id=task.id,
                notices=[
                    _notice(state, task, "task_reminder", Recipient.STAFF, task.assignee_id)
                    if task.assignee_id
                    else _notice(state, task, "task_reminder", Recipient.DEPARTMENT)
                ],
            )
        )
    breached = [(at, breach) for at, breach in _deadlines(task) if at <= now]
    due_again = task.next_escalation_at is not None and task.next_escalation_at <= now
    if breached and (task.breach != breached[0][1] or due_again):
        since, task.breach = breached[0]
        if all(mark.kind != task.breach for mark in task.breaches):
            task.breaches.append(BreachMark(kind=task.breach, since=since, found_at=now))
        task.escalations += 1
        task.next_escalation_at = add_working_time(now, task.sla.escalation_interval_days)
        again = f" (eskalering nr. {task.escalations})" if task.escalations > 1 else ""
        events.append(
            record(
                state,
                "task_escalated",
                now,
                None,
                f"Eskaleret til afdelingsleder og koordinator{again}: "
                f"{task.breach.label.lower()} – {task.department.label}: {task.purpose}.",
                task_id=task.id,
                notices=[
                    _notice(state, task, "task_escalation", Recipient.DEPARTMENT_LEAD),
                    _notice(state, task, "task_escalation", Recipient.STAFF, state.coordinator_id),
                ],
            )
        )
    return events


def _notice(
    state: ProgrammeState,
    task: TaskRecord,
    purpose: str,
    to: Recipient,
    staff_id: str | None = None,
) -> Notice:
    return Notice(
        key=f"task:{task.id}:{purpose}:{task.escalations}:{staff_id or to.value}",
        purpose=purpose,
        to=to,
        department=task.department,
        staff_id=staff_id,
        context={
            "purpose": task.purpose,
            "department": task.department.label,
            "acknowledge_by": fmt(local_date(task.acknowledge_by)),
            "breach": task.breach.label if task.breach else "",
            "escalations": str(task.escalations),
        },
    )
