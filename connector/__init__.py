"""talent-engagement-connector: HubSpot sync connector for recruitment marketing."""

__version__ = "0.1.0"
