"""A form's problem is told once, at its field, and tied to the field for a screen reader."""

from models.enums import Role
from tests.api.conftest import logged_in
from tests.factories import make_staff, random_cpr


async def test_the_access_log_search_tells_a_bad_or_unknown_number_at_the_field(service, session):
    async with logged_in(service, make_staff(session, Role.DATA_PROTECTION)) as officer:
        bad = await officer.post("/databeskyttelse", data={"cpr": "123"})
        unknown = await officer.post("/databeskyttelse", data={"cpr": random_cpr()})

    assert bad.status_code == 422
    assert bad.text.count("CPR-nummeret skal være 10 cifre") == 1
    assert 'aria-invalid="true" aria-describedby="cpr-error"' in bad.text
    assert '<p class="field-error" id="cpr-error">CPR-nummeret skal være 10 cifre' in bad.text
    assert 'value="123"' in bad.text  # what was typed is kept
    assert unknown.status_code == 404
    assert unknown.text.count("Ingen borger har det CPR-nummer.") == 1
    assert 'role="alert"' not in unknown.text
