"""The ATS side: canonical records and protocol (base), stage mapping (stages), one module per adapter."""
