"""The handler of a person's reminder-mail choice."""

from __future__ import annotations

from logbog_es.application.handlers.registry import handles
from logbog_es.application.handling import Context, Decided
from logbog_es.commands import ChooseReminderMail
from logbog_es.domain.doctor import Doctor, check_email
from logbog_es.domain.errors import InvalidInput
from logbog_es.domain.policy import Action, Target
from logbog_es.domain.reminders import MailChoice, mail_choice_id


@handles(ChooseReminderMail)
def choose_reminder_mail(cmd: ChooseReminderMail, ctx: Context) -> Decided:
    meta = ctx.authorise(Action.CHOOSE_REMINDER_MAIL, Target())
    actor = ctx.actor
    person = str(actor.doctor_id) if actor.doctor_id is not None else actor.subject
    address = check_email(cmd.address, "address") if cmd.address else None
    if cmd.digest and address is None:
        doctor = ctx.app.find(Doctor, actor.doctor_id) if actor.doctor_id else None
        if doctor is None or not doctor.email:
            raise InvalidInput("reminders.address_needed", field="address")
    found = ctx.app.find(MailChoice, mail_choice_id(person))
    if found is None:
        found = MailChoice.choose(person, cmd.digest, address, cmd.language, meta)
    else:
        found.change(cmd.digest, address, cmd.language, meta)
    return Decided((found,), found)
