"""Handovers between coordinators on the time-skipping server."""

from sqlmodel import select

from models.enums import Role
from models.handover import AcceptHandover, DeclineHandover, HandoverNote, RequestHandover
from models.outbox import OutboxMessage
from models.programme import StartPreparation
from models.refusals import FORBIDDEN, INVALID_INPUT, INVALID_TRANSITION
from tests.factories import actor_of, make_staff
from tests.workflows.programme_helpers import (
    expect_rejection,
    send,
    start_programme,
    worker_for,
)
from workflows.programme import ProgrammeWorkflow

NOTE = HandoverNote(
    status="Afventer teammøde; borgeren er motiveret",
    open_tasks="Sundhed: vurdering hos kommunallæge",
    agreements="Samtale hver anden torsdag",
    citizen_told="At en ny kontaktperson kommer til",
)


def handover_to(receiver, sender_name="Afsender") -> RequestHandover:
    return RequestHandover(
        to_id=str(receiver.id),
        to_name=receiver.full_name,
        to_is_coordinator=True,
        from_name=sender_name,
        note=NOTE,
    )


async def test_handover_is_pending_until_the_receiver_accepts(
    time_env, task_queue, session, open_session, executor
):
    receiver = make_staff(session, Role.COORDINATOR)
    async with worker_for(time_env.client, task_queue, open_session, executor):
        running = await start_programme(time_env.client, task_queue, session)
        sender = actor_of(running.coordinator)
        request = handover_to(receiver).model_copy(update={"actor": sender})
        requested = await send(running.handle, request)
        assert "afventer accept" in requested.summary
        state = await running.handle.query(ProgrammeWorkflow.current)
        assert state.handover is not None and state.coordinator_id == str(running.coordinator.id)

        # Until accepted, the sender stays responsible and can act; the receiver cannot.
        await send(running.handle, StartPreparation(actor=sender))
        await expect_rejection(
            send(running.handle, request), INVALID_TRANSITION, "allerede ved at blive overdraget"
        )
        stranger = actor_of(make_staff(session, Role.COORDINATOR))
        await expect_rejection(
            send(running.handle, AcceptHandover(actor=stranger)),
            FORBIDDEN,
            "Kun modtageren kan svare på overdragelsen.",
        )

        accepted = await send(running.handle, AcceptHandover(actor=actor_of(receiver)))
        assert "overdraget fra Afsender" in accepted.summary
        state = await running.handle.query(ProgrammeWorkflow.current)
        assert state.coordinator_id == str(receiver.id) and state.handover is None
        await expect_rejection(
            send(running.handle, handover_to(receiver).model_copy(update={"actor": sender})),
            FORBIDDEN,
            "Kun sagens koordinerende sagsbehandler",
        )

    told = session.exec(
        select(OutboxMessage).where(
            OutboxMessage.purpose == "new_contact_person",
            OutboxMessage.key.startswith(f"handover:{running.case_id}:"),
        )
    ).all()
    assert len(told) == 1
    assert receiver.full_name in told[0].body
    assert told[0].body.startswith("Hej Test.")


async def test_handover_rules(time_env, task_queue, session, open_session, executor):
    receiver = make_staff(session, Role.COORDINATOR)
    async with worker_for(time_env.client, task_queue, open_session, executor):
        running = await start_programme(time_env.client, task_queue, session)
        me = actor_of(running.coordinator)
        to_self = handover_to(running.coordinator).model_copy(update={"actor": me})
        await expect_rejection(send(running.handle, to_self), INVALID_INPUT, "allerede har den")
        not_coordinator = handover_to(receiver).model_copy(
            update={"actor": me, "to_is_coordinator": False}
        )
        await expect_rejection(
            send(running.handle, not_coordinator), INVALID_INPUT, "koordinerende sagsbehandler"
        )
        await send(running.handle, handover_to(receiver).model_copy(update={"actor": me}))
        declined = await send(
            running.handle, DeclineHandover(actor=actor_of(receiver), reason="Fuld sagsstamme")
        )
        assert "Fuld sagsstamme" in declined.summary
        state = await running.handle.query(ProgrammeWorkflow.current)
        assert state.handover is None and state.coordinator_id == me.id
