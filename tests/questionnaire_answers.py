"""A detailed set of questionnaire answers, as a browser posts them, shared by tests and bench/web.py."""

DETAILED = {
    "about-you": {"age": "54", "sex": "female"},
    "diagnosis": {
        "metastatic": "yes",
        "stage": "IV",
        "presentation": "recurrent",
        "unresectable_locally_advanced": "unsure",
        "histology": "ductal",
    },
    "spread": {"sites": ["bone", "liver"], "measurable_disease": "yes"},
    "biology": {"er": "positive", "pr": "positive", "her2": "low", "pd_l1": "unsure", "gene_PIK3CA": "altered"},
    "treatments": {
        "agents": ["palbociclib", "letrozole"],
        "other_agents": "Some New Pill",
        "received_endocrine_therapy": "yes",
        "received_cdk4_6_inhibitor": "yes",
        "received_chemotherapy": "no",
        "lines_total": "1",
        "lines_chemotherapy": "0",
        "progressed_on_last_therapy": "yes",
    },
    "hormone-therapy": {"lines_endocrine": "1"},
    "health": {"ecog": "1", "pregnant_or_breastfeeding": "no", "heart_condition": "no"},
    "location": {"postal_code": "02115", "max_travel_miles": "100"},
}
