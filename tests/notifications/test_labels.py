"""Every message purpose, channel and delivery status has a Danish name for staff."""

from models.enums import Channel, DeliveryStatus
from notifications.labels import channel_label, purpose_label, status_label
from notifications.messages import TEMPLATES


def test_every_message_template_has_a_danish_name():
    purposes = {path.stem for path in TEMPLATES.glob("*.txt")}
    assert purposes
    unnamed = {purpose for purpose in purposes if purpose_label(purpose) == "Besked"}
    assert not unnamed


def test_channels_and_statuses_are_named_as_staff_read_them():
    assert [channel_label(c.value) for c in Channel] == [c.label for c in Channel]
    assert channel_label("outbox") == "Besked i tjenesten"
    assert [status_label(s.value) for s in DeliveryStatus] == [s.label for s in DeliveryStatus]
    assert status_label("sending") == "sendes"
    # A word the table does not know is never shown as itself.
    assert "ny_kode" not in (purpose_label("ny_kode"), channel_label("ny_kode"))
