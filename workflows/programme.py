"""One long-running workflow per course, of any type, from referral to the 13-week follow-up.

Department tasks, meetings, the citizen's messages, the continuity plan and handovers are state
inside this workflow rather than child workflows: gaps, overlaps and stalls are judged across
every activity at once, and one writer keeps them consistent without signals between
workflows. All its deadlines (the course's, every task's, every queued message's and the next
stall) share one durable timer, set to the earliest of them.
"""

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RawValue, RetryPolicy, SearchAttributeUpdate
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.lost_projection import READ_MODEL_AHEAD
    from activities.notifications import NotificationActivities
    from activities.projection import ProjectionActivities
    from models.actions import ACTIONS, HEARD
    from models.command import Command
    from models.enums import DeliveryStatus, Stage
    from models.meeting import DeliveryReport
    from models.notice import Delivery, Notice
    from models.programme import ProgrammeInput, ProgrammeState, ProjectionInput, TimelineEvent
    from models.search_attributes import COORDINATOR, STAGE, STALLED, WAITING_ON
    from workflows import deadlines, engine, outgoing, registration, retention
    from workflows import programme_rules as rules
    from workflows.projection_delta import ProjectionTracker
    from workflows.rejections import invalid
    from workflows.rule_patches import LAW_2026, RULE_PATCHES, in_effect

ACTIVITY_TIMEOUT = timedelta(seconds=30)
# Providers are given 10 seconds a call; a worker that dies mid-send is retried after this.
DELIVERY_TIMEOUT = timedelta(seconds=20)
# The read model and the outbox must catch up eventually, however long the database is away.
ACTIVITY_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=1))
# Since this patch, the projection is a local activity (a marker in the history instead of six
# events and a copy of the whole state), and the deadline timer is kept while the deadline
# stays where it was. Runs begun before it replay the old way (README: changing workflow code).
CHEAP_ACTIONS = "cheap-actions-2026-12"
# Since this patch, a run keeps only what its rules still need (workflows/retention.py), and
# its projections go one at a time, each carrying what changed since the one before
# (workflows/projection_delta.py); updates that arrive meanwhile share the next one.
BOUNDED_STATE = "bounded-state-2026-12"
# An update that arrives with the start runs its handler before the run publishes the
# referral, and its projection then covers the referral's seq without its event. Since this
# patch, events left over like that are projected at once instead of with the next action.
LEFTOVER_EVENTS = "leftover-events-2026-12"
# Since this patch, what a deadline sends is delivered apart from the run's loop: a channel
# whose provider is away (an SMTP relay down for an hour) holds back its own message only, not
# the course's next deadline (a reminder call, a task's escalation).
DELIVERIES_APART = "deliveries-apart-2026-12"
# Such a run also continues as new by itself at this many events, well before the server's
# suggestion (4,096 by default), which a run overshoots while its last handlers finish.
EVENTS_PER_RUN = 3_000


@workflow.defn
class ProgrammeWorkflow:
    @workflow.init
    def __init__(self, input: ProgrammeInput) -> None:
        self.state = input.state or input.initial_state(workflow.now())
        # Asked once, before any handler runs: a run keeps the rules it began with, except
        # the law, which a run begun before it takes on later (_adopt_the_law).
        self.state.rule_patches = [p for p in RULE_PATCHES if workflow.patched(p)]
        self._law_asks = 0
        # Recorded here, before any update handler can run, so the referral (or the
        # registration of a course already running) is always event 1.
        self._referral = [] if input.state is not None else [self._first_event(input)]
        self._search: dict[str, object] = {}
        self._timer: asyncio.Task[None] | None = None
        self._timer_at: datetime | None = None
        self._tracker = ProjectionTracker()
        self._unprojected: list[TimelineEvent] = []
        self._projecting = False
        self._projected_seq = -1
        # What the read model durably holds when this run begins: a run continued as new
        # starts from its predecessor's last projection, a new course from nothing.
        self._durable_seq = self.state.seq if input.state is not None else 0
        self._resync = False
        # Deliveries under way apart from the loop (DELIVERIES_APART), and what broke one.
        self._deliveries: set[asyncio.Task[None]] = set()
        self._delivery_broke: BaseException | None = None

    @workflow.run
    async def run(self, input: ProgrammeInput) -> ProgrammeState:
        await self._publish(self._referral)
        while self.state.stage != Stage.CLOSED:
            await self._wait_for_change_or_deadline()
            if self._delivery_broke is not None:
                raise self._delivery_broke
            if self._time_to_continue_as_new():
                await workflow.wait_condition(self._all_finished)
                workflow.continue_as_new(
                    ProgrammeInput(
                        case_id=self.state.case_id,
                        citizen_id=self.state.citizen_id,
                        coordinator_id=self.state.coordinator_id,
                        state=self.state,
                    )
                )
        await workflow.wait_condition(self._all_finished)
        if self._timer is not None:
            self._timer.cancel()
        return self.state

    def _all_finished(self) -> bool:
        return workflow.all_handlers_finished() and not self._deliveries

    def _first_event(self, input: ProgrammeInput) -> TimelineEvent:
        if input.registered is not None:
            return registration.register(self.state, input.registered, workflow.now())
        return rules.refer(self.state)

    def _time_to_continue_as_new(self) -> bool:
        info = workflow.info()
        if info.is_continue_as_new_suggested():
            return True
        return info.get_current_history_length() >= EVENTS_PER_RUN and workflow.patched(
            BOUNDED_STATE
        )

    async def _wait_for_change_or_deadline(self) -> None:
        seen = self.state.seq
        deadline = deadlines.next_deadline(self.state, workflow.now())
        if deadline is not None and deadline <= workflow.now():
            await self._publish(self._fire_due(), apart=True)
            return
        if workflow.patched(CHEAP_ACTIONS):
            await self._wait_keeping_the_timer(seen, deadline)
            return
        try:
            await workflow.wait_condition(
                lambda: self.state.seq != seen or workflow.info().is_continue_as_new_suggested(),
                timeout=deadline - workflow.now() if deadline else None,
            )
        except TimeoutError:
            await self._publish(self._fire_due())

    async def _wait_keeping_the_timer(self, seen: int, deadline: datetime | None) -> None:
        """Wait for a change or the deadline; the timer is only replaced when the deadline
        moved, so an action that leaves the deadlines alone costs no timer events."""
        if deadline != self._timer_at:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = None
            if deadline is not None:
                self._timer = asyncio.ensure_future(workflow.sleep(deadline - workflow.now()))
            self._timer_at = deadline
        timer = self._timer
        await workflow.wait_condition(
            lambda: (
                self.state.seq != seen
                or workflow.info().is_continue_as_new_suggested()
                or (timer is not None and timer.done())
                or self._delivery_broke is not None
            )
        )
        if timer is not None and timer.done():
            self._timer, self._timer_at = None, None
            if self.state.seq == seen:
                await self._publish(self._fire_due(), apart=True)

    def _fire_due(self) -> list[TimelineEvent]:
        self._adopt_the_law()
        return engine.fire_due(self.state, workflow.now())

    def _adopt_the_law(self) -> None:
        """A run begun before LAW_2026 takes the law at its first task after the change: a
        decision made today falls under today's law, whenever the course began.

        `workflow.patched` answers once per id and run, and while an old history replays it
        answers no; a fresh id at every ask means the first ask after the replay says yes,
        and records the marker that says yes again when this history is replayed.
        """
        if in_effect(self.state, LAW_2026):
            return
        self._law_asks += 1
        if workflow.patched(f"{LAW_2026}@{self._law_asks}"):
            rules.adopt_law(self.state, workflow.now())

    async def _publish(self, events: list[TimelineEvent], *, apart: bool = False) -> None:
        """Project the new state with its events, then hand their notices to the outbox;
        `apart`: a deadline's, delivered without holding up the loop (DELIVERIES_APART)."""
        # Any change, or a stall timer alone, may start or end a stall.
        recorded = engine.settle(self.state, events, workflow.now())
        if not recorded:
            return
        self._upsert_search_attributes()
        if workflow.patched(BOUNDED_STATE):
            self._unprojected += recorded
            await self._project_in_turn(self.state.seq)
        else:
            await self._project_whole(recorded)
        notices = [notice for event in recorded for notice in event.notices]
        if not notices:
            return
        if apart and workflow.patched(DELIVERIES_APART):
            delivery = asyncio.ensure_future(self._deliver(notices))
            self._deliveries.add(delivery)
            delivery.add_done_callback(self._delivered)
            return
        await self._deliver(notices)

    def _delivered(self, delivery: asyncio.Task[None]) -> None:
        self._deliveries.discard(delivery)
        if not delivery.cancelled() and delivery.exception() is not None:
            # Raised by the loop, as it would have been had the loop waited for it.
            self._delivery_broke = delivery.exception()

    async def _deliver(self, notices: list[Notice]) -> None:
        """Hand the notices to the outbox and the providers."""
        result = await workflow.execute_activity_method(
            NotificationActivities.deliver,
            Delivery(
                case_id=self.state.case_id,
                citizen_id=self.state.citizen_id,
                coordinator_id=self.state.coordinator_id,
                notices=notices,
            ),
            start_to_close_timeout=DELIVERY_TIMEOUT,
            retry_policy=ACTIVITY_RETRY,
        )
        # A message refused for good moves on to the citizen's next channel.
        now = workflow.now()
        await self._publish(
            [
                outgoing.delivery_report(
                    self.state,
                    DeliveryReport(
                        key=key, status=DeliveryStatus.FAILED, error_code=result.codes.get(key)
                    ),
                    now,
                )
                for key in result.failed
            ]
        )

    async def _project_in_turn(self, seq: int) -> None:
        """Project the state up to `seq`: one projection at a time, each with what changed
        since the last; an update that arrives meanwhile waits for the next, which carries
        its change together with any others'."""
        while self._projected_seq < seq or (
            self._unprojected and workflow.patched(LEFTOVER_EVENTS)
        ):
            if self._projecting:
                await workflow.wait_condition(lambda: not self._projecting)
                continue
            self._projecting = True
            try:
                covered = self.state.seq
                events, self._unprojected = self._unprojected, []
                projection = self._tracker.delta(self.state, events)
                projection.projected_seq = self._durable_seq
                projection.resync = self._resync
                try:
                    rules = await workflow.execute_local_activity_method(
                        ProjectionActivities.project_programme,
                        projection,
                        start_to_close_timeout=ACTIVITY_TIMEOUT,
                        retry_policy=ACTIVITY_RETRY,
                    )
                except (ActivityError, ApplicationError) as error:
                    if not _read_model_ahead(error):
                        raise
                    # A projection whose workflow task was then lost (a worker killed, a task
                    # timed out) wrote what this run never recorded: project the whole state
                    # again, in place of whatever that wrote.
                    self._unprojected = events + self._unprojected
                    self._tracker.reset()
                    self._resync = True
                    continue
                # The municipality may have changed its definitions; the next judgement uses
                # them.
                self.state.rules = rules
                self._projected_seq = self._durable_seq = covered
                self._resync = False
                let_go = retention.prune(self.state, workflow.now(), self._tracker.projected)
                self._tracker.forget(let_go)
            finally:
                self._projecting = False

    async def _project_whole(self, recorded: list[TimelineEvent]) -> None:
        """As runs begun before BOUNDED_STATE project: the whole state each time."""
        projection = ProjectionInput(state=self.state, events=recorded)
        if workflow.patched(CHEAP_ACTIONS):
            rules = await workflow.execute_local_activity_method(
                ProjectionActivities.project_programme,
                projection,
                start_to_close_timeout=ACTIVITY_TIMEOUT,
                retry_policy=ACTIVITY_RETRY,
            )
        else:
            rules = await workflow.execute_activity_method(
                ProjectionActivities.project_programme,
                projection,
                start_to_close_timeout=ACTIVITY_TIMEOUT,
                retry_policy=ACTIVITY_RETRY,
            )
        self.state.rules = rules

    def _upsert_search_attributes(self) -> None:
        wanted: dict[str, SearchAttributeUpdate[Any]] = {
            STAGE.name: STAGE.value_set(self.state.stage.value),
            STALLED.name: STALLED.value_set(bool(self.state.stalls)),
            COORDINATOR.name: COORDINATOR.value_set(self.state.coordinator_id),
            WAITING_ON.name: WAITING_ON.value_set(self.state.waiting_on()),
        }
        changed = [u for name, u in wanted.items() if self._search.get(name) != u.value]
        if changed:
            workflow.upsert_search_attributes(changed)
            self._search.update({u.key.name: u.value for u in changed})

    @workflow.query
    def current(self) -> ProgrammeState:
        return self.state

    @workflow.update(dynamic=True)
    async def act(self, name: str, args: Sequence[RawValue]) -> TimelineEvent:
        """Every caseworker and department action (workflows/actions.py), by update name."""
        command = self._decode(name, args)
        self._adopt_the_law()
        # Applied before the first await, so concurrent updates cannot interleave on the state;
        # a race lost since validation raises here and fails only this update.
        event = engine.apply(self.state, command, workflow.now())
        await self._publish([event])
        return event

    @act.validator
    def _check(self, name: str, args: Sequence[RawValue]) -> None:
        command = self._decode(name, args)
        state = self.state.model_copy(deep=True)
        if not in_effect(state, LAW_2026):
            # A validator runs only on a new task, where the handler takes the law first.
            rules.adopt_law(state, workflow.now())
        engine.apply(state, command, workflow.now())

    @workflow.signal(dynamic=True)
    async def heard(self, name: str, args: Sequence[RawValue]) -> None:
        """A citizen's reply or a provider's report whose update was not taken (models/actions.py:
        HEARD); applied as the update would have been."""
        try:
            if name not in HEARD:
                raise invalid(f"Ukendt besked: {name}.")
            command = self._decode(name, args)
            self._adopt_the_law()
            event = engine.apply(self.state, command, workflow.now())
        except ApplicationError as refused:
            # Nobody waits for a signal's answer; failing the run for it would stop the course.
            workflow.logger.warning("a signal was not applied: %s", refused.type)
            return
        await self._publish([event])

    def _decode(self, name: str, args: Sequence[RawValue]) -> Command:
        action = ACTIONS.get(name)
        if action is None or len(args) != 1:
            raise invalid(f"Ukendt handling: {name}.")
        try:
            command = workflow.payload_converter().from_payload(args[0].payload, action.command)
        except Exception:
            raise invalid("Handlingens indhold kunne ikke læses.") from None
        return command


def _read_model_ahead(error: ActivityError | ApplicationError) -> bool:
    # A local activity's failure may arrive as the application error itself or wrapped.
    failure = error.cause if isinstance(error, ActivityError) else error
    return isinstance(failure, ApplicationError) and failure.type == READ_MODEL_AHEAD
