"""Channels to citizens (SMS, phone call, e-mail) and the message templates for each purpose."""
