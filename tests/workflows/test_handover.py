"""Handovers between coordinators on the time-skipping server."""

import uuid
from datetime import time, timedelta

from sqlmodel import select

from models.contact import SetContactPreferences
from models.enums import Channel, Role
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
        await send(
            running.handle,
            SetContactPreferences(
                actor=sender,
                channels=[Channel.SMS],
                phone="20 12 34 56",
                quiet_from=time(0, 0),
                quiet_to=time(0, 1),
            ),
        )
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
        await time_env.sleep(timedelta(minutes=1))  # the message goes by the citizen's channel
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
            OutboxMessage.case_id == uuid.UUID(running.case_id),
        )
    ).all()
    assert [(m.channel, m.address) for m in told] == [("sms", "+4520123456")]
    # The receiver's name as an SMS shows a long one: first and last.
    assert "Fra i dag er Test sagsbehandler din kontaktperson" in told[0].body
    assert told[0].body.startswith("Hej Test.")
    assert "svar" not in told[0].body.lower()  # nothing to answer, so it asks for nothing


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
