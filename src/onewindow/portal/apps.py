from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "onewindow.portal"
    label = "portal"

    def ready(self) -> None:
        from onewindow.core.home import home_page_changed
        from onewindow.licences.signals import licence_issued, licence_revoked
        from onewindow.payments.signals import payment_received
        from onewindow.portal import home_cache, news

        # every change that alters someone's page gives it a new version (portal.home_cache)
        home_page_changed.connect(
            home_cache.on_home_page_changed, dispatch_uid="portal.home_page_changed"
        )

        payment_received.connect(news.on_payment_received, dispatch_uid="portal.payment_received")
        licence_issued.connect(news.on_licence_issued, dispatch_uid="portal.licence_issued")
        licence_revoked.connect(news.on_licence_revoked, dispatch_uid="portal.licence_revoked")
