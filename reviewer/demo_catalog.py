"""What demo cases are made of: channels, platforms, risk flags, category weights, report lines."""

from __future__ import annotations

CHANNELS = ("partner", "media", "staff", "user_report", "high_risk_watch", "regulator")
PLATFORMS = ("photoapp", "shortvideo", "microblog", "forum", "messenger")
RISK_FLAGS = ("repeat_offender", "verified", "high_reach", "minor_contact", "coordinated", "new_account")
CATEGORY_WEIGHTS = {
    "violence": 18,
    "self_harm": 10,
    "child_safety": 4,
    "hate": 14,
    "harassment": 14,
    "dangerous_orgs": 8,
    "adult": 12,
    "spam": 12,
    "privacy": 8,
}
REPORT_LINES = {
    "violence": [
        "Graphic injury shown in a post with a celebratory caption.",
        "Footage of a street fight shared with threats against a named group.",
        "News outlet flags an image of an attack aftermath without a warning screen.",
    ],
    "self_harm": [
        "Partner NGO reports content encouraging self-injury to a teen audience.",
        "Image of fresh wounds posted with a goodbye message.",
        "Recovery community post; reporter unsure whether it crosses the line.",
    ],
    "child_safety": [
        "Account repeatedly contacts minors and asks to move to private chat.",
        "Image reported by a hotline partner as potentially exploitative.",
    ],
    "hate": [
        "Post uses a dehumanising comparison against a religious group.",
        "Meme with coded slur against an ethnic minority, widely shared.",
        "Journalist's post quoting hate speech to condemn it.",
    ],
    "harassment": [
        "Coordinated pile-on targeting a private individual.",
        "Repeated unwanted messages and threats to a creator.",
        "Mocking edit of a bereaved family member's photo.",
    ],
    "dangerous_orgs": [
        "Praise of a designated violent group with recruitment link.",
        "Documentary clip about an extremist group, reported by media.",
    ],
    "adult": [
        "Explicit image posted in a general-audience group.",
        "Artistic nudity; appeal from the creator after automated removal.",
    ],
    "spam": [
        "Crypto giveaway scam impersonating a celebrity.",
        "Mass-posted links to a counterfeit goods shop.",
    ],
    "privacy": [
        "Home address and phone number of an activist posted.",
        "Photo of an ID card shared without consent.",
    ],
}

#: Fake, abstract requesters of the channels that expect a response (``resources/responses``).
REQUESTERS: dict[str, tuple[dict[str, str], ...]] = {
    "partner": (
        {"name": "Partner Desk A", "organisation": "Example Safety NGO", "contact": "desk-a@ngo.example"},
        {"name": "Partner Desk B", "organisation": "Example Helpline", "contact": "desk-b@helpline.example"},
    ),
    "media": ({"name": "Media Contact C", "organisation": "Example Newsroom", "contact": "tips@news.example"},),
    "staff": ({"name": "Staff Member D", "organisation": "Trust & Safety tier 2", "contact": "t2@staff.example"},),
    "regulator": (
        {"name": "Regulator Office E", "organisation": "Example Media Authority", "contact": "cases@reg.example"},
    ),
}
