from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "onewindow.cases"
    label = "cases"

    def ready(self) -> None:
        # Whose citizen pages a change to a case, its steps or its parties alters.
        from onewindow.cases import home_changes

        home_changes.watch()

        # The data exchange's look-ups for a case go on its timeline.
        from onewindow.cases.services.timeline import lookup_noted
        from onewindow.exchange.signals import case_lookup_done

        case_lookup_done.connect(lookup_noted, dispatch_uid="cases.lookup_noted")

        # What people are told about a case: composed here, sent by the notification service.
        from onewindow.cases.notifications import on_case_news
        from onewindow.cases.signals import case_news

        case_news.connect(on_case_news, dispatch_uid="cases.notifications")

        # The notify.send service task: tells a case's applicant, or the holders of one of
        # its process's roles, through the notification service.
        from onewindow.cases import notify_action
        from onewindow.workflow import register_action

        register_action(notify_action.ACTION, notify_action.notify_send, outputs=("notified",))

        # Bookings: appointments is told about a booking's case, and its office's marks go on
        # the case's timeline.
        from onewindow.appointments.services import case_facts_source_set
        from onewindow.appointments.signals import booking_marked
        from onewindow.cases.booking_selectors import booking_cases
        from onewindow.cases.services.timeline import booking_noted

        case_facts_source_set(booking_cases)
        booking_marked.connect(booking_noted, dispatch_uid="cases.booking_noted")

        # A licence a case's process issued: an establishment case notes its new company.
        from onewindow.cases.services.establish import licence_issued_receive
        from onewindow.licences.signals import licence_issued

        licence_issued.connect(licence_issued_receive, dispatch_uid="cases.licence_issued")
