"""What the simulated courses are made of: the words, places and plans both the heavy course
and the idle courses of the memory measurement use, so that their states are alike."""

from models.enums import Channel, Department, PlaceKind, PlanItemKind
from models.meeting import ReminderRule

# The service's default reminder schedule (FORLOEB_REMINDERS="24,2:call"), as the API fills it.
REMINDERS = [ReminderRule(hours_before=24), ReminderRule(hours_before=2, channel=Channel.CALL)]
PHONE = "20 12 34 56"
EMAIL = "borger@eksempel.dk"
DECISION_MONTHS = 36
CONSIDERATIONS = "Højst 3 timer ad gangen; undgå tunge løft."
MEETING_PURPOSE = "Opfølgning på forløbet"

DEPARTMENTS = [Department.HEALTH, Department.JOBCENTER, Department.SOCIAL, Department.FAMILY]
PURPOSES = {
    Department.HEALTH: [
        "Helbredsvurdering hos kommunallæge",
        "Fysioterapeutisk træningsforløb for ryg og skuldre",
        "Psykologsamtaler om stress og angst",
        "Afklaring på smerteklinikken",
    ],
    Department.JOBCENTER: [
        "Virksomhedspraktik med mentor, 10 timer om ugen",
        "Jobsøgningskursus for ledige med skånehensyn",
        "Afklaring af skånehensyn på arbejdspladsen",
        "Løntilskud: find en virksomhed i lokalområdet",
    ],
    Department.SOCIAL: [
        "Støtte-kontaktperson (SEL § 85)",
        "Afklaring af boligsituationen",
        "Gældsrådgivning og budget",
        "Opfølgning på misbrugsbehandling",
    ],
    Department.FAMILY: [
        "Familiebehandling i hjemmet",
        "Samtaler om forældrerollen",
        "Støtte til barnets skolegang",
        "Aflastning i weekenderne",
    ],
}
PLACES = [
    (PlaceKind.LIBRARY, "Hovedbiblioteket, Læsesalen"),
    (PlaceKind.CAFE, "Café Fønix, Torvet 3"),
    (PlaceKind.JOBCENTER, "Jobcentret, mødelokale 2"),
    (PlaceKind.WALK, "Ved søen, P-pladsen"),
    (PlaceKind.HOME, "Hjemme hos borgeren"),
    (PlaceKind.PHONE, "Telefon: vi ringer dig op"),
]
EFFORTS = [
    (PlanItemKind.EFFORT, "Virksomhedspraktik med mentor", "Jobcentrets virksomhedskonsulent"),
    (PlanItemKind.TREATMENT, "Fysioterapi, to gange om ugen", "Fysioterapeut i Sundhed"),
    (PlanItemKind.EFFORT, "Støtte-kontaktperson", "Socialforvaltningens bostøtte"),
    (PlanItemKind.TREATMENT, "Psykologforløb", "Psykolog i Sundhed"),
    (PlanItemKind.EFFORT, "Løntilskud i en lokal virksomhed", "Jobcentrets virksomhedskonsulent"),
]
