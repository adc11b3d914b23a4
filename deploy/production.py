"""What production refuses to start with: the embedded default's test doors.

The demo's accounts (password "demo"), the demo data and a key generated into the data
directory are fine on a developer's machine and fatal with real citizens in the database.
"""

from sqlmodel import col, select

from deploy.demo import DEMO_PASSWORD, DEMO_STAFF
from models.db import SessionFactory
from models.passwords import verify_password
from models.settings import ProductionRefused, Settings
from models.staff import Staff


def refuse_test_doors(settings: Settings, open_session: SessionFactory) -> None:
    """Raise ProductionRefused, saying what to change, if production would start with a
    generated key or the demo's accounts."""
    if not settings.production:
        return
    settings.session_secret()  # refuses a missing FORLOEB_SECRET_KEY
    settings.payload_keyring()  # and missing FORLOEB_PAYLOAD_KEYS
    names = [person.username for person in DEMO_STAFF]
    with open_session() as session:
        accounts = session.exec(
            select(Staff).where(col(Staff.username).in_(names), col(Staff.active))
        ).all()
    open_doors = sorted(
        a.username for a in accounts if verify_password(DEMO_PASSWORD, a.password_hash)
    )
    if open_doors:
        raise ProductionRefused(
            "Demokonti med adgangskoden 'demo' findes i databasen: "
            f"{', '.join(open_doors)}. Deaktivér dem eller skift adgangskoden før start i "
            "produktion."
        )
