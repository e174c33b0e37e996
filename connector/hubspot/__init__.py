"""HubSpot side of the connector: the SDK client, streams, pull and push."""
