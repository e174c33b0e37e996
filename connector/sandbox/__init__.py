"""Local stand-ins for HubSpot (and the ATS) used by tests and the demo; production code never imports them."""
