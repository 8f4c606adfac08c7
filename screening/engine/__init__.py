"""The eligibility engine: pure functions over plain data, no Django.

criteria text --(extract)--> rules --(match, with a profile)--> outcomes and a tier.
"""
